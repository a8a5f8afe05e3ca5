package io.strata.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Real access tokens from the real Keycloak, for tests that call a service as a given user. The
 * demo users of the strata realm all have the password {@value #DEMO_PASSWORD}.
 */
public final class Tokens {

  public static final String DEMO_PASSWORD = "strata-demo";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A token for a demo user (acme-admin, acme-viewer, globex-admin, ops). */
  public static String accessToken(String username) {
    return accessToken(username, DEMO_PASSWORD);
  }

  /** A token by the password grant of the public client {@code strata-cli}. */
  public static String accessToken(String username, String password) {
    return requestToken(
        Map.of(
            "grant_type", "password",
            "client_id", "strata-cli",
            "username", username,
            "password", password));
  }

  /**
   * An ID token (not an access token) for a demo user, by the password grant with the openid
   * scope: signed by the realm like an access token, but with {@code typ} "ID".
   */
  public static String idToken(String username) {
    return requestToken(
        Map.of(
            "grant_type", "password",
            "client_id", "strata-cli",
            "scope", "openid",
            "username", username,
            "password", DEMO_PASSWORD),
        "id_token");
  }

  /** A token for a confidential client's service account (client credentials grant). */
  public static String serviceToken(String clientId, String clientSecret) {
    return requestToken(
        Map.of(
            "grant_type", "client_credentials",
            "client_id", clientId,
            "client_secret", clientSecret));
  }

  private static String requestToken(Map<String, String> form) {
    return requestToken(form, "access_token");
  }

  private static String requestToken(Map<String, String> form, String field) {
    URI endpoint = URI.create(TestServers.realmUrl() + "/protocol/openid-connect/token");
    TestServers.requireListening("Keycloak", endpoint);
    String body =
        form.entrySet().stream()
            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "Keycloak refused a token (" + response.statusCode() + "): " + response.body());
      }
      JsonNode json = JSON.readTree(response.body());
      return json.get(field).asText();
    } catch (IOException e) {
      throw new IllegalStateException("could not reach Keycloak at " + endpoint, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking Keycloak for a token", e);
    }
  }

  private Tokens() {}
}
