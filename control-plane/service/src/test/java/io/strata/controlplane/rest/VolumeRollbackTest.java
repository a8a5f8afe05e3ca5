package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.AuditEntry;
import io.strata.controlplane.domain.OutboxMessage;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.provisioning.NodeReports;
import io.strata.controlplane.provisioning.Watchdog;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Snapshot rollback through the API: the rules (409 naming the reason), the Operation, the
 * desired state that carries the request, and the node's report that completes it; clones carry
 * the snapshot they are made from.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class VolumeRollbackTest {
  @Inject ProvisioningEvents events;
  @Inject NodeReports reports;
  @Inject Watchdog watchdog;
  @Inject ObjectMapper json;
  @Inject io.strata.controlplane.outbox.CommandOutbox outbox;

  private static boolean nodesEnrolled;

  @BeforeEach
  void nodes() {
    if (!nodesEnrolled) {
      Api.roomyQuota("acme");
      Api.onlineNodes(8, 32, 8, 0);
      nodesEnrolled = true;
    }
  }

  /** An ONLINE array with one pool; returns {array, pool}. */
  private String[] arrayWithPool() {
    String array = Api.createArray(ACME, unique("rb"), 2, 0);
    events.arrayReported(UUID.fromString(array), ArrayState.ONLINE, null);
    return new String[] {array, Api.createPool(ACME, array, "p")};
  }

  private String availableVolume(String pool, String name) {
    String v = Api.createVolume(ACME, pool, name, 10);
    events.volumeReported(UUID.fromString(v), VolumeState.AVAILABLE, null);
    return v;
  }

  private String availableSnapshot(String volume, String name) {
    String s = as(ACME).body(Map.of("volumeId", volume, "name", name)).post("/api/v1/snapshots")
        .then().statusCode(201).extract().path("id");
    events.snapshotReported(UUID.fromString(s), SnapshotState.AVAILABLE, null);
    return s;
  }

  private Response rollback(String volume, Map<String, Object> body) {
    return as(ACME).body(body).post("/api/v1/volumes/" + volume + "/rollback");
  }

  /**
   * The volume as the desired state of its array says it: what the relay publishes for the
   * array's newest outbox row (which must exist, unpublished: provisioning is off in this profile).
   */
  private JsonNode desiredVolume(String array, String volume) throws Exception {
    OutboxMessage last = QuarkusTransaction.requiringNew().call(() ->
        OutboxMessage.<OutboxMessage>find("subject = ?1 order by createdAt desc", "array/" + array).firstResult());
    assertThat(last.publishedAt).isNull();
    JsonNode state = json.valueToTree(QuarkusTransaction.requiringNew().call(() -> outbox.desiredStateNow(UUID.fromString(array))));
    for (JsonNode v : state.get("volumes")) {
      if (v.get("id") != null ? v.get("id").asText().equals(volume) : v.get("volumeId").asText().equals(volume)) {
        return v;
      }
    }
    throw new AssertionError("volume " + volume + " not in the desired state of " + array);
  }

  private ArrayStatus status(String array, long generation, String volume, ObjectStatus.State state, String reason) {
    return status(array, generation, new ObjectStatus(array, ObjectStatus.Kind.VOLUME, volume, state, reason));
  }

  private ArrayStatus status(String array, long generation, ObjectStatus... objects) {
    return new ArrayStatus(array, engineNodeOf(array), generation, ArrayStatus.State.ONLINE, null, null, null, null, 0,
        null, List.of(objects));
  }

  /** The name of the node running the array's engine: only that node's reports move the array. */
  private static String engineNodeOf(String array) {
    return QuarkusTransaction.requiringNew().call(() -> io.strata.controlplane.domain.Node
        .<io.strata.controlplane.domain.Node>findById(io.strata.controlplane.domain.StorageArray
            .<io.strata.controlplane.domain.StorageArray>findById(UUID.fromString(array)).nodeId).name);
  }

  /** The volume READY, and the agent's verdict on rollback request {@code op}. */
  private ArrayStatus rolledBack(String array, String volume, String op, ObjectStatus.State state, String reason) {
    return status(array, micros(Instant.now()),
        new ObjectStatus(array, ObjectStatus.Kind.VOLUME, volume, ObjectStatus.State.READY, null),
        new ObjectStatus(array, ObjectStatus.Kind.ROLLBACK, op, state, reason));
  }

  private static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }

  @Test
  void aRollbackIsAnOperationThatCompletesWhenTheNodeReportsItApplied() throws Exception {
    String[] ap = arrayWithPool();
    String volume = availableVolume(ap[1], "data");
    String snapshot = availableSnapshot(volume, "before");
    Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);

    String key = UUID.randomUUID().toString();
    Response accepted = as(ACME).header("Idempotency-Key", key).body(Map.of("snapshotId", snapshot))
        .post("/api/v1/volumes/" + volume + "/rollback");
    accepted.then().statusCode(202).body("kind", equalTo("volume.rollback")).body("state", equalTo("PENDING"))
        .body("targetId", equalTo(volume));
    String op = accepted.path("id");
    assertThat(accepted.header("Location")).endsWith("/api/v1/operations/" + op);
    assertThat(accepted.header("Operation-Location")).endsWith("/api/v1/operations/" + op);
    // a retry with the same key is the first answer, not a second rollback
    as(ACME).header("Idempotency-Key", key).body(Map.of("snapshotId", snapshot))
        .post("/api/v1/volumes/" + volume + "/rollback")
        .then().statusCode(202).header("Idempotent-Replayed", "true").body("id", equalTo(op));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("ROLLING_BACK"));

    // the desired state carries the request: its id is the operation's
    JsonNode desired = desiredVolume(ap[0], volume);
    assertThat(desired.get("rollbackRequestId").asText()).isEqualTo(op);
    assertThat(desired.get("rollbackSnapshotId").asText()).isEqualTo(snapshot);

    // while it runs: no second rollback, no delete of its snapshot, no new snapshot
    rollback(volume, Map.of("snapshotId", snapshot)).then().statusCode(409)
        .body("reason", equalTo("volume-not-available"));
    as(ACME).delete("/api/v1/snapshots/" + snapshot).then().statusCode(409)
        .body("type", equalTo("https://strata.io/problems/rollback-in-progress"));

    // a READY volume alone does not complete it, even at a generation that carries the request:
    // the agent reports the rollback itself once the engine applied it
    reports.arrayStatus(status(ap[0], micros(before) - 1, volume, ObjectStatus.State.READY, null));
    reports.arrayStatus(status(ap[0], micros(Instant.now()), volume, ObjectStatus.State.READY, null));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("ROLLING_BACK"));
    as(ACME).get("/api/v1/operations/" + op).then().body("state", equalTo("PENDING"));
    // nor does another request's report
    reports.arrayStatus(rolledBack(ap[0], volume, UUID.randomUUID().toString(), ObjectStatus.State.READY, null));
    as(ACME).get("/api/v1/operations/" + op).then().body("state", equalTo("PENDING"));

    // the node applied it
    reports.arrayStatus(rolledBack(ap[0], volume, op, ObjectStatus.State.READY, null));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("AVAILABLE"));
    as(ACME).get("/api/v1/operations/" + op).then().body("state", equalTo("SUCCEEDED"));

    // later desired states still carry the last request (level-triggered; applied once per id)
    as(ACME).body(Map.of("volumeId", volume, "name", "after")).post("/api/v1/snapshots").then().statusCode(201);
    assertThat(desiredVolume(ap[0], volume).get("rollbackRequestId").asText()).isEqualTo(op);

    long audited = QuarkusTransaction.requiringNew().call(() ->
        AuditEntry.count("action = ?1 and targetId = ?2 and result = ?3 and marks not like ?4", "volume.rollback",
            UUID.fromString(volume), AuditEntry.RESULT_SUCCEEDED, "%replayed%"));
    assertThat(audited).as("the rollback, not its replay nor the refused second one").isEqualTo(1);
    assertThat(QuarkusTransaction.requiringNew().call(() -> AuditEntry.count(
        "action = ?1 and targetId = ?2 and marks like ?3", "volume.rollback", UUID.fromString(volume), "%replayed%")))
        .as("the replay, marked").isEqualTo(1);
  }

  @Test
  void aRollbackTheEngineRefusesFailsTheOperationAndLeavesTheVolumeAvailable() {
    String[] ap = arrayWithPool();
    String volume = availableVolume(ap[1], "refused");
    String snapshot = availableSnapshot(volume, "s");
    String op = rollback(volume, Map.of("snapshotId", snapshot)).then().statusCode(202).extract().path("id");

    reports.arrayStatus(rolledBack(ap[0], volume, op, ObjectStatus.State.FAILED, "snapshot s is not in the layout"));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("AVAILABLE"));
    as(ACME).get("/api/v1/operations/" + op).then().body("state", equalTo("FAILED"))
        .body("error", equalTo("snapshot s is not in the layout"));
  }

  @Test
  void snapshotsFollowTheNodesReport() {
    String[] ap = arrayWithPool();
    String volume = availableVolume(ap[1], "snapped");
    String taken = as(ACME).body(Map.of("volumeId", volume, "name", "taken")).post("/api/v1/snapshots")
        .then().statusCode(201).extract().path("id");
    String refused = as(ACME).body(Map.of("volumeId", volume, "name", "refused")).post("/api/v1/snapshots")
        .then().statusCode(201).extract().path("id");
    reports.arrayStatus(status(ap[0], micros(Instant.now()),
        new ObjectStatus(ap[0], ObjectStatus.Kind.SNAPSHOT, taken, ObjectStatus.State.READY, null),
        new ObjectStatus(ap[0], ObjectStatus.Kind.SNAPSHOT, refused, ObjectStatus.State.FAILED, "pool full")));
    as(ACME).get("/api/v1/snapshots/" + taken).then().body("state", equalTo("AVAILABLE"));
    as(ACME).get("/api/v1/snapshots/" + refused).then().body("state", equalTo("FAILED"));

    as(ACME).delete("/api/v1/snapshots/" + taken).then().statusCode(202);
    // still held by the node: still DELETING; gone from its report: DELETED
    reports.arrayStatus(status(ap[0], micros(Instant.now()),
        new ObjectStatus(ap[0], ObjectStatus.Kind.SNAPSHOT, taken, ObjectStatus.State.READY, null)));
    as(ACME).get("/api/v1/snapshots/" + taken).then().body("state", equalTo("DELETING"));
    reports.arrayStatus(status(ap[0], micros(Instant.now())));
    as(ACME).get("/api/v1/snapshots/" + taken).then().statusCode(404);
  }

  @Test
  void theNodesFailureReasonFailsTheVolumeAndTheOperation() {
    String[] ap = arrayWithPool();
    String volume = availableVolume(ap[1], "doomed");
    String snapshot = availableSnapshot(volume, "s");
    String op = rollback(volume, Map.of("snapshotId", snapshot)).then().statusCode(202).extract().path("id");

    reports.arrayStatus(status(ap[0], micros(Instant.now()), volume, ObjectStatus.State.FAILED, "snapshot extents unreadable"));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("FAILED"))
        .body("failureReason", equalTo("snapshot extents unreadable"));
    as(ACME).get("/api/v1/operations/" + op).then().body("state", equalTo("FAILED"))
        .body("error", equalTo("snapshot extents unreadable"));
  }

  @Test
  void aRollbackTheNodeNeverConfirmsTimesOut() {
    String[] ap = arrayWithPool();
    String volume = availableVolume(ap[1], "silent");
    String snapshot = availableSnapshot(volume, "s");
    String op = rollback(volume, Map.of("snapshotId", snapshot)).then().statusCode(202).extract().path("id");

    watchdog.check(Instant.now().plus(Duration.ofDays(1)));
    nodesEnrolled = false; // the same sweep took the silent test nodes OFFLINE
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("FAILED"));
    as(ACME).get("/api/v1/operations/" + op).then().body("state", equalTo("FAILED"))
        .body("error", org.hamcrest.Matchers.startsWith("no report from the storage node"));
  }

  @Test
  void theRulesAnswer409NamingTheReason() {
    String[] ap = arrayWithPool();
    String volume = availableVolume(ap[1], "rules");
    String other = availableVolume(ap[1], "other");
    String snapshot = availableSnapshot(volume, "mine");
    String othersSnapshot = availableSnapshot(other, "theirs");

    rollback(volume, Map.of("snapshotId", othersSnapshot)).then().statusCode(409)
        .contentType("application/problem+json").body("reason", equalTo("snapshot-of-another-volume"));
    rollback(volume, Map.of()).then().statusCode(400).body("errors.field", org.hamcrest.Matchers.hasItem("snapshotId"));
    rollback(volume, Map.of("snapshotId", UUID.randomUUID().toString())).then().statusCode(404);

    // a volume that is not AVAILABLE (still CREATING)
    String creating = Api.createVolume(ACME, ap[1], "creating", 1);
    rollback(creating, Map.of("snapshotId", snapshot)).then().statusCode(409);

    // an attached volume: refused, unless forced
    String server = Api.createServer(ACME, unique("rb"));
    as(ACME).body(Map.of("volumeId", volume, "serverId", server)).post("/api/v1/attachments").then().statusCode(201);
    rollback(volume, Map.of("snapshotId", snapshot)).then().statusCode(409).body("reason", equalTo("attached"))
        .body("detail", org.hamcrest.Matchers.containsString("force"));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("AVAILABLE"));
    rollback(volume, Map.of("snapshotId", snapshot, "force", true)).then().statusCode(202);
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("ROLLING_BACK"));
    long forced = QuarkusTransaction.requiringNew().call(() ->
        AuditEntry.count("action = ?1 and targetId = ?2", "volume.rollback.forced", UUID.fromString(volume)));
    assertThat(forced).isEqualTo(1);
  }

  @Test
  void aCloneCarriesItsSnapshotInTheDesiredState() throws Exception {
    String[] ap = arrayWithPool();
    String volume = availableVolume(ap[1], "origin");
    String snapshot = availableSnapshot(volume, "golden");
    String clone = as(ACME).body(Map.of("name", "copy")).post("/api/v1/snapshots/" + snapshot + "/clones")
        .then().statusCode(201).body("sourceSnapshotId", equalTo(snapshot)).extract().path("id");
    assertThat(desiredVolume(ap[0], clone).get("sourceSnapshotId").asText()).isEqualTo(snapshot);
    assertThat(desiredVolume(ap[0], volume).get("sourceSnapshotId").isNull()).isTrue();
  }
}
