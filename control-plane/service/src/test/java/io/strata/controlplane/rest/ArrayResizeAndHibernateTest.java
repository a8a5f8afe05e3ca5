package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.strata.contracts.command.ArrayDesiredState.Role;
import io.strata.contracts.command.EngineSizes;
import io.strata.contracts.event.ArrayStatus;
import io.strata.controlplane.domain.ArrayEngine;
import io.strata.controlplane.domain.EngineRole;
import io.strata.controlplane.domain.EngineSize;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.outbox.ArrayDesiredState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.provisioning.Watchdog;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, item 2, in the control plane (real PostgreSQL and Keycloak, the nodes' reports applied
 * as the events consumer applies them): PATCH changes the engine size after checking the node's
 * room (409 naming the resource), hibernation frees the engine's vCPU and memory while the array
 * keeps its drives, resume checks the room again, every transition ends on the node's report, the
 * watchdog fails a stuck one, and FAILED heals. This class's nodes are the only ONLINE ones while
 * it runs (the others are parked in MAINTENANCE), so placement is deterministic.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class ArrayResizeAndHibernateTest extends HaTestBase {
  @Inject Watchdog watchdog;

  /** An ONLINE node of this test with {@code cpu} vCPUs and {@code memGib} GiB (the others parked). */
  private String nodeWithRoom(String zone, int cpu, int memGib) {
    String id = Api.onlineNode(zone, "127.0.2." + (mine.size() + 1), cpu, memGib, 4, 0);
    mine.add(UUID.fromString(id));
    parkOthers();
    QuarkusTransaction.requiringNew().run(() -> Node.update("lastHeartbeatAt = ?1 where id = ?2",
        Instant.now().plusSeconds(60), UUID.fromString(id)));
    return id;
  }

  private static String createArray(String size, String spread, int ssd, boolean ha) {
    return as(ACME).body(Map.of("name", unique("day2"), "engineSize", size, "spread", spread, "ssdDrives", ssd,
        "highAvailability", ha)).post("/api/v1/arrays").then().statusCode(201).extract().path("id");
  }

  private void report(String arrayId, String nodeId, ArrayStatus.State state, String engineSize) {
    report(arrayId, nodeId, state, engineSize, null, null);
  }

  private void report(String arrayId, String nodeId, ArrayStatus.State state, String engineSize, Role role, Long epoch) {
    String nodeName = QuarkusTransaction.requiringNew().call(() -> Node.<Node>findById(UUID.fromString(nodeId)).name);
    reports.arrayStatus(new ArrayStatus(arrayId, nodeName, 1, state, null, null, null, null, 0, null, List.of(), role,
        epoch, List.of(), engineSize));
  }

  private static Response resize(String id, String size) {
    return as(ACME).body(Map.of("engineSize", size)).patch("/api/v1/arrays/" + id);
  }

  private static String state(String id) {
    return as(ACME).get("/api/v1/arrays/" + id).then().statusCode(200).extract().path("state");
  }

  /** Makes the array's transition older than the watchdog's timeout, then runs one watchdog round. */
  private void watchdogLater(String id) {
    QuarkusTransaction.requiringNew().run(() -> StorageArray.update("updatedAt = ?1 where id = ?2",
        Instant.now().minusSeconds(3600), UUID.fromString(id)));
    watchdog.check(Instant.now());
  }

  @Test
  void theEngineSizesAreTheContractsList() {
    assertThat(Arrays.stream(EngineSize.values()).map(Enum::name).toList()).isEqualTo(EngineSizes.ALL);
  }

  @Test
  void resizeChecksTheNodesRoomAndEndsWhenTheEngineServesAtTheNewSize() {
    String node = nodeWithRoom("zone-r", 4, 16);
    String id = createArray("E01", "NONE", 2, false);
    report(id, node, ArrayStatus.State.ONLINE, "E01");
    assertThat(state(id)).isEqualTo("ONLINE");

    // no room for an E08 (8 vCPU) on a 4-vCPU node: 409 naming the resource, nothing changed
    resize(id, "E08").then().statusCode(409).body("shortResource", equalTo("vcpu"))
        .body("detail", containsString("needs 8"));
    assertThat(array(id).engineSize).isEqualTo(EngineSize.E01);
    // bad input: an unknown size or property is a 400 naming it
    resize(id, "E03").then().statusCode(400).body("errors[0].field", equalTo("engineSize"));
    as(ACME).body(Map.of("name", "x")).patch("/api/v1/arrays/" + id).then().statusCode(400)
        .body("errors[0].field", equalTo("name"));
    // a member may not resize
    as(Api.ACME_VIEWER).body(Map.of("engineSize", "E02")).patch("/api/v1/arrays/" + id).then().statusCode(403);

    // E04 fits: its own E01 share counts as free (4 vCPU node)
    resize(id, "E04").then().statusCode(202).body("state", equalTo("RESIZING")).body("engineSize", equalTo("E04"))
        .header("Operation-Location", containsString("/api/v1/operations/"));
    assertThat(desired(id).engineSize()).isEqualTo("E04");
    assertThat(desired(id).vcpus()).isEqualTo(4);
    // the old engine still reporting at E01 does not end the resize; the new one at E04 does
    report(id, node, ArrayStatus.State.ONLINE, "E01");
    assertThat(state(id)).isEqualTo("RESIZING");
    report(id, node, ArrayStatus.State.ONLINE, "E04");
    assertThat(state(id)).isEqualTo("ONLINE");
    // the same size again changes nothing: 200
    resize(id, "E04").then().statusCode(200).body("state", equalTo("ONLINE"));

    // a resize that never hears back FAILs (watchdog), and heals when the engine reports serving
    resize(id, "E02").then().statusCode(202);
    watchdogLater(id);
    assertThat(state(id)).isEqualTo("FAILED");
    report(id, node, ArrayStatus.State.ONLINE, "E02");
    assertThat(state(id)).isEqualTo("ONLINE");
  }

  @Test
  void hibernationFreesTheEngineShareKeepsTheDrivesAndResumeChecksTheRoomAgain() {
    String node = nodeWithRoom("zone-h", 4, 16);
    String id = createArray("E04", "NONE", 2, false);
    report(id, node, ArrayStatus.State.ONLINE, "E04");
    int drives = as(ACME).get("/api/v1/arrays/" + id + "/drives").then().extract().path("size()");

    // the node is full (E04 on 4 vCPU): no other array fits
    as(ACME).body(Map.of("name", unique("other"), "engineSize", "E04", "spread", "NONE", "ssdDrives", 1))
        .post("/api/v1/arrays").then().statusCode(409).body("shortResource", equalTo("vcpu"));
    as(ACME).post("/api/v1/arrays/" + id + "/resume").then().statusCode(409)
        .body("detail", containsString("ONLINE"));

    as(ACME).post("/api/v1/arrays/" + id + "/hibernate").then().statusCode(202).body("state", equalTo("HIBERNATING"));
    assertThat(desired(id).hibernated()).isTrue();
    assertThat(desired(id).drives()).hasSize(drives);
    // a late ONLINE report of the engine being stopped does not undo it
    report(id, node, ArrayStatus.State.ONLINE, "E04");
    assertThat(state(id)).isEqualTo("HIBERNATING");
    report(id, node, ArrayStatus.State.HIBERNATED, null);
    assertThat(state(id)).isEqualTo("HIBERNATED");
    assertThat(as(ACME).get("/api/v1/arrays/" + id + "/drives").then().extract().<Integer>path("size()"))
        .isEqualTo(drives);
    // nothing new on a hibernated array; a second hibernate is a no-op
    as(ACME).post("/api/v1/arrays/" + id + "/hibernate").then().statusCode(200).body("state", equalTo("HIBERNATED"));

    // its vCPU and memory are free: another E04 array takes them, and then resume has no room
    String other = createArray("E04", "NONE", 2, false);
    as(ACME).post("/api/v1/arrays/" + id + "/resume").then().statusCode(409).body("shortResource", equalTo("vcpu"));
    assertThat(state(id)).isEqualTo("HIBERNATED");
    // a hibernated array may take a smaller size at once, and then resumes beside the other one
    QuarkusTransaction.requiringNew().run(() -> StorageArray.update("engineSize = ?1 where id = ?2", EngineSize.E02,
        UUID.fromString(other)));
    resize(id, "E02").then().statusCode(202).body("state", equalTo("HIBERNATED")).body("engineSize", equalTo("E02"));
    as(ACME).post("/api/v1/arrays/" + id + "/resume").then().statusCode(202).body("state", equalTo("RESUMING"));
    assertThat(desired(id).hibernated()).isFalse();
    report(id, node, ArrayStatus.State.HIBERNATED, null); // a late report of the hibernation
    assertThat(state(id)).isEqualTo("RESUMING");
    report(id, node, ArrayStatus.State.ONLINE, "E02");
    assertThat(state(id)).isEqualTo("ONLINE");
  }

  @Test
  void stuckHibernationAndResumeFailAndHealAndTheirRetryAsksAgain() {
    String node = nodeWithRoom("zone-s", 4, 16);
    String id = createArray("E01", "NONE", 2, false);
    report(id, node, ArrayStatus.State.ONLINE, "E01");

    as(ACME).post("/api/v1/arrays/" + id + "/hibernate").then().statusCode(202);
    watchdogLater(id);
    assertThat(state(id)).isEqualTo("FAILED");
    assertThat(desired(id).hibernated()).as("a failed hibernation keeps asking the engine to stop").isTrue();
    as(ACME).post("/api/v1/arrays/" + id + "/retry").then().statusCode(202);
    assertThat(state(id)).isEqualTo("HIBERNATING");
    watchdogLater(id);
    report(id, node, ArrayStatus.State.HIBERNATED, null);
    assertThat(state(id)).isEqualTo("HIBERNATED");

    as(ACME).post("/api/v1/arrays/" + id + "/resume").then().statusCode(202);
    watchdogLater(id);
    assertThat(state(id)).isEqualTo("FAILED");
    assertThat(desired(id).hibernated()).isFalse();
    as(ACME).post("/api/v1/arrays/" + id + "/retry").then().statusCode(202);
    assertThat(state(id)).isEqualTo("RESUMING");
    report(id, node, ArrayStatus.State.ONLINE, "E01");
    assertThat(state(id)).isEqualTo("ONLINE");

    // a node's full state report keeps a hibernated array (it is not deleted as unknown)
    as(ACME).post("/api/v1/arrays/" + id + "/hibernate").then().statusCode(202);
    report(id, node, ArrayStatus.State.HIBERNATED, null);
    String nodeName = QuarkusTransaction.requiringNew().call(() -> Node.<Node>findById(UUID.fromString(node)).name);
    // (a delete of an array unknown to the control plane is a whole desired state row, not "changed")
    long before = QuarkusTransaction.requiringNew().call(() -> io.strata.controlplane.domain.OutboxMessage
        .count("subject = ?1 and type = ?2", "array/" + id, CommandOutbox.TYPE_ARRAY_DESIRED_STATE));
    QuarkusTransaction.requiringNew().run(() -> reports.stateReport(new io.strata.contracts.event.NodeStateReport(
        nodeName, List.of(new ArrayStatus(id, nodeName, 1, ArrayStatus.State.HIBERNATED, null, null, null, null, 0,
            null, List.of())), List.of())));
    long after = QuarkusTransaction.requiringNew().call(() -> io.strata.controlplane.domain.OutboxMessage
        .count("subject = ?1 and type = ?2", "array/" + id, CommandOutbox.TYPE_ARRAY_DESIRED_STATE));
    assertThat(after).isEqualTo(before);
    // a hibernated array can be deleted
    as(ACME).delete("/api/v1/arrays/" + id).then().statusCode(202);
  }

  @Test
  void anHaArrayResizesItsStandbyFirstThenSwitchesOverToIt() {
    String a = nodeWithRoom("zone-a", 4, 16);
    String b = nodeWithRoom("zone-b", 4, 16);
    String id = createArray("E01", "NODE", 2, true);
    String active = array(id).nodeId.toString();
    String standby = active.equals(a) ? b : a;
    report(id, active, ArrayStatus.State.ONLINE, "E01", Role.ACTIVE, 0L);
    report(id, standby, ArrayStatus.State.ONLINE, "E01", Role.STANDBY, 0L);
    assertThat(state(id)).isEqualTo("ONLINE");

    resize(id, "E02").then().statusCode(202).body("state", equalTo("RESIZING"));
    Instant now = Instant.now();
    QuarkusTransaction.requiringNew().run(() -> Node.update("lastHeartbeatAt = ?1 where id in ?2", now,
        List.of(UUID.fromString(a), UUID.fromString(b))));
    // nothing until the standby runs at the new size
    assertThat(superviseOnce(id, now)).isEqualTo("nothing");
    report(id, standby, ArrayStatus.State.ONLINE, "E02", Role.STANDBY, 0L);
    assertThat(superviseOnce(id, now)).isEqualTo("switchover-for-resize");
    // the old active demotes, the resized standby is promoted: by the report itself, which judges
    // the nodes' heartbeats at the real time (both heard from just now)
    QuarkusTransaction.requiringNew().run(() -> Node.update("lastHeartbeatAt = ?1 where id in ?2", Instant.now(),
        List.of(UUID.fromString(a), UUID.fromString(b))));
    report(id, active, ArrayStatus.State.ONLINE, "E01", Role.STANDBY, 1L); // step (b) at once
    assertThat(array(id).nodeId.toString()).isEqualTo(standby);
    assertThat(state(id)).isEqualTo("RESIZING");
    // the new active at the new size ends the resize
    report(id, standby, ArrayStatus.State.ONLINE, "E02", Role.ACTIVE, 1L);
    assertThat(state(id)).isIn("ONLINE", "DEGRADED");
    assertThat(QuarkusTransaction.requiringNew().call(() -> ArrayEngine.<ArrayEngine>list("arrayId",
        UUID.fromString(id)).stream().filter(e -> e.role == EngineRole.ACTIVE).map(e -> e.nodeId.toString()).toList()))
        .containsExactly(standby);
  }
}
