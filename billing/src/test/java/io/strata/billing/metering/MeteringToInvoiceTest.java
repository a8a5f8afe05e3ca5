package io.strata.billing.metering;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.strata.billing.config.MeteringConfig;
import io.strata.billing.service.MeteringQueries;
import io.strata.billing.support.Await;
import io.strata.billing.support.BillingTestProfile;
import io.strata.billing.support.UsageStream;
import io.strata.contracts.Topics;
import io.strata.contracts.lifecycle.ResourceLifecycleEvent;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import io.strata.testsupport.Tokens;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * A known stream of usage, with duplicates, reordering, a sample later than the grace period, an
 * unreadable message, and a consumer restart whose Kafka commit was lost, becomes invoices whose
 * every line is checked to the cent (the expected figures are worked out by hand below).
 *
 * <p>Plan "standard" (EUR): until 2026-10-01 SSD 0.0001875/GB-hour, HDD 0.00005/GB-hour,
 * engine small 0.05/hour, 0.215 per million I/Os, 0.01/GB transferred; from 2026-10-01 the
 * engine costs 0.06/hour. Array a-1 holds 1000 GB SSD and 2000 GB HDD, runs a small engine and
 * does 750 000 I/Os moving 2 GB every hour.
 */
@QuarkusTest
@TestProfile(BillingTestProfile.class)
class MeteringToInvoiceTest {

  static final Instant SEP_30_18H = Instant.parse("2026-09-30T18:00:00Z");
  static final long GB = 1_000_000_000L;

  @Inject MeteringConsumer consumer;
  @Inject MeteringQueries queries;
  @Inject MeteringConfig config;

  static ArrayUsageSample a1Hour(Instant start) {
    return new ArrayUsageSample("a-1", "acme", "node-1", start, start.plus(Duration.ofHours(1)),
        List.of(new DriveAllocation(DriveType.SSD, 2, 1000 * GB), new DriveAllocation(DriveType.HDD, 2, 2000 * GB)),
        "small", List.of(), 100 * GB, 0, 500_000, 250_000, 1_500_000_000L, 500_000_000L);
  }

  static ArrayUsageSample a2Hour(Instant start) {
    return new ArrayUsageSample("a-2", "acme", "node-2", start, start.plus(Duration.ofHours(1)),
        List.of(new DriveAllocation(DriveType.SSD, 1, 500 * GB)), "small", List.of(), 0, 0, 0, 0, 0, 0);
  }

  static Instant hour(int n) {
    return SEP_30_18H.plus(Duration.ofHours(n));
  }

  /** Readings other test classes of this shared service stored before this test started. */
  private Map<String, Long> baseline = Map.of();

  /** The readings this test stored, by status. */
  private Map<String, Long> ownCounts() {
    Map<String, Long> counts = new HashMap<>(queries.readingCounts());
    baseline.forEach((status, n) -> counts.merge(status, -n, Long::sum));
    counts.values().removeIf(n -> n == 0);
    return counts;
  }

  @Test
  void aStreamWithDuplicatesReorderingLatenessAndARestartIsInvoicedToTheCent() throws Exception {
    baseline = Map.copyOf(queries.readingCounts());
    String ops = Tokens.accessToken("ops");
    createPlan(ops);

    try (UsageStream stream = new UsageStream()) {
      // ---- part 1: six September hours (seq 1..6), a retried duplicate, a lifecycle event twice,
      //      an unreadable sample and a message of another service on strata.events
      stream.lifecycle(1, new ResourceLifecycleEvent(ResourceLifecycleEvent.Resource.ARRAY,
          ResourceLifecycleEvent.Change.CREATED, "acme", "a-1", null, "small", null, hour(0)));
      for (int seq = 1; seq <= 6; seq++) {
        stream.sample("agent/node-1", seq, a1Hour(hour(seq - 1)));
        if (seq == 3) {
          stream.sample("agent/node-1", 3, a1Hour(hour(2))); // the agent retried: same sequence, new envelope id
        }
      }
      stream.lifecycle(1, new ResourceLifecycleEvent(ResourceLifecycleEvent.Resource.ARRAY,
          ResourceLifecycleEvent.Change.CREATED, "acme", "a-1", null, "small", null, hour(0)));
      stream.raw(Topics.USAGE, "a-1", "{\"type\":\"io.strata.usage.array-sample\", garbage");
      stream.raw(Topics.EVENTS, "node-1", "{\"specversion\":\"1.0\",\"id\":\"h1\",\"type\":\"io.strata.event.heartbeat\","
          + "\"dataversion\":1,\"source\":\"agent/node-1\",\"sequence\":99,\"time\":\"2026-11-25T00:00:00Z\",\"data\":{}}");
      Await.until("part 1 stored", this::ownCounts, c -> c.getOrDefault("ACCEPTED", 0L) == 7, Duration.ofSeconds(60));
      Await.until("the unreadable sample parked", () -> queries.parked(10), p -> p.size() == 1, Duration.ofSeconds(30));

      // ---- the consumer goes away, and Kafka forgets its commits (as if it died before the
      //      asynchronous commit): only the offsets stored in PostgreSQL remember where it was
      consumer.stop();
      rewindKafkaCommits();

      // ---- part 2, published while nobody consumes: six October hours (seq 7..12) with 8 before 7,
      //      a duplicate of 9, and seq 13: a sample from 2026-09-29, far beyond the 6 h grace
      stream.sample("agent/node-1", 8, a1Hour(hour(7)));
      stream.sample("agent/node-1", 7, a1Hour(hour(6)));
      for (int seq = 9; seq <= 12; seq++) {
        stream.sample("agent/node-1", seq, a1Hour(hour(seq - 1)));
      }
      stream.sample("agent/node-1", 9, a1Hour(hour(8)));
      stream.sample("agent/node-1", 13, a1Hour(Instant.parse("2026-09-29T10:00:00Z")));
      stream.sample("agent/node-1", 5, a1Hour(hour(4))); // an old duplicate, replayed again

      consumer.start();
      Map<String, Long> counts = Await.until("part 2 stored", this::ownCounts,
          c -> c.getOrDefault("ACCEPTED", 0L) == 13 && c.getOrDefault("LATE", 0L) == 1, Duration.ofSeconds(60));
      assertThat(counts).containsEntry("ACCEPTED", 13L).containsEntry("LATE", 1L);
    }
    Thread.sleep(1_000); // nothing else may trickle in: a restart neither loses nor repeats
    assertThat(ownCounts()).containsEntry("ACCEPTED", 13L).containsEntry("LATE", 1L);
    List<MeteringQueries.LateReading> late = queries.lateReadings(10);
    assertThat(late).singleElement().satisfies(r -> assertThat(r.sequence()).isEqualTo(13));

    // ---- close September: 6 hours at the first version's rates
    JsonPath september = close(ops, "2026-09", 201);
    assertLines(september,
        "engine:small 6.000000 0.05 0.30",
        "io 4.500000 0.215 0.97",            // 0.9675
        "storage:HDD 12000.000000 0.00005 0.60",
        "storage:SSD 6000.000000 0.0001875 1.12", // 1.125, half even
        "transfer 12.000000 0.01 0.12");
    assertThat(september.getString("total")).isEqualTo("3.11");
    assertThat(september.getString("currency")).isEqualTo("EUR");

    // ---- closing twice is harmless: the same frozen invoice
    JsonPath again = close(ops, "2026-09", 200);
    assertThat(again.getLong("id")).isEqualTo(september.getLong("id"));
    assertThat(again.getString("total")).isEqualTo("3.11");

    // ---- after the close: array a-2's first sample, for September's last hour, and the operator
    //      admits the late reading; both must reach the next invoice as adjustments
    try (UsageStream stream = new UsageStream()) {
      stream.sample("agent/node-2", 1, a2Hour(hour(5)));
    }
    Await.until("a-2 stored", this::ownCounts, c -> c.getOrDefault("ACCEPTED", 0L) == 14, Duration.ofSeconds(60));
    given().auth().oauth2(ops).post("/api/v1/metering/late-readings/" + late.get(0).id() + "/admit").then().statusCode(204);
    given().auth().oauth2(ops).post("/api/v1/metering/late-readings/" + late.get(0).id() + "/admit").then().statusCode(409)
        .contentType("application/problem+json");

    JsonPath october = close(ops, "2026-10", 201);
    assertLines(october,
        "engine:small 6.000000 0.06 0.36",
        "io 4.500000 0.215 0.97",
        "storage:HDD 12000.000000 0.00005 0.60",
        "storage:SSD 6000.000000 0.0001875 1.12",
        "transfer 12.000000 0.01 0.12",
        // adjustments: usage of September that arrived after September was closed
        "engine:small 1.000000 0.05 0.05",
        "io 0.750000 0.215 0.16",            // 0.16125
        "storage:HDD 2000.000000 0.00005 0.10",
        "storage:SSD 1000.000000 0.0001875 0.19", // 0.1875, half even
        "transfer 2.000000 0.01 0.02",
        "engine:small 1.000000 0.05 0.05",   // a-2
        "storage:SSD 500.000000 0.0001875 0.09"); // 0.09375
    assertThat(october.getList("lines.adjustment", Boolean.class))
        .containsExactly(false, false, false, false, false, true, true, true, true, true, true, true);
    assertThat(october.getList("lines.arrayId", String.class).subList(10, 12)).containsOnly("a-2");
    assertThat(october.getString("lines[5].usagePeriod")).isEqualTo("2026-09");
    assertThat(october.getString("total")).isEqualTo("3.83");

    // ---- the tenant sees its invoices and exports them; the CSV adds up to the same total
    String acme = Tokens.accessToken("acme-admin");
    given().auth().oauth2(acme).get("/api/v1/invoices").then().statusCode(200)
        .body("period", org.hamcrest.Matchers.hasItems("2026-09", "2026-10"));
    String csv = given().auth().oauth2(acme).get("/api/v1/invoices/" + october.getLong("id") + "/export?format=csv")
        .then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/csv")).extract().asString();
    String[] rows = csv.split("\r\n");
    assertThat(rows).hasSize(14);
    assertThat(rows[6]).contains("\"Adjustment: Array engine small, late usage of 2026-09\"");
    java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
    for (int i = 1; i < rows.length - 1; i++) {
      String[] fields = rows[i].split(","); // descriptions may hold a quoted comma: count from the end
      sum = sum.add(new java.math.BigDecimal(fields[fields.length - 2]));
    }
    assertThat(sum).isEqualByComparingTo("3.83");
    assertThat(rows[rows.length - 1]).contains(",Total,").contains(",3.83,EUR");
    given().auth().oauth2(acme).get("/api/v1/invoices/" + october.getLong("id") + "/export?format=json")
        .then().statusCode(200).body("total", org.hamcrest.Matchers.equalTo(3.83f)).body("lines.size()", org.hamcrest.Matchers.is(12));

    // ---- the operator exports the whole month for accounting; tenants may not
    String monthCsv = given().auth().oauth2(ops).get("/api/v1/periods/2026-10/invoices/export?format=csv")
        .then().statusCode(200).extract().asString();
    assertThat(monthCsv).startsWith(io.strata.billing.invoice.InvoiceCsv.HEADER).contains(",Total,,,,,3.83,EUR");
    given().auth().oauth2(acme).get("/api/v1/periods/2026-10/invoices/export").then().statusCode(403);

    // ---- running cost of the open month: one November hour of a-1
    try (UsageStream stream = new UsageStream()) {
      stream.sample("agent/node-1", 14, a1Hour(Instant.parse("2026-11-02T00:00:00Z")));
    }
    Await.until("november stored", this::ownCounts, c -> c.getOrDefault("ACCEPTED", 0L) == 15, Duration.ofSeconds(60));
    given().auth().oauth2(acme).get("/api/v1/cost").then().statusCode(200)
        .body("status", org.hamcrest.Matchers.equalTo("RUNNING"))
        .body("tenantId", org.hamcrest.Matchers.equalTo("acme"))
        .body("total", org.hamcrest.Matchers.equalTo(0.53f)); // 0.06 + 0.16 + 0.10 + 0.19 + 0.02
    given().auth().oauth2(acme).get("/api/v1/usage?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z").then().statusCode(200)
        .body("size()", org.hamcrest.Matchers.is(5));
  }

  private void createPlan(String ops) {
    String body = """
        {"name":"standard","currency":"EUR","isDefault":true,"effectiveFrom":"2026-01-01T00:00:00Z",
         "rates":{"storage:SSD":"0.0001875","storage:HDD":"0.00005","engine:small":"0.05","io":"0.215","transfer":"0.01"}}""";
    long id = given().auth().oauth2(ops).contentType(ContentType.JSON).body(body).post("/api/v1/plans")
        .then().statusCode(201).extract().jsonPath().getLong("id");
    String version = """
        {"effectiveFrom":"2026-10-01T00:00:00Z",
         "rates":{"storage:SSD":"0.0001875","storage:HDD":"0.00005","engine:small":"0.06","io":"0.215","transfer":"0.01"}}""";
    given().auth().oauth2(ops).contentType(ContentType.JSON).body(version).post("/api/v1/plans/" + id + "/versions")
        .then().statusCode(201);
  }

  private static JsonPath close(String token, String period, int expectedStatus) {
    return given().auth().oauth2(token).post("/api/v1/periods/" + period + "/tenants/acme/close")
        .then().statusCode(expectedStatus).extract().jsonPath()
        .using(new io.restassured.path.json.config.JsonPathConfig(io.restassured.path.json.config.JsonPathConfig.NumberReturnType.BIG_DECIMAL));
  }

  /** Each expected line is "resource quantity rate amount", in invoice order. */
  private static void assertLines(JsonPath invoice, String... expected) {
    List<Map<String, Object>> lines = invoice.getList("lines");
    List<String> actual = lines.stream()
        .map(l -> l.get("resource") + " " + plain(l.get("quantity")) + " " + plain(l.get("rate")) + " " + plain(l.get("amount")))
        .toList();
    assertThat(actual).containsExactly(expected);
  }

  private static String plain(Object number) {
    return new java.math.BigDecimal(number.toString()).toPlainString();
  }

  private void rewindKafkaCommits() throws Exception {
    Properties properties = new Properties();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    try (Admin admin = Admin.create(properties)) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(config.groupId()).partitionsToOffsetAndMetadata().get();
      assertThat(committed).as("the consumer had committed to Kafka too").isNotEmpty();
      Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
      committed.keySet().forEach(p -> zero.put(p, new OffsetAndMetadata(0)));
      Await.until("the group to be empty", () -> {
        try {
          admin.alterConsumerGroupOffsets(config.groupId(), zero).all().get();
          return true;
        } catch (Exception stillMember) {
          return false;
        }
      }, ok -> ok, Duration.ofSeconds(30));
    }
  }
}
