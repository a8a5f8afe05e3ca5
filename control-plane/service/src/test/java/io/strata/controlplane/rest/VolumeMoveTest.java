package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.GLOBEX;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.contracts.event.VolumeMoveStatus;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.outbox.ArrayDesiredState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.provisioning.NodeReports;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Online volume moves (issue 18) against the real PostgreSQL and Keycloak: the request, what it
 * refuses and why (each a problem document naming the field or reason), the tenant scoping, the
 * desired state it sends, and the engine's progress and completion coming back in the array's
 * status (through {@link NodeReports}, as the agents' reports arrive).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class VolumeMoveTest {
  @Inject ProvisioningEvents events;
  @Inject NodeReports reports;
  @Inject CommandOutbox outbox;
  @Inject io.strata.controlplane.service.Operations operations;

  private static boolean nodesEnrolled;

  @BeforeEach
  void nodes() {
    if (!nodesEnrolled) {
      Api.roomyQuota("acme");
      Api.roomyQuota("globex");
      // ten arrays of four SSDs (one E01 engine each) over the class's tests
      Api.onlineNodes(8, 48, 24, 0);
      nodesEnrolled = true;
    }
  }

  /** An ONLINE array of four SSDs with two mirrored pools; returns {array, pool 1, pool 2}. */
  private String[] arrayWithTwoPools(String user) {
    String array = Api.createArray(user, unique("mv"), 4, 0);
    events.arrayReported(UUID.fromString(array), ArrayState.ONLINE, null);
    return new String[] {array, Api.createPool(user, array, "one"), Api.createPool(user, array, "two")};
  }

  private String availableVolume(String user, String pool, String name, int sizeGib) {
    String v = Api.createVolume(user, pool, name, sizeGib);
    events.volumeReported(UUID.fromString(v), VolumeState.AVAILABLE, null);
    return v;
  }

  private static Response move(String user, String volume, Object poolId) {
    return as(user).body(poolId == null ? Map.of() : Map.of("poolId", poolId))
        .post("/api/v1/volumes/" + volume + "/move");
  }

  private ArrayDesiredState.VolumeSpec specOf(String array, String volume) {
    return QuarkusTransaction.requiringNew().call(() -> outbox.desiredStateNow(UUID.fromString(array))).volumes()
        .stream().filter(v -> v.volumeId().toString().equals(volume)).findFirst().orElseThrow();
  }

  /** The array's status from its engine's node, with the volume READY and the moves given. */
  private void engineReports(String array, String volume, VolumeMoveStatus... moves) {
    engineReports(array, volume, ObjectStatus.State.READY, null, moves);
  }

  /** The array's status from its engine's node, with the volume in {@code state} and the moves given. */
  private void engineReports(String array, String volume, ObjectStatus.State state, String reason,
      VolumeMoveStatus... moves) {
    reports.arrayStatus(new ArrayStatus(array, engineNodeOf(array), 1, ArrayStatus.State.ONLINE, null, null, null,
        null, 0, null, List.of(new ObjectStatus(array, ObjectStatus.Kind.VOLUME, volume, state, reason)), null, null,
        List.of(), "E01", List.of(moves), List.of()));
  }

  private static String engineNodeOf(String array) {
    return QuarkusTransaction.requiringNew().call(() -> io.strata.controlplane.domain.Node
        .<io.strata.controlplane.domain.Node>findById(io.strata.controlplane.domain.StorageArray
            .<io.strata.controlplane.domain.StorageArray>findById(UUID.fromString(array)).nodeId).name);
  }

  @Test
  void aVolumeMovesWhileItServesAndItsOperationCompletesWhenTheEngineSaysItIsDone() {
    String[] a = arrayWithTwoPools(ACME);
    String volume = availableVolume(ACME, a[1], "data", 10);

    String key = UUID.randomUUID().toString();
    Response accepted = as(ACME).header("Idempotency-Key", key).body(Map.of("poolId", a[2]))
        .post("/api/v1/volumes/" + volume + "/move");
    accepted.then().statusCode(202).body("kind", equalTo("volume.move")).body("state", equalTo("PENDING"))
        .body("targetId", equalTo(volume));
    String op = accepted.path("id");
    assertThat(accepted.header("Operation-Location")).endsWith("/api/v1/operations/" + op);
    // a retry with the same key is the first answer, not a second move
    as(ACME).header("Idempotency-Key", key).body(Map.of("poolId", a[2])).post("/api/v1/volumes/" + volume + "/move")
        .then().statusCode(202).header("Idempotent-Replayed", "true").body("id", equalTo(op));

    as(ACME).get("/api/v1/volumes/" + volume).then().statusCode(200)
        .body("state", equalTo("MOVING"))
        .body("poolId", equalTo(a[2]))
        .body("move.fromPoolId", equalTo(a[1]))
        .body("move.toPoolId", equalTo(a[2]))
        .body("move.progressPercent", equalTo(0))
        .body("move.startedAt", notNullValue())
        .body("move.cancelling", equalTo(false));
    // it is listed in its new pool
    as(ACME).queryParam("poolId", a[2]).get("/api/v1/volumes").then().body("items[0].id", equalTo(volume));
    ArrayDesiredState.VolumeSpec spec = specOf(a[0], volume);
    assertThat(spec.poolId().toString()).isEqualTo(a[2]);
    assertThat(spec.moveFromPoolId().toString()).as("the engine copies it from its old pool").isEqualTo(a[1]);

    // the engine's progress; the volume READY in the layout that carries the move does not end it
    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[1], a[2], 2560, 10240,
        VolumeMoveStatus.State.COPYING, null));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("MOVING"))
        .body("move.progressPercent", equalTo(25)).body("move.copiedExtents", equalTo(2560))
        .body("move.stoppedReason", nullValue());
    as(ACME).get("/api/v1/operations/" + op).then().body("state", equalTo("PENDING"));
    // a stopped copy says why (the engine resumes it at its next reload or restart)
    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[1], a[2], 2600, 10240,
        VolumeMoveStatus.State.STOPPED, "drive d3 failed"));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("MOVING"))
        .body("move.stoppedReason", equalTo("drive d3 failed"));
    // a report of another move of the volume (an older one, reversed) changes nothing
    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[2], a[1], 0, 0, VolumeMoveStatus.State.DONE, null));
    as(ACME).get("/api/v1/operations/" + op).then().body("state", equalTo("PENDING"));

    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[1], a[2], 10240, 10240,
        VolumeMoveStatus.State.DONE, null));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("AVAILABLE"))
        .body("poolId", equalTo(a[2])).body("move", nullValue());
    as(ACME).get("/api/v1/operations/" + op).then().body("state", equalTo("SUCCEEDED"));
    assertThat(specOf(a[0], volume).moveFromPoolId()).as("the desired state no longer asks for the move").isNull();
    // a repeated DONE is harmless
    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[1], a[2], 0, 0, VolumeMoveStatus.State.DONE, null));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("AVAILABLE"));

    // and it may move back
    move(ACME, volume, a[1]).then().statusCode(202);
    assertThat(specOf(a[0], volume).moveFromPoolId().toString()).isEqualTo(a[2]);
  }

  @Test
  void aMoveThatCannotBeDoneIsRefusedNamingWhyAndChangesNothing() {
    String[] a = arrayWithTwoPools(ACME);
    String volume = availableVolume(ACME, a[1], "refused", 10);
    String[] other = arrayWithTwoPools(ACME);

    move(ACME, volume, a[1]).then().statusCode(409).body("type", containsString("already-in-pool"))
        .body("errors[0].field", equalTo("poolId"));
    move(ACME, volume, other[1]).then().statusCode(422).body("errors[0].field", equalTo("poolId"))
        .body("detail", containsString("another array"));
    move(ACME, volume, null).then().statusCode(400).body("errors[0].field", containsString("poolId"));
    move(ACME, volume, "not-a-uuid").then().statusCode(400);
    move(ACME, volume, UUID.randomUUID().toString()).then().statusCode(404);

    // no room: thick volumes reserve most of the other pool
    String big = Api.createVolume(ACME, a[2], "big", 1);
    as(ACME).body(Map.of("poolId", a[2], "name", "thick", "sizeGib", 955, "thin", false)).post("/api/v1/volumes")
        .then().statusCode(201);
    move(ACME, volume, a[2]).then().statusCode(409).body("type", containsString("pool-full"))
        .body("errors[0].field", equalTo("poolId")).body("detail", containsString("no room"));
    as(ACME).get("/api/v1/volumes/" + big).then().body("state", equalTo("CREATING"));
    move(ACME, big, a[1]).then().statusCode(409).body("reason", equalTo("volume-not-available"));

    // a volume with snapshots, and a clone, share extents in their pool
    String snapped = availableVolume(ACME, other[1], "snapped", 10);
    String snapshot = as(ACME).body(Map.of("volumeId", snapped, "name", "s")).post("/api/v1/snapshots")
        .then().statusCode(201).extract().path("id");
    events.snapshotReported(UUID.fromString(snapshot), SnapshotState.AVAILABLE, null);
    move(ACME, snapped, other[2]).then().statusCode(409).body("type", containsString("volume-has-snapshots"));
    String clone = as(ACME).body(Map.of("name", "clone")).post("/api/v1/snapshots/" + snapshot + "/clones")
        .then().statusCode(201).extract().path("id");
    events.volumeReported(UUID.fromString(clone), VolumeState.AVAILABLE, null);
    move(ACME, clone, other[2]).then().statusCode(409).body("type", containsString("volume-is-clone"));

    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("AVAILABLE"))
        .body("poolId", equalTo(a[1])).body("move", nullValue());
    assertThat(specOf(a[0], volume).moveFromPoolId()).isNull();
  }

  @Test
  void aMovingVolumeKeepsItsSizeAndCopiesAndItsOldPoolStays() {
    String[] a = arrayWithTwoPools(ACME);
    String volume = availableVolume(ACME, a[1], "busy", 10);
    move(ACME, volume, a[2]).then().statusCode(202);

    move(ACME, volume, a[1]).then().statusCode(409).body("type", containsString("volume-moving"))
        .body("errors[0].field", equalTo("poolId"));
    Response read = as(ACME).get("/api/v1/volumes/" + volume);
    as(ACME).header("If-Match", read.header("ETag")).body(Map.of("sizeGib", 20)).patch("/api/v1/volumes/" + volume)
        .then().statusCode(409).body("type", containsString("volume-moving"));
    as(ACME).delete("/api/v1/volumes/" + volume).then().statusCode(409).body("type", containsString("volume-moving"));
    as(ACME).body(Map.of("volumeId", volume, "name", "s")).post("/api/v1/snapshots").then().statusCode(409);
    as(ACME).delete("/api/v1/pools/" + a[1]).then().statusCode(409).body("type", containsString("pool-has-volumes"));
    // QoS still changes, and it may be attached: it serves I/O throughout
    read = as(ACME).get("/api/v1/volumes/" + volume);
    as(ACME).header("If-Match", read.header("ETag")).body(Map.of("qosIopsLimit", 500))
        .patch("/api/v1/volumes/" + volume).then().statusCode(200).body("qosIopsLimit", equalTo(500))
        .body("state", equalTo("MOVING"));
    String server = Api.createServer(ACME, unique("srv"));
    as(ACME).body(Map.of("volumeId", volume, "serverId", server)).post("/api/v1/attachments").then().statusCode(201);
  }

  private static Response cancel(String user, String volume) {
    return as(user).post("/api/v1/volumes/" + volume + "/move/cancel");
  }

  @Test
  void aCancelledMoveGoesBackToItsPoolAndItsCancelCompletesWhenTheEngineSaysTheVolumeIsBack() {
    String[] a = arrayWithTwoPools(ACME);
    String volume = availableVolume(ACME, a[1], "cancelled", 10);
    String moveOp = move(ACME, volume, a[2]).then().statusCode(202).extract().path("id");
    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[1], a[2], 2560, 10240,
        VolumeMoveStatus.State.COPYING, null));
    // another pending Operation of the volume is neither failed by the cancel nor completed by its DONE
    String otherOp = QuarkusTransaction.requiringNew().call(() -> operations.start("test", tenantOf(volume),
        "volume.other", "volume", UUID.fromString(volume)).id).toString();

    String key = UUID.randomUUID().toString();
    Response accepted = as(ACME).header("Idempotency-Key", key).post("/api/v1/volumes/" + volume + "/move/cancel");
    accepted.then().statusCode(202).body("kind", equalTo("volume.move-cancel")).body("state", equalTo("PENDING"))
        .body("targetId", equalTo(volume));
    String cancelOp = accepted.path("id");
    assertThat(accepted.header("Operation-Location")).endsWith("/api/v1/operations/" + cancelOp);
    // a retry with the same key is the first answer, not a second cancel
    as(ACME).header("Idempotency-Key", key).post("/api/v1/volumes/" + volume + "/move/cancel")
        .then().statusCode(202).header("Idempotent-Replayed", "true").body("id", equalTo(cancelOp));

    // it moves back: from the pool it was moving to, to the one it came from
    as(ACME).get("/api/v1/volumes/" + volume).then().statusCode(200)
        .body("state", equalTo("MOVING"))
        .body("poolId", equalTo(a[1]))
        .body("move.fromPoolId", equalTo(a[2]))
        .body("move.toPoolId", equalTo(a[1]))
        .body("move.cancelling", equalTo(true))
        .body("move.progressPercent", equalTo(0))
        .body("move.stoppedReason", nullValue());
    as(ACME).get("/api/v1/operations/" + moveOp).then().body("state", equalTo("FAILED"))
        .body("error", equalTo("cancelled"));
    as(ACME).get("/api/v1/operations/" + otherOp).then().body("state", equalTo("PENDING"));
    ArrayDesiredState.VolumeSpec spec = specOf(a[0], volume);
    assertThat(spec.poolId().toString()).as("the engine moves it back to where it came from").isEqualTo(a[1]);
    assertThat(spec.moveFromPoolId().toString()).isEqualTo(a[2]);

    // a cancel is not cancelled, nor is the volume moved elsewhere meanwhile
    cancel(ACME, volume).then().statusCode(409).body("type", containsString("move-cancelling"))
        .body("reason", equalTo("move-cancelling")).body("detail", containsString("back to pool 'one'"));
    move(ACME, volume, a[2]).then().statusCode(409).body("type", containsString("volume-moving"));
    // the audit log has the cancel, its replay and the refused one under one action, newest first
    Response audited = as(ACME).queryParam("object", volume).queryParam("action", "volume.move.cancel")
        .get("/api/v1/audit");
    assertThat(audited.<List<String>>path("items.result")).containsExactly("REFUSED", "SUCCEEDED", "SUCCEEDED");
    assertThat(audited.<List<List<String>>>path("items.marks").get(1)).containsExactly("replayed");

    // late reports of the cancelled move change nothing, DONE included
    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[1], a[2], 5120, 10240,
        VolumeMoveStatus.State.COPYING, null));
    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[1], a[2], 10240, 10240,
        VolumeMoveStatus.State.DONE, null));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("MOVING"))
        .body("poolId", equalTo(a[1])).body("move.fromPoolId", equalTo(a[2])).body("move.copiedExtents", equalTo(0));
    as(ACME).get("/api/v1/operations/" + cancelOp).then().body("state", equalTo("PENDING"));
    as(ACME).get("/api/v1/operations/" + moveOp).then().body("state", equalTo("FAILED"));

    // the engine's word on the move back: its progress, then DONE
    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[2], a[1], 1024, 10240,
        VolumeMoveStatus.State.COPYING, null));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("move.progressPercent", equalTo(10))
        .body("move.cancelling", equalTo(true));
    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[2], a[1], 10240, 10240,
        VolumeMoveStatus.State.DONE, null));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("AVAILABLE"))
        .body("poolId", equalTo(a[1])).body("move", nullValue());
    as(ACME).get("/api/v1/operations/" + cancelOp).then().body("state", equalTo("SUCCEEDED"));
    as(ACME).get("/api/v1/operations/" + moveOp).then().body("state", equalTo("FAILED"))
        .body("error", equalTo("cancelled"));
    as(ACME).get("/api/v1/operations/" + otherOp).then().body("state", equalTo("PENDING"));
    assertThat(specOf(a[0], volume).moveFromPoolId()).as("the desired state no longer asks for a move").isNull();

    // back in its pool, it has no move to cancel, and may move again as any volume
    cancel(ACME, volume).then().statusCode(409).body("type", containsString("volume-not-moving"));
    move(ACME, volume, a[2]).then().statusCode(202);
    as(ACME).get("/api/v1/volumes/" + volume).then().body("move.cancelling", equalTo(false));
  }

  @Test
  void aMoveCancelThatCannotBeDoneIsRefusedNamingWhyAndChangesNothing() {
    String[] a = arrayWithTwoPools(ACME);
    String volume = availableVolume(ACME, a[1], "still", 10);
    cancel(ACME, volume).then().statusCode(409).body("type", containsString("volume-not-moving"))
        .body("reason", equalTo("volume-not-moving")).body("detail", containsString("AVAILABLE"));
    cancel(ACME, UUID.randomUUID().toString()).then().statusCode(404);

    String moving = availableVolume(ACME, a[1], "moving", 10);
    String moveOp = move(ACME, moving, a[2]).then().statusCode(202).extract().path("id");
    // members read but do not cancel; another tenant does not see the volume
    cancel(Api.ACME_VIEWER, moving).then().statusCode(403);
    cancel(GLOBEX, moving).then().statusCode(404);
    // an array that does not take changes now does not take this one either
    events.arrayReported(UUID.fromString(a[0]), ArrayState.FAILED, "engine lost");
    cancel(ACME, moving).then().statusCode(409).body("type", containsString("array-not-accepting"));

    as(ACME).get("/api/v1/volumes/" + moving).then().body("state", equalTo("MOVING"))
        .body("poolId", equalTo(a[2])).body("move.fromPoolId", equalTo(a[1])).body("move.cancelling", equalTo(false));
    as(ACME).get("/api/v1/operations/" + moveOp).then().body("state", equalTo("PENDING"));
  }

  /**
   * Issue 18: a volume that FAILED while moving (its engine could not serve it in the new pool)
   * kept its move and could not be cancelled (409 volume-not-moving), so nothing took it back. The
   * cancel now takes it back as for a MOVING volume: MOVING again, its pools swapped, and the
   * engine's DONE makes it AVAILABLE in the pool it came from with its move cleared.
   */
  @Test
  void aVolumeThatFailedWhileMovingIsCancelledBackToItsPoolAndItsMoveCleared() {
    String[] a = arrayWithTwoPools(ACME);
    String volume = availableVolume(ACME, a[1], "failing", 10);
    String moveOp = move(ACME, volume, a[2]).then().statusCode(202).extract().path("id");
    String why = "pool two could not open: drive d3 does not answer";
    engineReports(a[0], volume, ObjectStatus.State.FAILED, why, new VolumeMoveStatus(volume, a[1], a[2], 10, 10240,
        VolumeMoveStatus.State.STOPPED, "drive d3 failed"));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("FAILED"))
        .body("failureReason", equalTo(why)).body("poolId", equalTo(a[2]))
        .body("move.fromPoolId", equalTo(a[1])).body("move.cancelling", equalTo(false));
    as(ACME).get("/api/v1/operations/" + moveOp).then().body("state", equalTo("FAILED"));

    Response accepted = cancel(ACME, volume);
    accepted.then().statusCode(202).body("kind", equalTo("volume.move-cancel")).body("state", equalTo("PENDING"));
    String cancelOp = accepted.path("id");
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("MOVING"))
        .body("failureReason", nullValue())
        .body("poolId", equalTo(a[1]))
        .body("move.fromPoolId", equalTo(a[2]))
        .body("move.toPoolId", equalTo(a[1]))
        .body("move.cancelling", equalTo(true))
        .body("move.stoppedReason", nullValue());
    ArrayDesiredState.VolumeSpec spec = specOf(a[0], volume);
    assertThat(spec.poolId().toString()).as("the engine takes it back to where it came from").isEqualTo(a[1]);
    assertThat(spec.moveFromPoolId().toString()).isEqualTo(a[2]);
    cancel(ACME, volume).then().statusCode(409).body("reason", equalTo("move-cancelling"));

    // the engine had not switched: it drops the partial copy and reports the move back DONE
    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[2], a[1], 0, 0, VolumeMoveStatus.State.DONE, null));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("AVAILABLE"))
        .body("poolId", equalTo(a[1])).body("move", nullValue());
    as(ACME).get("/api/v1/operations/" + cancelOp).then().body("state", equalTo("SUCCEEDED"));
    assertThat(specOf(a[0], volume).moveFromPoolId()).as("the desired state no longer asks for a move").isNull();
    move(ACME, volume, a[2]).then().statusCode(202);
  }

  /**
   * The other ways a volume with a move comes out of FAILED keep it cancellable: served again (or
   * retried) it is MOVING, not AVAILABLE with a move nothing could cancel; and one that FAILED while
   * its move was being cancelled is asked back again by a second cancel.
   */
  @Test
  void aVolumeWithAMoveComesOutOfFailedMovingAndAFailedCancelIsAskedAgain() {
    String[] a = arrayWithTwoPools(ACME);
    String volume = availableVolume(ACME, a[1], "flaky", 10);
    move(ACME, volume, a[2]).then().statusCode(202);
    engineReports(a[0], volume, ObjectStatus.State.FAILED, "drive d3 does not answer");
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("FAILED"));
    // served again: its move goes on
    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[1], a[2], 20, 10240,
        VolumeMoveStatus.State.COPYING, null));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("MOVING"))
        .body("move.fromPoolId", equalTo(a[1])).body("move.copiedExtents", equalTo(20));
    // failed again and retried: the engine serves it, and it is MOVING again
    engineReports(a[0], volume, ObjectStatus.State.FAILED, "drive d3 does not answer");
    as(ACME).post("/api/v1/volumes/" + volume + "/retry").then().statusCode(202);
    engineReports(a[0], volume);
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("MOVING"))
        .body("move.cancelling", equalTo(false));

    // cancelled, then FAILED on its way back: a second cancel asks for the move back again
    cancel(ACME, volume).then().statusCode(202);
    engineReports(a[0], volume, ObjectStatus.State.FAILED, "pool one is busy");
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("FAILED"))
        .body("move.cancelling", equalTo(true));
    String again = cancel(ACME, volume).then().statusCode(202).body("kind", equalTo("volume.move-cancel"))
        .extract().path("id");
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("MOVING"))
        .body("poolId", equalTo(a[1])).body("move.fromPoolId", equalTo(a[2])).body("move.cancelling", equalTo(true));
    engineReports(a[0], volume, new VolumeMoveStatus(volume, a[2], a[1], 0, 0, VolumeMoveStatus.State.DONE, null));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("AVAILABLE"))
        .body("poolId", equalTo(a[1])).body("move", nullValue());
    as(ACME).get("/api/v1/operations/" + again).then().body("state", equalTo("SUCCEEDED"));
  }

  private static UUID tenantOf(String volume) {
    return io.strata.controlplane.domain.Volume.<io.strata.controlplane.domain.Volume>findById(UUID.fromString(volume))
        .tenantId;
  }

  @Test
  void anotherTenantNeitherSeesNorMovesTheVolumeNorMovesToItsPools() {
    String[] acme = arrayWithTwoPools(ACME);
    String volume = availableVolume(ACME, acme[1], "mine", 10);
    String[] globex = arrayWithTwoPools(GLOBEX);
    String theirs = availableVolume(GLOBEX, globex[1], "theirs", 10);

    move(GLOBEX, volume, globex[2]).then().statusCode(404);
    move(GLOBEX, volume, acme[2]).then().statusCode(404);
    move(ACME, volume, globex[2]).then().statusCode(404).body("detail", containsString("pool"));
    move(ACME, theirs, acme[2]).then().statusCode(404);
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("AVAILABLE"));
    as(GLOBEX).get("/api/v1/volumes/" + theirs).then().body("state", equalTo("AVAILABLE"));

    // members read but do not move
    move(Api.ACME_VIEWER, volume, acme[2]).then().statusCode(403);
  }
}
