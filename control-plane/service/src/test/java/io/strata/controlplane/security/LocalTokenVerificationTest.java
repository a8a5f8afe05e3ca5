package io.strata.controlplane.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.testsupport.BadTokenFlood;
import io.strata.testsupport.KeycloakRelay;
import io.strata.testsupport.KeycloakRelayTestResource;
import io.strata.testsupport.PostgresTestResource;
import io.strata.testsupport.Tokens;
import org.junit.jupiter.api.Test;

/**
 * Bearer tokens are verified here, against the realm's cached keys: a bad token (garbage, opaque,
 * forged, tampered, expired, or an ID token instead of an access token) is a 401 problem with
 * WWW-Authenticate, costs no request to Keycloak and logs no ERROR. The service talks to the
 * real Keycloak through a relay that counts its requests.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KeycloakRelayTestResource.class)
class LocalTokenVerificationTest {
  static final int ROUNDS = 5;

  KeycloakRelay keycloak;

  @Test
  void badTokensAre401WithoutAskingKeycloakAndWithoutErrorLogs() {
    String good = Tokens.accessToken("acme-admin");
    given().auth().oauth2(good).get("/api/v1/arrays").then().statusCode(200);
    assertThat(keycloak.requests()).as("the service reaches Keycloak through the relay")
        .anyMatch(r -> r.endsWith("/.well-known/openid-configuration"));

    BadTokenFlood.assertRefusedLocally(keycloak, ROUNDS, (name, token) ->
        given().auth().oauth2(token).get("/api/v1/arrays").then()
            .statusCode(401)
            .contentType("application/problem+json")
            .header("WWW-Authenticate", startsWith("Bearer"))
            .body("status", equalTo(401)));
    given().auth().oauth2(good).get("/api/v1/arrays").then().statusCode(200);
  }
}
