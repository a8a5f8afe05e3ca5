package io.strata.billing.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.strata.billing.support.BillingTestProfile;
import org.junit.jupiter.api.Test;

/** The billing answers its readiness probe, which the stack scripts wait on. */
@QuarkusTest
@TestProfile(BillingTestProfile.class)
class HealthTest {

  @Test
  void readinessProbeReportsUp() {
    given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void servesItsOpenApiDocument() {
    given().when().get("/q/openapi?format=json").then().statusCode(200).body("paths", org.hamcrest.Matchers.hasKey("/api/v1/invoices"));
  }
}
