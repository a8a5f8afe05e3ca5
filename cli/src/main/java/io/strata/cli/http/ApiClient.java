package io.strata.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.cli.CliException;
import io.strata.cli.Environment;
import io.strata.cli.ExitCode;
import io.strata.cli.api.Endpoint.Service;
import io.strata.cli.auth.Oidc;
import io.strata.cli.config.Profiles;
import io.strata.cli.config.Profile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Calls the Strata APIs as the signed-in user of a profile: bearer token (refreshed when it is
 * about to expire, and once more after a 401), API errors (RFC 9457 problem documents) turned
 * into one message and an exit status, and a request carrying an Idempotency-Key sent again with
 * the same key after a network failure or a 502/503/504 — the API answers a repeat with the
 * first answer, so the retry can never create a second object.
 */
public final class ApiClient {
  /** Attempts of a request with an Idempotency-Key when the network or a gateway failed. */
  static final int IDEMPOTENT_ATTEMPTS = 3;

  private final Environment env;
  private final Http http;
  private final Oidc oidc;
  private final Profiles profiles;
  private final Profile profile;

  public ApiClient(Environment env, Http http, Oidc oidc, Profiles profiles) {
    this.env = env;
    this.http = http;
    this.oidc = oidc;
    this.profiles = profiles;
    this.profile = profiles.selected();
  }

  public Profile profile() {
    return profile;
  }

  /** A request: method, path (variables filled in), query, JSON body, extra headers. */
  public record Request(Service service, String method, String path, Map<String, String> query, JsonNode body,
      Map<String, String> headers) {}

  /** Sends the request and returns a 2xx answer; anything else is a {@link CliException}. */
  public Http.Reply call(Request request) {
    Http.Reply reply = callRaw(request);
    if (!reply.ok()) {
      throw problem(reply);
    }
    return reply;
  }

  /** Sends the request (signing in, refreshing, retrying as described above) and returns any answer. */
  public Http.Reply callRaw(Request request) {
    String accessToken = freshToken(false);
    boolean idempotent = request.headers().containsKey("Idempotency-Key");
    int attempts = idempotent ? IDEMPOTENT_ATTEMPTS : 1;
    for (int attempt = 1; ; attempt++) {
      try {
        Http.Reply reply = http.send(build(request, accessToken));
        if (reply.status() == 401) {
          // expired meanwhile, or the session was revoked: one refresh, then the answer stands
          String renewed = freshToken(true);
          reply = http.send(build(request, renewed));
        }
        boolean gateway = reply.status() == 502 || reply.status() == 503 || reply.status() == 504;
        if (gateway && attempt < attempts) {
          backOff(attempt, "HTTP " + reply.status());
          continue;
        }
        return reply;
      } catch (CliException e) {
        if (e.exitCode != ExitCode.SERVER_OR_NETWORK || attempt >= attempts) {
          throw e;
        }
        backOff(attempt, e.getMessage());
      }
    }
  }

  private void backOff(int attempt, String why) {
    env.err.println("strata: " + why + "; sending again with the same Idempotency-Key");
    env.err.flush();
    env.sleep(Duration.ofSeconds(attempt));
  }

  private HttpRequest.Builder build(Request request, String accessToken) {
    URI uri = URI.create(baseUrl(request.service()) + request.path() + queryString(request.query()));
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .header("Authorization", "Bearer " + accessToken)
        .header("Accept", "application/json, application/problem+json, text/csv, */*");
    request.headers().forEach(b::header);
    if (request.body() != null) {
      b.header("Content-Type", "application/json");
      b.method(request.method(), HttpRequest.BodyPublishers.ofString(request.body().toString()));
    } else {
      b.method(request.method(), HttpRequest.BodyPublishers.noBody());
    }
    return b;
  }

  private String baseUrl(Service service) {
    if (profile.url == null) {
      throw notSignedIn();
    }
    String base = service == Service.BILLING ? profile.billingUrl : profile.url;
    if (base == null) {
      throw new CliException(ExitCode.USAGE, "profile '" + profiles.selectedName()
          + "' has no billing URL: sign in again with --billing-url");
    }
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  /** An access token good for a while (refreshed if needed); exit 3 when the session has ended. */
  public String accessToken() {
    return freshToken(false);
  }

  private String freshToken(boolean force) {
    if (!profile.signedIn()) {
      throw notSignedIn();
    }
    String before = profile.accessToken;
    if (!oidc.ensureFresh(profile, force)) {
      throw new CliException(ExitCode.AUTH, "the session of profile '" + profiles.selectedName()
          + "' has ended: sign in again (strata login)");
    }
    if (!Objects.equals(before, profile.accessToken)) {
      profiles.save();
    }
    return profile.accessToken;
  }

  private CliException notSignedIn() {
    return new CliException(ExitCode.AUTH, "not signed in (profile '" + profiles.selectedName()
        + "'): strata login --url <control plane> --user <name>");
  }

  static String queryString(Map<String, String> query) {
    if (query == null || query.isEmpty()) {
      return "";
    }
    return "?" + query.entrySet().stream()
        .map(e -> Http.enc(e.getKey()) + "=" + Http.enc(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  /** One message for an error answer: the problem's title and detail, and each field it names. */
  public static CliException problem(Http.Reply reply) {
    JsonNode p = reply.json();
    StringBuilder m = new StringBuilder();
    String title = p.path("title").asText(null);
    String detail = p.path("detail").asText(null);
    m.append(title != null ? title : "HTTP " + reply.status()).append(" (").append(reply.status()).append(")");
    if (detail != null) {
      m.append(": ").append(detail);
    } else if (title == null && reply.text() != null && !reply.text().isBlank() && reply.text().length() < 500) {
      m.append(": ").append(reply.text().strip());
    }
    for (JsonNode error : p.path("errors")) {
      m.append(System.lineSeparator()).append("  ").append(error.path("field").asText())
          .append(": ").append(error.path("message").asText());
    }
    return new CliException(ExitCode.forHttpStatus(reply.status()), m.toString());
  }
}
