package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.GLOBEX;
import static io.strata.controlplane.rest.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.contracts.event.PoolProgress;
import io.strata.controlplane.alerts.AlertEvaluator;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.outbox.ArrayDesiredState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.provisioning.NodeReports;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issues 18 (point 3) and 19 (point 1): what the engine reports of a pool's rebuild and scrub
 * ({@code ArrayStatus.pools}) reaches {@code GET /api/v1/pools/{id}} ({@code rebuild},
 * {@code lastScrub}) without touching the pool's version; a scrub that found unrepairable blocks
 * raises the {@code scrub-unrepairable} alert until a later scrub finds none; and a drive
 * replacement's operation completes only when the engine has applied it and the rebuild onto the
 * new drive is over. Against the real PostgreSQL; the reports go through {@link NodeReports} as
 * the Kafka consumer hands them over.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class PoolProgressTest {
  @Inject NodeReports reports;
  @Inject AlertEvaluator evaluator;
  @Inject CommandOutbox outbox;

  @BeforeEach
  void nodes() {
    Api.roomyQuota("acme");
    Api.onlineNodes(6, 24, 4, 4);
  }

  static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }

  static String nodeName(String arrayId) {
    return QuarkusTransaction.requiringNew().call(() -> {
      StorageArray a = StorageArray.findById(UUID.fromString(arrayId));
      return Node.<Node>findById(a.nodeId).name;
    });
  }

  void report(String array, long generation, List<ObjectStatus> objects, List<PoolProgress> pools) {
    reports.arrayStatus(new ArrayStatus(array, nodeName(array), generation, ArrayStatus.State.ONLINE, null,
        "127.0.0.1:3260", "iqn.x", 42L, 0, "process", objects, null, null, List.of(), "E01", List.of(), pools));
  }

  static ObjectStatus poolReady(String array, String pool) {
    return new ObjectStatus(array, ObjectStatus.Kind.POOL, pool, ObjectStatus.State.READY, null);
  }

  static PoolProgress.Scrub scrub(String request, String state, long done, long mismatched, long repaired,
      long unrepairable) {
    return new PoolProgress.Scrub(request, state, done, 100, mismatched, repaired, unrepairable, 0,
        Instant.parse("2026-12-07T10:00:00Z"), "DONE".equals(state) ? Instant.parse("2026-12-07T10:30:00Z") : null,
        null);
  }

  static String firingScrubAlert(String array, String pool) {
    List<Map<String, Object>> alerts = as(ACME).queryParam("array", array).queryParam("state", "FIRING")
        .get("/api/v1/alerts").then().statusCode(200).extract().path("items");
    return alerts.stream().filter(a -> "scrub-unrepairable".equals(a.get("condition"))
            && ("pool:" + pool).equals(a.get("objectKey")))
        .map(a -> (String) a.get("summary")).findFirst().orElse(null);
  }

  @Test
  void aPoolsRebuildAndLastScrubAreInItsViewAndUnrepairableBlocksRaiseAnAlertUntilAScrubFindsNone() {
    String array = PoolDriveOwnershipTest.localArray(3, 0);
    String pool = PoolDriveOwnershipTest.createPool(array, "p", "SSD", Map.of())
        .then().statusCode(201).extract().path("id");
    as(ACME).get("/api/v1/pools/" + pool).then().statusCode(200)
        .body("rebuild", nullValue()).body("lastScrub", nullValue());
    String etag = as(ACME).get("/api/v1/pools/" + pool).then().extract().header("ETag");

    report(array, micros(Instant.now()), List.of(poolReady(array, pool)), List.of(new PoolProgress(pool,
        new PoolProgress.Rebuild("REBUILD", 1, "drive-x", 256L << 20, 1024L << 20),
        scrub("s1", "RUNNING", 40, 3, 1, 0))));
    as(ACME).get("/api/v1/pools/" + pool).then().statusCode(200)
        .header("ETag", equalTo(etag)) // reports do not make the pool another version
        .body("rebuild.kind", equalTo("REBUILD")).body("rebuild.member", equalTo(1))
        .body("rebuild.driveId", equalTo("drive-x")).body("rebuild.bytesDone", equalTo(256 << 20))
        .body("rebuild.percent", equalTo(25.0f))
        .body("lastScrub.state", equalTo("RUNNING")).body("lastScrub.percent", equalTo(40.0f))
        .body("lastScrub.mismatchedBlocks", equalTo(3)).body("lastScrub.repairedBlocks", equalTo(1))
        .body("lastScrub.finishedAt", nullValue());
    as(GLOBEX).get("/api/v1/pools/" + pool).then().statusCode(404);
    as(ACME).queryParam("arrayId", array).get("/api/v1/pools").then().statusCode(200)
        .body("items[0].rebuild.kind", equalTo("REBUILD")).body("items[0].lastScrub.state", equalTo("RUNNING"));

    // the rebuild ends; the scrub finishes having found two blocks it could not repair
    report(array, micros(Instant.now()), List.of(poolReady(array, pool)),
        List.of(new PoolProgress(pool, null, scrub("s1", "DONE", 100, 5, 3, 2))));
    as(ACME).get("/api/v1/pools/" + pool).then().statusCode(200)
        .body("rebuild", nullValue())
        .body("lastScrub.state", equalTo("DONE")).body("lastScrub.unrepairableBlocks", equalTo(2))
        .body("lastScrub.finishedAt", equalTo("2026-12-07T10:30:00Z"));
    evaluator.evaluate(Instant.now());
    assertThat(firingScrubAlert(array, pool)).as("the tenant's critical alert")
        .contains("pool p").contains("2 block(s) it could not repair");

    // a status that says nothing of the pool's scrub (an engine from before) keeps the last one
    report(array, micros(Instant.now()), List.of(poolReady(array, pool)), List.of());
    as(ACME).get("/api/v1/pools/" + pool).then().body("lastScrub.unrepairableBlocks", equalTo(2));

    // a later scrub finds nothing wrong: the alert resolves
    report(array, micros(Instant.now()), List.of(poolReady(array, pool)),
        List.of(new PoolProgress(pool, null, scrub("s2", "DONE", 100, 0, 0, 0))));
    evaluator.evaluate(Instant.now());
    assertThat(firingScrubAlert(array, pool)).isNull();
    as(ACME).get("/api/v1/pools/" + pool).then().body("lastScrub.requestId", equalTo("s2"));
  }

  /** An ONLINE array of three SSDs with a RAID1 pool of two, its engine's pool READY. */
  record Served(String array, String pool, ArrayDesiredState desired) {}

  Served served() {
    String array = PoolDriveOwnershipTest.localArray(3, 0);
    String pool = PoolDriveOwnershipTest.createPool(array, "p", "SSD", Map.of())
        .then().statusCode(201).extract().path("id");
    report(array, micros(Instant.now()), List.of(poolReady(array, pool)), List.of());
    return new Served(array, pool, QuarkusTransaction.requiringNew()
        .call(() -> outbox.desiredStateNow(UUID.fromString(array))));
  }

  @Test
  void aDriveReplacementCompletesWhenTheEngineAppliedItAndTheRebuildOntoTheNewDriveIsOver() {
    Served s = served();
    String array = s.array();
    String pool = s.pool();
    ArrayDesiredState before = s.desired();
    String outgoing = PoolDriveReplacementTest.members(before, pool).get(0);
    long beforeReplace = micros(Instant.now()) - 1;

    Response replaced = as(ACME).post("/api/v1/pools/" + pool + "/drives/" + outgoing + "/replace");
    replaced.then().statusCode(200).header("Operation-Location", containsString("/api/v1/operations/"));
    String operation = replaced.header("Operation-Location");
    String incoming = PoolDriveReplacementTest.driveOfType(before, "SSD", true);
    as(ACME).get(operation).then().statusCode(200).body("state", equalTo("PENDING"))
        .body("kind", equalTo("pool.drive.replace")).body("targetId", equalTo(incoming));

    // a status from before the desired state that carries the replacement: the pool READY, no
    // rebuild, and still not done
    report(array, beforeReplace, List.of(poolReady(array, pool)), List.of());
    as(ACME).get(operation).then().body("state", equalTo("PENDING"));
    // the agent has the new desired state, the engine has not applied it yet (pool not READY)
    report(array, micros(Instant.now()), List.of(), List.of());
    as(ACME).get(operation).then().body("state", equalTo("PENDING"));
    // applied: the engine copies the outgoing member onto the new drive
    report(array, micros(Instant.now()), List.of(poolReady(array, pool)), List.of(new PoolProgress(pool,
        new PoolProgress.Rebuild("COPY", 0, incoming, 3L << 20, 12L << 20), null)));
    as(ACME).get(operation).then().body("state", equalTo("PENDING"));
    as(ACME).get("/api/v1/pools/" + pool).then().body("rebuild.kind", equalTo("COPY"))
        .body("rebuild.driveId", equalTo(incoming));
    // the copy is over
    report(array, micros(Instant.now()), List.of(poolReady(array, pool)), List.of());
    as(ACME).get(operation).then().body("state", equalTo("SUCCEEDED"));
    as(ACME).get("/api/v1/pools/" + pool).then().body("rebuild", nullValue());
  }

  @Test
  void aReplacementTheEngineRefusesFailsWithItsReason() {
    Served s = served();
    String array = s.array();
    String pool = s.pool();
    String outgoing = PoolDriveReplacementTest.members(s.desired(), pool).get(1);
    String operation = as(ACME).post("/api/v1/pools/" + pool + "/drives/" + outgoing + "/replace")
        .then().statusCode(200).extract().header("Operation-Location");
    report(array, micros(Instant.now()), List.of(new ObjectStatus(array, ObjectStatus.Kind.POOL, pool,
        ObjectStatus.State.FAILED, "pool p: drive n1 is smaller than the pool's members")), List.of());
    as(ACME).get(operation).then().body("state", equalTo("FAILED"))
        .body("error", containsString("smaller than the pool's members"));
  }
}
