package io.strata.agent.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.agent.AgentTestNode;
import io.strata.testsupport.KafkaTestResource;
import io.strata.testsupport.Promtool;
import org.junit.jupiter.api.Test;

/**
 * The agent's /q/metrics page, scraped as Prometheus would: promtool accepts it, and it carries
 * HTTP timings, the JVM and the command consumer's Kafka figures labelled with its group.
 * (The engines' figures: {@link EngineMetricsTest}.)
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(AgentTestNode.class)
class MetricsEndpointTest {

  @Test
  void thePagePassesPromtoolAndCarriesTheAgentsFigures() {
    given().when().get("/agent/v1/node").then().statusCode(200);

    String page = given().accept("text/plain").when().get("/q/metrics").then().statusCode(200).extract().asString();

    Promtool.checkMetrics(page);
    assertThat(Promtool.sampleNames(page)).contains("http_server_requests_seconds_count", "jvm_memory_used_bytes",
        "kafka_consumer_fetch_manager_records_lag_max", "kafka_producer_record_send_total");
    assertThat(page)
        .containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"200\"[^}]*uri=\"/agent/v1/node\"")
        .containsPattern("kafka_consumer_fetch_manager_records_lag_max\\{[^}]*group=\"strata-agent-7\"");
  }
}
