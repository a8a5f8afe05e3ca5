package io.strata.agent.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.agent.AgentTestNode;
import io.strata.testsupport.KafkaTestResource;
import org.junit.jupiter.api.Test;

/** The array agent answers its readiness probe, which the stack scripts wait on. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(AgentTestNode.class)
class HealthTest {

  @Test
  void readinessProbeReportsUp() {
    given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
  }
}
