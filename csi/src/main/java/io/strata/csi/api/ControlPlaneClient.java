package io.strata.csi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The few calls of the control plane's REST API (docs/control-plane.md) the driver makes, with a
 * bearer token from {@link TokenSource}. Answers are JSON trees; anything but a 2xx is an
 * {@link ApiException} carrying the problem document. A 401 gets one new token and one retry.
 */
public final class ControlPlaneClient {

  static final ObjectMapper JSON = new ObjectMapper();
  private final URI base;
  private final HttpClient http;
  private final TokenSource tokens;

  public ControlPlaneClient(URI base, HttpClient http, TokenSource tokens) {
    this.base = base;
    this.http = http;
    this.tokens = tokens;
  }

  /** An answer's body and the headers the driver reads. */
  public record Answer(int status, JsonNode body, String etag) {}

  public JsonNode get(String path) {
    return send("GET", path, null, Map.of()).body();
  }

  /** GET that answers null for a 404 (an id that is not, or not any more, the tenant's). */
  public JsonNode find(String path) {
    try {
      return get(path);
    } catch (ApiException e) {
      if (e.status() == 404) {
        return null;
      }
      throw e;
    }
  }

  public Answer getWithEtag(String path) {
    return send("GET", path, null, Map.of());
  }

  public JsonNode post(String path, Object body, String idempotencyKey) {
    Map<String, String> headers = idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey);
    return send("POST", path, body, headers).body();
  }

  public JsonNode patch(String path, Object body, String etag) {
    return send("PATCH", path, body, Map.of("If-Match", etag)).body();
  }

  /** DELETE; true when it was there to delete, false for a 404. */
  public boolean delete(String path) {
    try {
      send("DELETE", path, null, Map.of());
      return true;
    } catch (ApiException e) {
      if (e.status() == 404) {
        return false;
      }
      throw e;
    }
  }

  /** Every item of a list endpoint, page after page. */
  public List<JsonNode> listAll(String path, Map<String, String> query) {
    List<JsonNode> items = new ArrayList<>();
    String cursor = null;
    do {
      Map<String, String> q = new LinkedHashMap<>(query);
      q.put("limit", "500");
      if (cursor != null) {
        q.put("cursor", cursor);
      }
      JsonNode page = get(path + query(q));
      page.path("items").forEach(items::add);
      cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
    } while (cursor != null);
    return items;
  }

  public static String query(Map<String, String> q) {
    if (q.isEmpty()) {
      return "";
    }
    return q.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&", "?", ""));
  }

  private Answer send(String method, String path, Object body, Map<String, String> headers) {
    try {
      HttpResponse<String> response = exchange(method, path, body, headers);
      if (response.statusCode() == 401) {
        tokens.invalidate();
        response = exchange(method, path, body, headers);
      }
      JsonNode json = response.body() == null || response.body().isBlank()
          ? NullNode.getInstance() : JSON.readTree(response.body());
      if (response.statusCode() / 100 != 2) {
        throw new ApiException(response.statusCode(), json, method + " " + path);
      }
      return new Answer(response.statusCode(), json, response.headers().firstValue("ETag").orElse(null));
    } catch (IOException e) {
      throw new ControlPlaneUnreachable(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ControlPlaneUnreachable(method + " " + path + " interrupted", e);
    }
  }

  private HttpResponse<String> exchange(String method, String path, Object body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + tokens.token())
        .header("Accept", "application/json");
    headers.forEach(request::header);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The control plane or Keycloak could not be reached: gRPC UNAVAILABLE, the caller retries. */
  public static final class ControlPlaneUnreachable extends RuntimeException {
    ControlPlaneUnreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
