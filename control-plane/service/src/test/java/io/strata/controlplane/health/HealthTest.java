package io.strata.controlplane.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import org.junit.jupiter.api.Test;

/** The control plane answers its readiness probe, which the stack scripts wait on. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class HealthTest {

  @Test
  void readinessProbeReportsUpWithTheDatabase() {
    given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
        .body("checks.name", org.hamcrest.Matchers.hasItem("Database connections health check"));
  }

  @Test
  void openApiDocumentIsServed() {
    given().when().get("/q/openapi?format=json").then().statusCode(200)
        .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/volumes"))
        .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/volumes/{id}/rollback"))
        .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/admin/arrays"));
  }

  /** RFC 9728 metadata: how `strata login --url` finds Keycloak and billing from the control plane alone. */
  @Test
  void protectedResourceMetadataNamesTheRealmAndBillingWithoutAToken() {
    given().when().get("/.well-known/oauth-protected-resource").then().statusCode(200)
        .body("authorization_servers[0]", equalTo(io.strata.testsupport.TestServers.realmUrl()))
        .body("strata_billing_url", equalTo("http://127.0.0.1:8082"))
        .body("resource", org.hamcrest.Matchers.endsWith("/api/v1"));
  }
}
