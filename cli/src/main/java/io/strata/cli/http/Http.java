package io.strata.cli.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.strata.cli.CliException;
import io.strata.cli.ExitCode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** The one HTTP client of the CLI (java.net.http), with JSON bodies and network errors as exit codes. */
public final class Http {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10))
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();

  /** An answer: status, headers, body as text and (when it is JSON) parsed. */
  public record Reply(int status, java.net.http.HttpHeaders headers, String text) {
    public JsonNode json() {
      if (text == null || text.isBlank()) {
        return MissingNode.getInstance();
      }
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        return MissingNode.getInstance();
      }
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  public Reply send(HttpRequest.Builder request) {
    HttpRequest r = request.timeout(REQUEST_TIMEOUT).build();
    try {
      HttpResponse<String> response = client.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new CliException(ExitCode.SERVER_OR_NETWORK, "cannot reach " + r.uri().getScheme() + "://"
          + r.uri().getAuthority() + ": " + why, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.SERVER_OR_NETWORK, "interrupted talking to " + r.uri());
    }
  }

  public Reply get(URI uri) {
    return send(HttpRequest.newBuilder(uri).GET().header("Accept", "application/json"));
  }

  /** POSTs an application/x-www-form-urlencoded form (the OAuth endpoints). */
  public Reply postForm(URI uri, Map<String, String> form) {
    String body = form.entrySet().stream()
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
    return send(HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
