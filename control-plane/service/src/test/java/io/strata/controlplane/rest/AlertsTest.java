package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.ACME_VIEWER;
import static io.strata.controlplane.rest.Api.GLOBEX;
import static io.strata.controlplane.rest.Api.OPS;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.controlplane.alerts.Alert;
import io.strata.controlplane.alerts.AlertEvaluator;
import io.strata.controlplane.alerts.PoolFillReadings;
import io.strata.controlplane.alerts.WebhookDispatcher;
import io.strata.controlplane.alerts.WebhookSignature;
import io.strata.contracts.event.ArrayPerformance;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.performance.PerformanceHistory;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Alerts, thresholds and webhooks against the real PostgreSQL and Keycloak, with a real webhook receiver. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class AlertsTest {
  @Inject ProvisioningEvents events;
  @Inject AlertEvaluator evaluator;
  @Inject WebhookDispatcher dispatcher;
  @Inject PoolFillReadings fill;
  @Inject PerformanceHistory performance;
  @Inject EntityManager em;

  private static final ObjectMapper JSON = new ObjectMapper();

  private static boolean fleetReady;

  @BeforeEach
  void fleet() {
    if (!fleetReady) {
      Api.onlineNodes(8, 32, 6, 4);
      Api.roomyQuota("acme");
      fleetReady = true;
    }
  }

  private String onlineArray() {
    String array = Api.createArray(ACME, unique("alerted"), 2, 0);
    events.arrayReported(UUID.fromString(array), ArrayState.ONLINE, null);
    return array;
  }

  private static List<Map<String, Object>> alertsOf(String user, String array) {
    return as(user).queryParam("array", array).get("/api/v1/alerts").then().statusCode(200).extract().path("items");
  }

  private static Map<String, Object> firing(List<Map<String, Object>> alerts, String condition) {
    return alerts.stream().filter(a -> condition.equals(a.get("condition")) && "FIRING".equals(a.get("state")))
        .findFirst().orElseThrow(() -> new AssertionError("no FIRING " + condition + " in " + alerts));
  }

  /** A time after {@code t}, to the microsecond, and not in the future. */
  private static Instant after(Instant t) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return now.isAfter(t) ? now : t.plus(1, ChronoUnit.MICROS);
  }

  @Test
  void aDegradedArrayWithAFailedDriveRaisesOneAlertPerConditionForItsTenantOnlyAndResolvesWhenItServesAgain() {
    String array = onlineArray();
    UUID id = UUID.fromString(array);
    events.arrayReported(id, ArrayState.DEGRADED, "drive ssd-xyz FAILED: read error at block 12; drive ssd-abc REBUILDING");
    // real times, rising: an evaluation older than the last one is skipped (and the test classes
    // share one database)
    Instant first = Instant.now().truncatedTo(ChronoUnit.MICROS);
    evaluator.evaluate(first);
    evaluator.evaluate(after(first)); // level-triggered: still one alert per condition and object

    List<Map<String, Object>> alerts = alertsOf(ACME, array);
    assertThat(alerts).extracting(a -> a.get("condition"))
        .containsExactlyInAnyOrder("array-degraded", "drive-failed", "rebuild-running");
    Map<String, Object> drive = firing(alerts, "drive-failed");
    assertThat(drive).containsEntry("severity", "critical").containsEntry("arrayId", array)
        .containsEntry("objectKey", "drive:ssd-xyz");
    assertThat((String) drive.get("summary")).contains("read error at block 12");
    assertThat(Instant.parse((String) drive.get("lastSeen"))).isAfter(Instant.parse((String) drive.get("firstSeen")));
    Number driveAlert = (Number) drive.get("id");

    // another tenant neither lists nor reads it
    assertThat(alertsOf(GLOBEX, array)).isEmpty();
    as(GLOBEX).get("/api/v1/alerts/" + driveAlert).then().statusCode(404);
    as(ACME_VIEWER).get("/api/v1/alerts/" + driveAlert).then().statusCode(200).body("condition", equalTo("drive-failed"));
    // operators see it among every tenant's
    as(OPS).queryParam("array", array).queryParam("condition", "drive-failed").get("/api/v1/admin/alerts")
        .then().statusCode(200).body("items.size()", equalTo(1));

    // the drive is replaced and rebuilt: the array serves ONLINE, every alert resolves
    events.arrayReported(id, ArrayState.ONLINE, null);
    Instant resolvedAt = after(Instant.now());
    evaluator.evaluate(resolvedAt);
    List<Map<String, Object>> after = alertsOf(ACME, array);
    assertThat(after).hasSize(3).allSatisfy(a -> assertThat(a).containsEntry("state", "RESOLVED"));
    as(ACME).get("/api/v1/alerts/" + driveAlert).then().statusCode(200)
        .body("resolvedAt", equalTo(resolvedAt.toString()));
  }

  @Test
  void aTenantsWebhookReceivesSignedFiringAndResolvedDeliveriesRetriedWithBackoff() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      Response created = as(ACME).body(Map.of("url", receiver.url())).post("/api/v1/webhooks");
      created.then().statusCode(201);
      String secret = created.path("secret");
      String hook = created.path("id");
      assertThat(secret).hasSizeGreaterThan(40);
      // the secret is shown once: never again, nor in the audit log
      as(ACME).get("/api/v1/webhooks/" + hook).then().statusCode(200).body("secret", nullValue());
      as(GLOBEX).get("/api/v1/webhooks/" + hook).then().statusCode(404);
      Number inAudit = QuarkusTransaction.requiringNew().call(() -> (Number) em.createNativeQuery(
              "select count(*) from audit_entry a where cast(row_to_json(a) as text) like ?1")
          .setParameter(1, "%" + secret + "%").getSingleResult());
      assertThat(inAudit.longValue()).isZero();

      String array = onlineArray();
      events.arrayReported(UUID.fromString(array), ArrayState.FAILED, "engine exited 3 times");
      Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
      evaluator.evaluate(now);
      receiver.answerNext(503);
      dispatcher.dispatchDue(now);
      // refused once: pending again, after the first backoff (5 s), not before
      Map<String, Object> pending = as(ACME).get("/api/v1/webhooks/" + hook + "/deliveries").then().statusCode(200)
          .extract().path("items[0]");
      assertThat(pending).containsEntry("state", "PENDING").containsEntry("attempts", 1).containsEntry("lastStatus", 503)
          .containsEntry("event", "FIRING");
      assertThat(Instant.parse((String) pending.get("nextAttemptAt"))).isAfter(now.plusSeconds(4));
      int before = receiver.received.size();
      dispatcher.dispatchDue(now.plusSeconds(1));
      assertThat(receiver.received).hasSize(before);
      dispatcher.dispatchDue(Instant.now().plusSeconds(6));
      as(ACME).get("/api/v1/webhooks/" + hook + "/deliveries").then().statusCode(200)
          .body("items[0].state", equalTo("DELIVERED")).body("items[0].attempts", equalTo(2));

      events.arrayReported(UUID.fromString(array), ArrayState.ONLINE, null);
      Instant resolvedAt = after(Instant.now());
      evaluator.evaluate(resolvedAt);
      dispatcher.dispatchDue(resolvedAt);

      List<JsonNode> mine = receiver.received.stream().map(r -> {
        // every body is signed with the webhook's secret
        assertThat(r.header(WebhookSignature.HEADER)).isEqualTo(WebhookSignature.of(secret, r.body()));
        try {
          return JSON.readTree(r.body());
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }).filter(n -> n.path("alert").path("arrayId").asText().equals(array)).toList();
      assertThat(mine).extracting(n -> n.path("event").asText() + " " + n.path("alert").path("condition").asText())
          .containsExactly("FIRING array-failed", "FIRING array-failed", "RESOLVED array-failed");
      as(ACME).delete("/api/v1/webhooks/" + hook).then().statusCode(204);
    }
  }

  /**
   * Two replicas (docs/replicas.md U2). "Replica A" claims the due deliveries and hangs on the
   * first POST; "replica B" runs after A's lease ran out. The delivery A had not reached is sent
   * once, by B, and counted once: A claims a delivery only just before it sends it, and records an
   * outcome only under its own claim. Before, A claimed both at once and sent the second after
   * B had sent it too (attempts 2).
   */
  @Test
  void aDeliveryIsSentOnceWhenASecondReplicaTakesOverAfterTheLease() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      String hook = as(ACME).body(Map.of("url", receiver.url())).post("/api/v1/webhooks").then().statusCode(201)
          .extract().path("id");
      String array = onlineArray();
      events.arrayReported(UUID.fromString(array), ArrayState.FAILED, "engine exited 3 times");
      Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
      evaluator.evaluate(now);
      List<Long> queued = QuarkusTransaction.requiringNew().call(() -> {
        io.strata.controlplane.alerts.WebhookDelivery first = io.strata.controlplane.alerts.WebhookDelivery
            .<io.strata.controlplane.alerts.WebhookDelivery>find("webhookId", UUID.fromString(hook)).firstResult();
        io.strata.controlplane.alerts.WebhookDelivery second = new io.strata.controlplane.alerts.WebhookDelivery();
        second.webhookId = first.webhookId;
        second.tenantId = first.tenantId;
        second.alertId = first.alertId;
        second.event = first.event;
        second.body = first.body;
        second.state = first.state;
        second.nextAttemptAt = first.nextAttemptAt;
        second.createdAt = first.createdAt;
        second.persist();
        return List.of(first.id, second.id);
      });

      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      receiver.holdFirst(release);
      var replicaA = java.util.concurrent.CompletableFuture.runAsync(() -> dispatcher.dispatchDue(now));
      assertThat(receiver.heldArrived.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      long held = Long.parseLong(receiver.received.get(0).header("X-Strata-Delivery"));
      long other = queued.get(0) == held ? queued.get(1) : queued.get(0);
      dispatcher.dispatchDue(now.plusSeconds(61)); // replica B, after A's 60 s lease
      release.countDown();
      replicaA.get(60, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(receiver.received).filteredOn(r -> Long.toString(other).equals(r.header("X-Strata-Delivery")))
          .as("the delivery A had not reached").hasSize(1);
      var after = QuarkusTransaction.requiringNew().call(() ->
          io.strata.controlplane.alerts.WebhookDelivery.<io.strata.controlplane.alerts.WebhookDelivery>findById(other));
      assertThat(after.state).isEqualTo("DELIVERED");
      assertThat(after.attempts).isEqualTo(1);
      as(ACME).delete("/api/v1/webhooks/" + hook).then().statusCode(204);
    }
  }

  @Inject io.strata.controlplane.alerts.Thresholds thresholds;

  /**
   * Two replicas evaluate one after the other (docs/replicas.md N2), the second with a "now" read
   * before it waited: older than the first's. It must not undo what the newer round found. Before,
   * the stale round resolved the outbox alert that the first had opened (and queued RESOLVED
   * deliveries; the next round opened it again).
   */
  @Test
  void aStaleRoundOfASecondReplicaDoesNotResolveWhatANewerRoundFound() {
    Instant t = Instant.now().truncatedTo(ChronoUnit.MICROS);
    long limit = QuarkusTransaction.requiringNew().call(() ->
        (long) thresholds.value(io.strata.controlplane.alerts.Thresholds.OUTBOX_AGE));
    UUID row = UUID.randomUUID();
    QuarkusTransaction.requiringNew().run(() -> {
      var m = new io.strata.controlplane.domain.OutboxMessage();
      m.id = row;
      m.type = io.strata.controlplane.outbox.CommandOutbox.TYPE_ARRAY_CHANGED;
      m.specVersion = 1;
      m.source = "test";
      m.subject = "array/" + UUID.randomUUID();
      m.nodeId = io.strata.controlplane.domain.Node.<io.strata.controlplane.domain.Node>findAll().firstResult().id;
      m.payload = "{}";
      m.createdAt = t.minusSeconds(limit + 60);
      m.persist();
    });
    try {
      evaluator.evaluate(t);
      Alert stuck = QuarkusTransaction.requiringNew().call(() ->
          Alert.<Alert>find("condition = ?1 and state = ?2", "outbox-stuck", Alert.FIRING).firstResult());
      assertThat(stuck).as("the newer round found the outbox stuck").isNotNull();
      Instant oldest = QuarkusTransaction.requiringNew().call(() -> em.createQuery(
          "select min(o.createdAt) from OutboxMessage o where o.publishedAt is null", Instant.class).getSingleResult());

      // the second replica's round: a time at which no unpublished row was older than the limit
      AlertEvaluator.Changes stale = evaluator.evaluate(oldest.plusSeconds(limit - 1));

      assertThat(stale.resolved()).isEmpty();
      assertThat(QuarkusTransaction.requiringNew().call(() -> Alert.<Alert>findById(stuck.id).state))
          .isEqualTo(Alert.FIRING);
      assertThat(QuarkusTransaction.requiringNew().call(() -> io.strata.controlplane.alerts.WebhookDelivery.count(
          "alertId = ?1 and event = ?2", stuck.id, Alert.RESOLVED))).isZero();
    } finally {
      QuarkusTransaction.requiringNew().run(() -> io.strata.controlplane.domain.OutboxMessage.update(
          "publishedAt = ?1 where id = ?2", Instant.now(), row));
    }
  }

  @Test
  void operatorsChangeThresholdsAndPoolFillAlertsFollowThem() {
    String array = onlineArray();
    Instant sampled = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    fill.record(new ArrayUsageSample(array, "acme", "node-1", sampled.minusSeconds(60), sampled, List.of(), "E01",
        List.of(new ArrayUsageSample.TierCapacity(ArrayUsageSample.DriveType.SSD, 1000, 900, 2000)), 0, 0, 0, 0, 0, 0));
    evaluator.evaluate(Instant.now());
    assertThat(firing(alertsOf(ACME, array), "pool-almost-full")).containsEntry("severity", "warning");

    try {
      as(OPS).body(Map.of("value", 0.9)).put("/api/v1/admin/alert-thresholds/pool-full-critical-ratio")
          .then().statusCode(200).body("value", equalTo(0.9f)).body("updatedBy", equalTo("ops"));
      evaluator.evaluate(Instant.now());
      List<Map<String, Object>> alerts = alertsOf(ACME, array);
      assertThat(firing(alerts, "pool-full")).containsEntry("severity", "critical");
      assertThat(alerts).filteredOn(a -> "pool-almost-full".equals(a.get("condition")))
          .singleElement().satisfies(a -> assertThat(a).containsEntry("state", "RESOLVED"));
    } finally {
      as(OPS).body(Map.of("value", 0.95)).put("/api/v1/admin/alert-thresholds/pool-full-critical-ratio")
          .then().statusCode(200);
      // space freed: the pool's alerts resolve (and stay out of the other tests' webhooks)
      fill.record(new ArrayUsageSample(array, "acme", "node-1", sampled, sampled.plusSeconds(60), List.of(), "E01",
          List.of(new ArrayUsageSample.TierCapacity(ArrayUsageSample.DriveType.SSD, 1000, 100, 2000)), 0, 0, 0, 0, 0, 0));
      evaluator.evaluate(Instant.now());
    }
    assertThat(alertsOf(ACME, array)).allSatisfy(a -> assertThat(a).containsEntry("state", "RESOLVED"));

    // bad values are 400 naming the field; unknown thresholds 404; tenants may not
    as(OPS).body(Map.of("value", 1.5)).put("/api/v1/admin/alert-thresholds/pool-full-warning-ratio")
        .then().statusCode(400).body("errors[0].field", equalTo("value"));
    as(OPS).body(Map.of("value", 0.99)).put("/api/v1/admin/alert-thresholds/pool-full-warning-ratio")
        .then().statusCode(400).body("errors[0].field", equalTo("value"));
    as(OPS).body(Map.of("value", 1)).put("/api/v1/admin/alert-thresholds/no-such").then().statusCode(404);
    as(ACME).body(Map.of("value", 0.5)).put("/api/v1/admin/alert-thresholds/pool-full-warning-ratio")
        .then().statusCode(403);
    as(OPS).get("/api/v1/admin/alert-thresholds").then().statusCode(200).body("size()", equalTo(4));
    // filters are checked
    as(ACME).queryParam("state", "SLEEPING").get("/api/v1/alerts").then().statusCode(400)
        .body("errors[0].field", equalTo("state"));
  }

  /**
   * Fill is per pool: one pool 90 % full beside an empty one of the same tier raises that pool's
   * alert, although the tier's two pools together (the usage sample's figure) are 45 % full.
   */
  @Test
  void onePoolFullBesideAnEmptyOneOfTheSameTierRaisesItsOwnAlert() {
    String array = Api.createArray(ACME, unique("two-pools"), 4, 0);
    events.arrayReported(UUID.fromString(array), ArrayState.ONLINE, null);
    String full = Api.createPool(ACME, array, "full");
    String empty = Api.createPool(ACME, array, "empty");
    long capacity = as(ACME).get("/api/v1/pools/" + full).then().statusCode(200).extract().<Integer>path("capacityGib")
        .longValue() << 30;
    Instant sampled = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long ninetyPercent = capacity / 10 * 9;
    fill.record(new ArrayUsageSample(array, "acme", "node-1", sampled.minusSeconds(60), sampled, List.of(), "E01",
        List.of(new ArrayUsageSample.TierCapacity(ArrayUsageSample.DriveType.SSD, 2 * capacity, ninetyPercent, 0)),
        0, 0, 0, 0, 0, 0));
    performance.record(new ArrayPerformance(array, "node-1", sampled.minusSeconds(60), sampled,
        List.of(poolSeries(full, ninetyPercent), poolSeries(empty, 0))));
    evaluator.evaluate(Instant.now());

    List<Map<String, Object>> alerts = alertsOf(ACME, array);
    Map<String, Object> alert = firing(alerts, "pool-almost-full");
    assertThat(alert).containsEntry("objectKey", "pool:" + full).containsEntry("objectType", "pool");
    assertThat((String) alert.get("summary")).contains("pool full is 90.0% full");
    // one alert: the tier's sum raises none beside it, the empty pool none
    assertThat(alerts).filteredOn(a -> a.get("condition").toString().startsWith("pool-")).hasSize(1);

    // space freed in that pool: its alert resolves
    performance.record(new ArrayPerformance(array, "node-1", sampled, sampled.plusSeconds(60),
        List.of(poolSeries(full, capacity / 10), poolSeries(empty, 0))));
    evaluator.evaluate(Instant.now());
    assertThat(alertsOf(ACME, array)).allSatisfy(a -> assertThat(a).containsEntry("state", "RESOLVED"));
  }

  private static ArrayPerformance.Series poolSeries(String pool, long ssdUsedBytes) {
    return new ArrayPerformance.Series(ArrayPerformance.Kind.POOL, pool, 0, 0, 0, 0, null, null, null, null, null,
        null, ssdUsedBytes, 0L);
  }

  @Test
  void anOfflineNodeIsTheOperatorsAlertNotATenants() {
    String node = Api.onlineNode("zone-9", "127.0.0.99", 4, 16, 1, 0);
    Response n = as(OPS).get("/api/v1/admin/nodes/" + node);
    as(OPS).header("If-Match", n.header("ETag")).body(Map.of("state", "OFFLINE")).patch("/api/v1/admin/nodes/" + node)
        .then().statusCode(200);
    evaluator.evaluate(Instant.now());
    List<Map<String, Object>> ops = as(OPS).queryParam("condition", "node-offline").queryParam("state", "FIRING")
        .get("/api/v1/admin/alerts").then().statusCode(200).extract().path("items");
    assertThat(ops).anySatisfy(a -> assertThat(a).containsEntry("nodeId", node).containsEntry("tenantId", null));
    List<String> acmeSees = as(ACME).queryParam("condition", "node-offline").get("/api/v1/alerts")
        .then().statusCode(200).extract().path("items.nodeId");
    assertThat(acmeSees).doesNotContain(node);
    // one open alert per condition and object, in the database itself
    long open = QuarkusTransaction.requiringNew().call(() -> Alert.count("condition = ?1 and objectKey = ?2 and state = ?3",
        "node-offline", "node:" + node, Alert.FIRING));
    assertThat(open).isEqualTo(1);
  }
}
