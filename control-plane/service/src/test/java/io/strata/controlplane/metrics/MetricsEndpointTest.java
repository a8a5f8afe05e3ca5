package io.strata.controlplane.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.strata.controlplane.provisioning.ProvisioningOnProfile;
import io.strata.controlplane.service.Operations;
import io.strata.testsupport.Promtool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The control plane's /q/metrics page, scraped as Prometheus would: promtool finds nothing wrong
 * with it, and it carries the figures docs/observability.md lists (HTTP timings by route and
 * status, JVM, the Agroal pool, the Kafka clients' lag, the outbox, operations).
 */
@QuarkusTest
// the relay and the events consumer run (their Kafka clients are measured); readings are fresh
@TestProfile(ProvisioningOnProfile.class)
class MetricsEndpointTest {

  @Inject Operations operations;

  static String scrape() {
    return given().accept("text/plain").when().get("/q/metrics").then().statusCode(200).extract().asString();
  }

  @Test
  void thePagePassesPromtoolAndCarriesEveryNamedFigure() {
    given().when().get("/api/v1/arrays").then().statusCode(401); // one timed request with a route and a status

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      // a JVM with room to spare may not have collected yet: GC pause timings appear after one
      System.gc();
      String page = scrape();
      Promtool.checkMetrics(page);
      assertThat(Promtool.sampleNames(page)).contains(
          "http_server_requests_seconds_count",
          "jvm_memory_used_bytes",
          "jvm_gc_pause_seconds_count",
          "agroal_active_connections",
          "agroal_available_connections",
          "kafka_consumer_fetch_manager_records_lag_max",
          "kafka_producer_record_send_total",
          "strata_outbox_unpublished_messages",
          "strata_outbox_oldest_unpublished_age_seconds",
          "strata_nodes");
      assertThat(page).containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"401\"[^}]*uri=\"/api/v1/arrays\"");
      assertThat(page).containsPattern("kafka_consumer_fetch_manager_records_lag_max\\{[^}]*group=\"strata-control-plane\"");
    });
  }

  @Test
  void operationsAreCountedByKindAndStateAndPendingOnesShow() {
    UUID target = UUID.randomUUID();
    QuarkusTransaction.requiringNew().run(() -> operations.start("metrics-test", null, "volume.resize", "volume", target));

    // a kind seen pending for the first time has its gauge from the next scrape on
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String pending = scrape();
      assertThat(pending).containsPattern("strata_operations_started_total\\{kind=\"volume.resize\",?\\} [1-9]");
      assertThat(pending).containsPattern("strata_operations_pending\\{kind=\"volume.resize\",?\\} [1-9]");
    });

    QuarkusTransaction.requiringNew().run(() -> operations.complete(target, false, "test"));
    String done = scrape();
    Promtool.checkMetrics(done);
    assertThat(done).containsPattern("strata_operations_completed_total\\{kind=\"volume.resize\",state=\"FAILED\",?\\} [1-9]");
    // the pending gauge is read from the database at most every strata.metrics.db-refresh (10 s)
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(scrape())
        .containsPattern("strata_operations_pending\\{kind=\"volume.resize\",?\\} 0.0"));
  }
}
