package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.ACME_VIEWER;
import static io.strata.controlplane.rest.Api.GLOBEX;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.Topics;
import io.strata.contracts.event.ArrayPerformance;
import io.strata.contracts.event.ArrayPerformance.Kind;
import io.strata.contracts.event.ArrayPerformance.Series;
import io.strata.contracts.event.Events;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.performance.PerformanceHistory;
import io.strata.controlplane.provisioning.EventsConsumer;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant reads how fast its volumes, pools and arrays went: the agents' samples, stored in
 * PostgreSQL, come back as IOPS, MB/s, latency, cache hit ratio and space by tier at the step
 * asked for; bad parameters are problems naming the parameter; another tenant's id is 404.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class PerformanceHistoryTest {
  @Inject ProvisioningEvents events;
  @Inject PerformanceHistory history;
  @Inject EventsConsumer consumer;

  private static Map<String, String> ids;
  /** The end of the first sample: on a minute, 10 minutes ago. */
  private static Instant t0;

  @BeforeEach
  void estate() {
    if (ids != null) {
      return;
    }
    Api.onlineNodes(8, 32, 6, 4);
    String array = Api.createArray(ACME, unique("perf"), 4, 1);
    events.arrayReported(UUID.fromString(array), ArrayState.ONLINE, null);
    String pool = Api.createPool(ACME, array, "fast");
    String volume = Api.createVolume(ACME, pool, "vol", 10);
    events.volumeReported(UUID.fromString(volume), VolumeState.AVAILABLE, null);
    ids = Map.of("array", array, "pool", pool, "volume", volume);
    t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(10, ChronoUnit.MINUTES);
    // two one-minute samples: 6000 then 12000 reads of 4 KiB; p99 2 ms then 9 ms
    history.record(sample(t0, 6000, 1000, 800, 2000, 0L));
    history.record(sample(t0.plusSeconds(60), 12000, 3000, 1200, 9000, 1L << 30));
  }

  static ArrayPerformance sample(Instant end, long reads, long hits, long p50, long p99, long ssd) {
    String array = ids.get("array");
    return new ArrayPerformance(array, "node-1", end.minusSeconds(60), end, List.of(
        new Series(Kind.ARRAY, array, reads, 600, reads * 4096, 600 * 8192, p50, p99, 500L, 700L, hits, 1000L,
            ssd, 5L << 30),
        new Series(Kind.POOL, ids.get("pool"), reads, 600, reads * 4096, 600 * 8192, p50, p99, 500L, 700L, hits,
            1000L, ssd, 5L << 30),
        new Series(Kind.VOLUME, ids.get("volume"), reads, 600, reads * 4096, 600 * 8192, p50, p99, 500L, 700L,
            null, null, null, null)));
  }

  static String range(int minutes) {
    return "from=" + t0.minusSeconds(120) + "&to=" + t0.plusSeconds(60L * minutes);
  }

  @Test
  void aVolumesSamplesComeBackAsRatesAtTheAskedStep() {
    JsonPath one = as(ACME_VIEWER).get("/api/v1/volumes/" + ids.get("volume") + "/performance?" + range(2) + "&step=60")
        .then().statusCode(200).extract().jsonPath();
    assertThat(one.getString("kind")).isEqualTo("volume");
    assertThat(one.getLong("stepSeconds")).isEqualTo(60);
    assertThat(one.getList("points")).hasSize(2);
    assertThat(one.getDouble("points[0].readIops")).isCloseTo(100, within(0.01));
    assertThat(one.getDouble("points[1].readIops")).isCloseTo(200, within(0.01));
    assertThat(one.getDouble("points[0].writeIops")).isCloseTo(10, within(0.01));
    assertThat(one.getDouble("points[0].readMBps")).isCloseTo(6000 * 4096 / 60.0 / 1e6, within(0.001));
    assertThat(one.getDouble("points[1].readLatencyP99Ms")).isCloseTo(9, within(0.001));
    assertThat(one.getDouble("points[0].readLatencyP50Ms")).isCloseTo(0.8, within(0.001));
    assertThat(one.getString("points[0].time")).as("a point is the step its samples ended in").isEqualTo(t0.toString());
    assertThat(one.getObject("points[0].cacheHitRatio", Double.class)).as("a volume has no cache of its own").isNull();

    JsonPath five = as(ACME).get("/api/v1/volumes/" + ids.get("volume") + "/performance?" + range(2) + "&step=5m")
        .then().statusCode(200).extract().jsonPath();
    double merged = five.getList("points.readIops", Float.class).stream().mapToDouble(Float::doubleValue).max().orElseThrow();
    assertThat(five.getLong("stepSeconds")).isEqualTo(300);
    assertThat(five.getList("points")).as("both samples in one or two 5-minute points").hasSizeBetween(1, 2);
    assertThat(merged).isLessThanOrEqualTo(200.0 + 1e-6);
    assertThat(five.getList("points.readLatencyP99Ms", Float.class)).as("p99 merged as the highest").contains(9.0f);
  }

  @Test
  void poolsAndArraysCarryCacheHitRatioAndSpaceByTier() {
    JsonPath pool = as(ACME).get("/api/v1/pools/" + ids.get("pool") + "/performance?" + range(2) + "&step=60")
        .then().statusCode(200).extract().jsonPath();
    assertThat(pool.getDouble("points[0].cacheHitRatio")).isCloseTo(0.5, within(1e-9));
    assertThat(pool.getDouble("points[1].cacheHitRatio")).isCloseTo(0.75, within(1e-9));
    assertThat(pool.getLong("points[1].ssdUsedBytes")).isEqualTo(1L << 30);
    assertThat(pool.getLong("points[1].hddUsedBytes")).isEqualTo(5L << 30);
    as(ACME).get("/api/v1/arrays/" + ids.get("array") + "/performance?" + range(2) + "&step=120")
        .then().statusCode(200).body("kind", equalTo("array")).body("points[0].hddUsedBytes", equalTo(5L << 30));
  }

  @Test
  void aSampleOnTheEventsTopicIsStoredOnceEvenWhenDeliveredTwice() {
    MessageCodec codec = new MessageCodec(Events.all(), Clock.systemUTC());
    Instant end = t0.plusSeconds(180);
    ArrayPerformance sample = sample(end, 30000, 0, 500, 1000, 0L);
    byte[] bytes = codec.encode(codec.envelope(Events.ARRAY_PERFORMANCE, "agent/node-1", 1,
        Events.nodeSubject("node-1"), sample));
    for (int i = 0; i < 2; i++) { // Kafka delivers at least once
      consumer.handle(new ConsumerRecord<>(Topics.EVENTS, 0, i, "node-1", bytes));
    }
    JsonPath p = as(ACME).get("/api/v1/volumes/" + ids.get("volume") + "/performance?from=" + end.minusSeconds(30)
        + "&to=" + end + "&step=60").then().statusCode(200).extract().jsonPath();
    assertThat(p.getList("points")).hasSize(1);
    assertThat(p.getDouble("points[0].readIops")).as("counted once").isCloseTo(500, within(0.01));
  }

  @Test
  void anotherTenantsIdsAre404() {
    for (String kind : List.of("volumes/" + ids.get("volume"), "pools/" + ids.get("pool"), "arrays/" + ids.get("array"))) {
      as(GLOBEX).get("/api/v1/" + kind + "/performance").then().statusCode(404)
          .contentType(startsWith("application/problem+json"));
    }
  }

  @Test
  void badParametersAreProblemsNamingTheParameter() {
    String base = "/api/v1/volumes/" + ids.get("volume") + "/performance";
    Map<String, String> cases = Map.of(
        "from=yesterday", "from",
        "to=2026-13-01T00:00:00Z", "to",
        "from=2026-12-07T10:00:00Z&to=2026-12-07T09:00:00Z", "from",
        "step=10", "step",
        "step=-5m", "step",
        "step=fast", "step",
        "from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&step=60", "step");
    cases.forEach((query, param) -> as(ACME).get(base + "?" + query).then()
        .statusCode(400).contentType(startsWith("application/problem+json"))
        .body("errors[0].field", equalTo(param)));
  }

  @Test
  void withoutParametersTheLastHourAtOneMinute() {
    JsonPath p = as(ACME).get("/api/v1/arrays/" + ids.get("array") + "/performance").then().statusCode(200)
        .extract().jsonPath();
    assertThat(p.getLong("stepSeconds")).isEqualTo(60);
    assertThat(Instant.parse(p.getString("to")).getEpochSecond() - Instant.parse(p.getString("from")).getEpochSecond())
        .isEqualTo(3600);
    assertThat(p.getList("points")).as("the samples of the last hour").hasSizeGreaterThanOrEqualTo(2);
  }
}
