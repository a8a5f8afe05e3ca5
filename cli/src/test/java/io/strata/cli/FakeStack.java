package io.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A control plane, billing and Keycloak in one loopback HTTP server, answering what a test
 * scripts, recording every request; and a way to run the CLI in-process against it with its own
 * environment, config folder and captured output.
 */
final class FakeStack implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  record Request(String method, String path, String query, Map<String, List<String>> headers, String body) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  record Answer(int status, Map<String, String> headers, String body) {
    static Answer json(int status, String body) {
      return new Answer(status, Map.of("Content-Type", "application/json"), body);
    }
  }

  record Result(int exit, String out, String err) {
    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }
  }

  final HttpServer server;
  final String url;
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Function<Request, Answer>> routes = new ConcurrentHashMap<>();
  /** Access tokens the fake API accepts. */
  final List<String> validTokens = Collections.synchronizedList(new ArrayList<>());
  int tokensIssued;

  FakeStack() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    url = "http://127.0.0.1:" + server.getAddress().getPort();
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Request r = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          exchange.getRequestURI().getRawQuery(), new HashMap<>(exchange.getRequestHeaders()), body);
      requests.add(r);
      Function<Request, Answer> route = routes.get(r.method() + " " + r.path());
      Answer a;
      if (route == null) {
        a = Answer.json(404, "{\"type\":\"https://strata.io/problems/not-found\",\"title\":\"Not found\",\"status\":404,\"detail\":\"no " + r.path() + "\"}");
      } else if (r.path().startsWith("/api/") && !validTokens.contains(bearer(r))) {
        a = Answer.json(401, "{\"title\":\"Unauthorized\",\"status\":401}");
      } else {
        a = route.apply(r);
      }
      a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
      byte[] bytes = a.body() == null ? new byte[0] : a.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        exchange.getResponseBody().write(bytes);
      }
      exchange.close();
    });
    server.start();
    keycloak();
  }

  private static String bearer(Request r) {
    String h = r.header("Authorization");
    return h == null ? null : h.replaceFirst("^Bearer ", "");
  }

  /** The RFC 9728 metadata, discovery, and a token endpoint taking acme-admin / strata-demo. */
  private void keycloak() {
    String issuer = url + "/realms/strata";
    route("GET", "/.well-known/oauth-protected-resource", r -> Answer.json(200,
        "{\"resource\":\"" + url + "/api/v1\",\"authorization_servers\":[\"" + issuer + "\"],\"strata_billing_url\":\"" + url + "/billing\"}"));
    route("GET", "/realms/strata/.well-known/openid-configuration", r -> Answer.json(200,
        "{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"" + issuer + "/protocol/openid-connect/token\","
            + "\"device_authorization_endpoint\":\"" + issuer + "/protocol/openid-connect/auth/device\","
            + "\"revocation_endpoint\":\"" + issuer + "/protocol/openid-connect/revoke\"}"));
    route("POST", "/realms/strata/protocol/openid-connect/token", r -> {
      Map<String, String> form = form(r.body());
      boolean ok = switch (form.get("grant_type")) {
        case "password" -> "acme-admin".equals(form.get("username")) && "strata-demo".equals(form.get("password"));
        case "refresh_token" -> form.get("refresh_token").startsWith("refresh-");
        default -> false;
      };
      return ok ? tokens(60) : Answer.json(401, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid user credentials\"}");
    });
    route("POST", "/realms/strata/protocol/openid-connect/revoke", r -> new Answer(200, Map.of(), null));
  }

  /** A token answer; the access token is valid for the fake API. */
  synchronized Answer tokens(int expiresIn) {
    int n = ++tokensIssued;
    // a JWT-shaped token with a few claims (whoami reads them)
    String claims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"preferred_username\":\"acme-admin\",\"tenant\":\"acme\",\"realm_access\":{\"roles\":[\"tenant-admin\"]},\"n\":" + n + "}")
            .getBytes(StandardCharsets.UTF_8));
    String access = "eyJhbGciOiJub25lIn0." + claims + ".sig" + n;
    validTokens.add(access);
    return Answer.json(200, "{\"access_token\":\"" + access + "\",\"expires_in\":" + expiresIn
        + ",\"refresh_token\":\"refresh-" + n + "\",\"refresh_expires_in\":1800,\"token_type\":\"Bearer\"}");
  }

  static Map<String, String> form(String body) {
    Map<String, String> m = new HashMap<>();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      m.put(java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    return m;
  }

  void route(String method, String path, Function<Request, Answer> answer) {
    routes.put(method + " " + path, answer);
  }

  List<Request> requestsTo(String method, String path) {
    synchronized (requests) {
      return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }
  }

  /** Runs {@code strata args...} in-process with this config folder and these variables. */
  static Result run(Path config, Map<String, String> variables, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Map<String, String> vars = new HashMap<>(variables);
    vars.putIfAbsent("XDG_CONFIG_HOME", config.toString());
    Environment env = new Environment(vars, config, new PrintWriter(out, true), new PrintWriter(err, true), false,
        new java.io.BufferedReader(new java.io.StringReader(""))) {
      @Override
      public void sleep(Duration d) {
        // tests do not wait: polls and back-offs happen at once
      }
    };
    int exit = Strata.commandLine(new Session(env, Clock.systemUTC(), Duration.ofMillis(1))).execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  private boolean closed;

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      server.stop(0);
    }
  }
}
