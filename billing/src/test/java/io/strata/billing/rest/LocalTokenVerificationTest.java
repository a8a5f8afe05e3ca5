package io.strata.billing.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.strata.testsupport.BadTokenFlood;
import io.strata.testsupport.KafkaTestResource;
import io.strata.testsupport.KeycloakRelay;
import io.strata.testsupport.KeycloakRelayTestResource;
import io.strata.testsupport.PostgresTestResource;
import io.strata.testsupport.Tokens;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Billing verifies bearer tokens against the realm's cached keys: a bad token (garbage, opaque,
 * forged, tampered, expired, an ID token) is 401 with no request to Keycloak and no ERROR log.
 * Billing talks to the real Keycloak through a relay that counts its requests.
 */
@QuarkusTest
@TestProfile(LocalTokenVerificationTest.ThroughRelay.class)
class LocalTokenVerificationTest {
  static final int ROUNDS = 5;

  /** Billing's usual servers, with OIDC through the counting relay. */
  public static class ThroughRelay implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(
          new TestResourceEntry(PostgresTestResource.class),
          new TestResourceEntry(KafkaTestResource.class),
          new TestResourceEntry(KeycloakRelayTestResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.log.category.\"kafka\".level", "WARN",
          "quarkus.log.category.\"org.apache.kafka\".level", "WARN");
    }
  }

  KeycloakRelay keycloak;

  @Test
  void badTokensAre401WithoutAskingKeycloakAndWithoutErrorLogs() {
    String good = Tokens.accessToken("acme-admin");
    given().auth().oauth2(good).get("/api/v1/cost").then().statusCode(200);
    assertThat(keycloak.requests()).as("billing reaches Keycloak through the relay")
        .anyMatch(r -> r.endsWith("/.well-known/openid-configuration"));

    BadTokenFlood.assertRefusedLocally(keycloak, ROUNDS, (name, token) ->
        assertThat(given().auth().oauth2(token).get("/api/v1/cost").statusCode()).as(name).isEqualTo(401));
    given().auth().oauth2(good).get("/api/v1/cost").then().statusCode(200);
  }
}
