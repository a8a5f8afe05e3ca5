package io.strata.billing.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.strata.billing.support.Await;
import io.strata.billing.support.BillingTestProfile;
import io.strata.billing.support.UsageStream;
import io.strata.contracts.Topics;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import io.strata.testsupport.Promtool;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Billing's /q/metrics page, scraped as Prometheus would, passes promtool and counts what
 * metering did with real readings sent through Kafka: one stored, its retry a duplicate, an
 * unreadable one parked; the consumer group's lag is there per partition.
 */
@QuarkusTest
@TestProfile(BillingTestProfile.class)
class MetricsEndpointTest {

  static final Pattern LAG_OF_USAGE = Pattern.compile(
      "kafka_consumer_fetch_manager_records_lag\\{[^}]*group=\"strata-billing\"[^}]*partition=\"\\d+\"[^}]*topic=\"strata[._]usage\"");

  static String scrape() {
    return given().accept("text/plain").when().get("/q/metrics").then().statusCode(200).extract().asString();
  }

  static double readings(String page, String outcome) {
    Matcher m = Pattern.compile("strata_metering_readings_total\\{outcome=\"" + outcome + "\",?\\} (\\S+)").matcher(page);
    if (!m.find()) {
      throw new AssertionError("no strata_metering_readings_total{outcome=" + outcome + "} on the page");
    }
    return Double.parseDouble(m.group(1));
  }

  @Test
  void thePagePassesPromtoolAndCountsReadingsByOutcome() {
    given().when().get("/api/v1/invoices").then().statusCode(401); // a timed request with a route
    String before = scrape();
    double stored = readings(before, "stored");
    double duplicates = readings(before, "duplicate");
    double parked = readings(before, "parked");

    ArrayUsageSample sample = new ArrayUsageSample("metrics-a", "acme", "node-m", Instant.now().minusSeconds(60),
        Instant.now(), List.of(new DriveAllocation(DriveType.SSD, 1, 1_000_000_000L)), "small", List.of(), 0, 0,
        1, 1, 4096, 4096);
    try (UsageStream stream = new UsageStream()) {
      long sequence = System.nanoTime();
      stream.sample("agent/node-m", sequence, sample);
      stream.sample("agent/node-m", sequence, sample); // the agent retried
      stream.raw(Topics.USAGE, "metrics-a", "{not a reading");
    }

    String page = Await.until("metering counted the readings and the lag per partition shows", MetricsEndpointTest::scrape,
        p -> readings(p, "stored") == stored + 1 && readings(p, "duplicate") == duplicates + 1
            && readings(p, "parked") == parked + 1 && LAG_OF_USAGE.matcher(p).find(),
        Duration.ofSeconds(90));
    Promtool.checkMetrics(page);
    assertThat(Promtool.sampleNames(page)).contains("http_server_requests_seconds_count", "jvm_memory_used_bytes",
        "agroal_active_connections", "strata_metering_readings_total", "kafka_consumer_fetch_manager_records_lag_max");
    assertThat(page).containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"401\"[^}]*uri=\"/api/v1/invoices\"");
  }
}
