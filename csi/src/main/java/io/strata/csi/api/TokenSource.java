package io.strata.csi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.csi.DriverConfig;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Access tokens from Keycloak's token endpoint: the client credentials grant of a confidential
 * client, or the password grant. A token is reused until 30 s before it expires, then a new one
 * is asked for (a new grant rather than a refresh: the credentials are at hand, and a client
 * credentials grant has no refresh token).
 */
public final class TokenSource {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final DriverConfig config;
  private final HttpClient http;
  private final Clock clock;
  private String token;
  private Instant renewAt = Instant.MIN;

  public TokenSource(DriverConfig config, HttpClient http, Clock clock) {
    this.config = config;
    this.http = http;
    this.clock = clock;
  }

  public synchronized String token() throws IOException, InterruptedException {
    if (token == null || !clock.instant().isBefore(renewAt)) {
      Instant asked = clock.instant();
      JsonNode answer = grant();
      token = answer.path("access_token").asText();
      renewAt = asked.plusSeconds(Math.max(0, answer.path("expires_in").asLong(60) - 30));
    }
    return token;
  }

  /** Forget the token (the control plane refused it): the next call asks for a new one. */
  public synchronized void invalidate() {
    token = null;
  }

  private JsonNode grant() throws IOException, InterruptedException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("client_id", config.clientId());
    if (config.clientSecret() != null) {
      form.put("client_secret", config.clientSecret());
    }
    if (config.username() != null) {
      form.put("grant_type", "password");
      form.put("username", config.username());
      form.put("password", config.password());
    } else {
      form.put("grant_type", "client_credentials");
    }
    String body = form.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(config.tokenUrl())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      // the answer names the grant's problem (invalid_client, invalid_grant), never a secret
      throw new IOException("the token endpoint " + config.tokenUrl() + " answered " + response.statusCode()
          + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }
}
