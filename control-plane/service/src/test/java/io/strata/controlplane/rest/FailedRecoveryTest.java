package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.AttachmentState;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.outbox.ArrayDesiredState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 2, the parts that need no Kafka: a FAILED attachment keeps its LUN (it stays in
 * the desired state, so no other volume may take the number), a FAILED snapshot comes back when
 * reported ready, and an object that failed while being removed is left out of the desired
 * state and finishes its removal (DELETED, DETACHED) instead of coming back, also on a retry.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class FailedRecoveryTest {
  @Inject ProvisioningEvents events;
  @Inject CommandOutbox outbox;

  ArrayDesiredState desired(String arrayId) {
    return QuarkusTransaction.requiringNew().call(() -> outbox.desiredStateNow(UUID.fromString(arrayId)));
  }

  String volume(String pool, String name) {
    String v = Api.createVolume(ACME, pool, name, 1);
    events.volumeReported(UUID.fromString(v), VolumeState.AVAILABLE, null);
    return v;
  }

  @Test
  void failedObjectsKeepTheirPlaceRecoverAndFailedRemovalsFinish() {
    Api.roomyQuota("acme");
    Api.onlineNodes(8, 32, 4, 0);
    String array = Api.createArray(ACME, unique("heal"), 2, 0);
    events.arrayReported(UUID.fromString(array), ArrayState.ONLINE, null);
    String pool = Api.createPool(ACME, array, "p");
    String first = volume(pool, "first");
    String second = volume(pool, "second");
    String server = Api.createServer(ACME, unique("srv"));
    io.restassured.response.Response made = as(ACME).body(Map.of("volumeId", first, "serverId", server))
        .post("/api/v1/attachments");
    made.then().statusCode(201);
    String firstAttachment = made.path("id");
    int lun = made.path("connection.lun");
    UUID attached = UUID.fromString(firstAttachment);
    events.attachmentReported(attached, AttachmentState.ATTACHED, null);
    events.attachmentReported(attached, AttachmentState.FAILED, "pool p could not open");

    // the FAILED attachment keeps its LUN: in the desired state, and not given to another volume
    assertThat(desired(array).luns()).extracting(ArrayDesiredState.LunSpec::attachmentId).containsExactly(attached);
    as(ACME).body(Map.of("volumeId", second, "serverId", server, "lun", lun))
        .post("/api/v1/attachments").then().statusCode(409).body("reason", equalTo("lun-used-by-another-volume"));
    events.attachmentReported(attached, AttachmentState.ATTACHED, null);
    as(ACME).get("/api/v1/attachments/" + firstAttachment).then().body("state", equalTo("ATTACHED"));

    // a snapshot that failed comes back when reported ready
    String snapshot = as(ACME).body(Map.of("volumeId", second, "name", "s1")).post("/api/v1/snapshots").then()
        .statusCode(201).extract().path("id");
    events.snapshotReported(UUID.fromString(snapshot), SnapshotState.FAILED, "no answer");
    events.snapshotReported(UUID.fromString(snapshot), SnapshotState.AVAILABLE, null);
    as(ACME).get("/api/v1/snapshots/" + snapshot).then().body("state", equalTo("AVAILABLE"));

    // a detach that failed: out of the desired state, not revived by a READY, DETACHED once gone
    as(ACME).delete("/api/v1/attachments/" + firstAttachment).then().statusCode(202);
    events.attachmentReported(attached, AttachmentState.FAILED, "no report from the storage node");
    assertThat(desired(array).luns()).isEmpty();
    events.attachmentReported(attached, AttachmentState.ATTACHED, null);
    as(ACME).get("/api/v1/attachments/" + firstAttachment).then().body("state", equalTo("FAILED"));
    events.attachmentReported(attached, AttachmentState.DETACHED, null);
    as(ACME).get("/api/v1/attachments/" + firstAttachment).then().body("state", equalTo("DETACHED"));

    // a delete that failed: out of the desired state; its retry deletes again, and it is DELETED
    as(ACME).delete("/api/v1/volumes/" + first).then().statusCode(202);
    as(ACME).delete("/api/v1/recycle-bin/" + first).then().statusCode(202); // purged from the bin at once
    events.volumeReported(UUID.fromString(first), VolumeState.FAILED, "no report from the storage node");
    assertThat(desired(array).volumes()).extracting(ArrayDesiredState.VolumeSpec::volumeId)
        .doesNotContain(UUID.fromString(first));
    as(ACME).post("/api/v1/volumes/" + first + "/retry").then().statusCode(202);
    as(ACME).get("/api/v1/volumes/" + first).then().body("state", equalTo("DELETING"));
    events.volumeReported(UUID.fromString(first), VolumeState.DELETED, null);
    as(ACME).get("/api/v1/volumes/" + first).then().statusCode(404);

    // an array that failed (its engine down) comes back ONLINE when its node says so; while it is
    // FAILED its objects wait for it, and its own retry sends its desired state again
    UUID arrayId = UUID.fromString(array);
    events.arrayReported(arrayId, ArrayState.FAILED, "engine crashed");
    assertThat(desired(array).present()).as("still sent to the node").isTrue();
    events.volumeReported(UUID.fromString(second), VolumeState.FAILED, "engine crashed");
    as(ACME).post("/api/v1/volumes/" + second + "/retry").then().statusCode(409)
        .body("type", org.hamcrest.Matchers.containsString("array-not-accepting"));
    events.arrayReported(arrayId, ArrayState.ONLINE, null);
    as(ACME).get("/api/v1/arrays/" + array).then().body("state", equalTo("ONLINE"));
    events.arrayReported(arrayId, ArrayState.FAILED, "engine crashed");
    as(ACME).post("/api/v1/arrays/" + array + "/retry").then().statusCode(202);
    as(ACME).get("/api/v1/arrays/" + array).then().body("state", equalTo("PROVISIONING")).body("failureReason",
        org.hamcrest.Matchers.nullValue());
    events.arrayReported(arrayId, ArrayState.ONLINE, null);
    as(ACME).post("/api/v1/volumes/" + second + "/retry").then().statusCode(202);
    as(ACME).get("/api/v1/volumes/" + second).then().body("state", equalTo("CREATING"));

    // tenants retry only their own objects; a member cannot retry
    as(Api.GLOBEX).post("/api/v1/volumes/" + second + "/retry").then().statusCode(404);
    as(Api.ACME_VIEWER).post("/api/v1/volumes/" + second + "/retry").then().statusCode(403);
  }
}
