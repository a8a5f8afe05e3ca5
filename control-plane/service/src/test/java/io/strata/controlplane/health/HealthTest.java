package io.strata.controlplane.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The control plane answers its readiness probe, which the stack scripts wait on. */
@QuarkusTest
class HealthTest {

  @Test
  void readinessProbeReportsUp() {
    given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
  }
}
