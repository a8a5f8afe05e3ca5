package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.OPS;
import static io.strata.controlplane.rest.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.strata.contracts.command.ArrayDesiredState.Role;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.controlplane.domain.ArrayEngine;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.EngineRole;
import io.strata.controlplane.domain.OutboxMessage;
import io.strata.controlplane.outbox.ArrayDesiredState;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 point 5: after a drain, the array's standby (now on the drained node) moves to a third
 * node with room, whose free drives take the drained node's copies in the same pools; without
 * room the array stays active without a standby it can count on and says so, and it gets one as
 * soon as room appears (the supervisor decides again every round).
 */
@QuarkusTest
@TestProfile(StandbyRelocationTest.RelocationOn.class)
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class StandbyRelocationTest extends HaTestBase {

  /** The feature is off by default (the engine cannot yet take a new member while it runs). */
  public static class RelocationOn implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("strata.ha.relocate-standby", "true");
    }
  }

  /** Drains the active's node of an ONLINE HA array and completes the switchover; returns the time used. */
  private Instant drainAndSwitchOver(String[] ha) {
    String id = ha[0];
    Instant now = Instant.now().plusSeconds(60);
    heardAt(ha[1], now);
    heardAt(ha[2], now);
    as(OPS).post("/api/v1/admin/nodes/" + ha[1] + "/drain").then().statusCode(200)
        .body("node.state", equalTo("MAINTENANCE"));
    report(id, ha[1], ArrayStatus.State.ONLINE, Role.STANDBY, 1, List.of(), List.of()); // step (b) at once
    assertThat(array(id).nodeId.toString()).isEqualTo(ha[2]);
    return now;
  }

  /** {@link #drainAndSwitchOver}, then the new active reports ACTIVE at the new epoch. */
  private Instant drainedAndSettled(String[] ha) {
    Instant now = drainAndSwitchOver(ha);
    report(ha[0], ha[2], ArrayStatus.State.ONLINE, Role.ACTIVE, 1, List.of(), List.of());
    return now;
  }

  @Test
  void afterADrainTheStandbyMovesToAThirdNodeWhoseDrivesTakeTheDrainedNodesCopies() {
    String[] ha = onlineHaArray();
    String id = ha[0];
    List<String> drainedCopies = drivesOn(id, ha[1]);
    assertThat(drainedCopies).hasSize(1);
    String third = node("zone-c", 2, 1);
    Instant now = drainAndSwitchOver(ha);
    heardAt(third, now);

    // nothing moves before the new active reported ACTIVE at the new epoch (one change at a time)
    assertThat(superviseOnce(id, now)).isEqualTo("nothing");
    report(id, ha[2], ArrayStatus.State.ONLINE, Role.ACTIVE, 1, List.of(), List.of());
    long before = commands(id);
    assertThat(superviseOnce(id, now)).isEqualTo("standby-moved");

    Map<UUID, ArrayEngine> slots = engines(id);
    assertThat(slots).containsOnlyKeys(UUID.fromString(ha[2]), UUID.fromString(third));
    ArrayEngine standby = slots.get(UUID.fromString(third));
    assertThat(standby.role).isEqualTo(EngineRole.STANDBY);
    assertThat(standby.outdated).as("blank copies are not promotable").isTrue();
    assertThat(standby.portGroup).isEqualTo(engines(id).get(UUID.fromString(ha[2])).portGroup == 1 ? 2 : 1);
    // the drained node's copy is replaced in its pool by a drive of the third node; nothing left there
    assertThat(drivesOn(id, ha[1])).isEmpty();
    List<String> newCopies = drivesOn(id, third);
    assertThat(newCopies).hasSize(1).doesNotContainAnyElementsOf(drainedCopies);
    ArrayDesiredState state = desired(id);
    ArrayDesiredState.DriveSpec replaced = state.drives().stream()
        .filter(d -> d.driveId().toString().equals(newCopies.get(0))).findFirst().orElseThrow();
    assertThat(replaced.poolId()).isNotNull();
    assertThat(replaced.role()).isEqualTo("MEMBER");
    assertThat(state.ha().engines()).extracting(s -> s.nodeId().toString(), ArrayDesiredState.Slot::role)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(ha[2], "ACTIVE"),
            org.assertj.core.groups.Tuple.tuple(third, "STANDBY"));
    assertThat(state.ha().outdatedNodeNames()).containsExactly(nodeName(third));
    assertThat(state.ha().epoch()).as("moving a standby fences nobody").isEqualTo(1);
    // the desired state goes to the new node (in nodeIds) and once more to the drained one
    assertThat(state.nodeIds()).extracting(UUID::toString).contains(third).doesNotContain(ha[1]);
    assertThat(commands(id)).isGreaterThan(before);
    assertThat(QuarkusTransaction.requiringNew().call(() -> OutboxMessage.count("subject = ?1 and nodeId = ?2",
        "array/" + id, UUID.fromString(ha[1])))).isPositive();
    // the share moved: the drained node holds none of this array's, the third node one engine's
    assertThat(reservedVcpus(ha[1])).isZero();
    assertThat(reservedVcpus(third)).isEqualTo(1);
    // DEGRADED while the new copies rebuild; ONLINE once the active reports them in sync
    assertThat(array(id).state).isEqualTo(ArrayState.DEGRADED);
    assertThat(array(id).failureReason).contains("outdated");
    report(id, third, ArrayStatus.State.ONLINE, Role.STANDBY, 1, List.of(), List.of());
    report(id, ha[2], ArrayStatus.State.ONLINE, Role.ACTIVE, 1, List.of(), newCopies.stream()
        .map(d -> new ObjectStatus(id, ObjectStatus.Kind.DRIVE, d, ObjectStatus.State.READY, null)).toList());
    assertThat(engines(id).get(UUID.fromString(third)).outdated).isFalse();
    assertThat(superviseOnce(id, now)).isEqualTo("nothing");
    assertThat(array(id).state).isEqualTo(ArrayState.ONLINE);
  }

  @Test
  void withoutRoomTheArrayStaysActiveSaysItHasNoStandbyAndGetsOneWhenRoomAppears() {
    String[] ha = onlineHaArray();
    String id = ha[0];
    Instant now = drainedAndSettled(ha);

    // a third node without free drives of the right type: no room
    String noDrives = node("zone-c", 0, 1);
    heardAt(noDrives, now);
    assertThat(superviseOnce(id, now)).isEqualTo("nothing");
    assertThat(engines(id)).containsKey(UUID.fromString(ha[1])); // the standby stays where it was
    assertThat(array(id).state).isEqualTo(ArrayState.DEGRADED);
    assertThat(array(id).failureReason).contains("no healthy standby")
        .contains("MAINTENANCE").contains("no other node has room for a new standby");
    as(Api.ACME).get("/api/v1/arrays/" + id).then().statusCode(200).body("state", equalTo("DEGRADED"))
        .body("engines.find { it.role == 'ACTIVE' }.nodeId", equalTo(ha[2]));

    // room appears: the next round moves it (nothing remembered in between)
    String roomy = node("zone-d", 2, 0);
    heardAt(roomy, now);
    assertThat(superviseOnce(id, now)).isEqualTo("standby-moved");
    assertThat(engines(id)).containsOnlyKeys(UUID.fromString(ha[2]), UUID.fromString(roomy));
  }

  /**
   * Two replicas' supervisors relocate two arrays' standbys at the same time (docs/replicas.md
   * U3), and one node has room for exactly one more engine. The second placement waits for the
   * first and sees it: one standby moves there, on its own portal port, and the other array says
   * it has no room. Before, both read the same committed state, both moved to that node (one CPU
   * for two engines) and both took its first free portal port.
   */
  @Test
  void twoRelocationsAtOnceNeverShareANodesPortalOrOverfillIt() throws Exception {
    String[] ha1 = onlineHaArray();
    QuarkusTransaction.requiringNew().run(() -> io.strata.controlplane.domain.Node.update("state = ?1 where id in ?2",
        io.strata.controlplane.domain.NodeState.MAINTENANCE, List.of(UUID.fromString(ha1[1]), UUID.fromString(ha1[2]))));
    String[] ha2 = onlineHddHaArray(); // on two other nodes; copies on HDDs, so the two moves want other drives
    // both actives serve; both standbys' nodes are leaving
    QuarkusTransaction.requiringNew().run(() -> io.strata.controlplane.domain.Node.update("state = ?1 where id = ?2",
        io.strata.controlplane.domain.NodeState.ONLINE, UUID.fromString(ha1[1])));
    QuarkusTransaction.requiringNew().run(() -> io.strata.controlplane.domain.Node.update("state = ?1 where id = ?2",
        io.strata.controlplane.domain.NodeState.MAINTENANCE, UUID.fromString(ha2[2])));
    String roomForOne = Api.onlineNode("zone-c", "127.0.1.9", 1, 16, 2, 2);
    mine.add(UUID.fromString(roomForOne));
    Instant now = Instant.now();
    for (String n : List.of(ha1[1], ha1[2], ha2[1], ha2[2], roomForOne)) {
      heardAt(n, now);
    }

    java.util.concurrent.CountDownLatch placed = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> QuarkusTransaction.requiringNew().call(() -> {
      String did = supervisor.superviseOne(UUID.fromString(ha1[0]), now);
      placed.countDown();
      release.await(30, java.util.concurrent.TimeUnit.SECONDS);
      return did;
    }));
    assertThat(placed.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> superviseOnce(ha2[0], now));
    // the second either finishes (nothing stops it) or waits for the first's transaction
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .until(() -> second.isDone() || waitingOnALock());
    release.countDown();
    assertThat(first.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("standby-moved");
    try {
      second.get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      // a lost race that the database refused is safe: the next round decides again
    }

    List<ArrayEngine> there = QuarkusTransaction.requiringNew().call(() ->
        ArrayEngine.<ArrayEngine>list("nodeId", UUID.fromString(roomForOne)));
    assertThat(there).as("engines on the node with room for one").hasSize(1);
    assertThat(there).extracting(e -> e.portalPort).doesNotHaveDuplicates();
    assertThat(engines(ha1[0])).containsKey(UUID.fromString(roomForOne));
    assertThat(engines(ha2[0])).as("the second array's standby stays where it was").containsKey(UUID.fromString(ha2[2]));
  }

  /** {@link #onlineHaArray} with a RAID1 HDD pool (two HDDs on each node); [array, active node, standby node]. */
  private String[] onlineHddHaArray() {
    String a = node("zone-a", 0, 2);
    String b = node("zone-b", 0, 2);
    String id = createHa("NODE", 0, 4).then().statusCode(201).extract().path("id");
    pool(id, "HDD", "RAID1", 2, Map.of()).then().statusCode(201);
    String active = array(id).nodeId.toString();
    String standby = active.equals(a) ? b : a;
    Instant now = Instant.now();
    heardAt(active, now);
    heardAt(standby, now);
    report(id, active, ArrayStatus.State.ONLINE, Role.ACTIVE, 0, List.of(), List.of());
    report(id, standby, ArrayStatus.State.ONLINE, Role.STANDBY, 0, List.of(), List.of());
    return new String[] {id, active, standby};
  }

  /** Whether some transaction of this database waits for a lock another holds. */
  private static boolean waitingOnALock() {
    return QuarkusTransaction.requiringNew().call(() -> ((Number) io.quarkus.hibernate.orm.panache.Panache
        .getEntityManager().createNativeQuery("select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
            + " and datname = current_database()").getSingleResult()).longValue() > 0);
  }

  @Test
  void anUndrainedNodeKeepsItsStandby() {
    String[] ha = onlineHaArray();
    String id = ha[0];
    Instant now = drainedAndSettled(ha);
    as(OPS).post("/api/v1/admin/nodes/" + ha[1] + "/undrain").then().statusCode(200);
    String third = node("zone-c", 2, 1);
    heardAt(third, now);
    assertThat(superviseOnce(id, now)).isEqualTo("nothing");
    assertThat(engines(id)).containsOnlyKeys(UUID.fromString(ha[1]), UUID.fromString(ha[2]));
    assertThat(array(id).state).isEqualTo(ArrayState.ONLINE);
  }

  private static int reservedVcpus(String nodeId) {
    return as(OPS).get("/api/v1/admin/capacity").then().statusCode(200).extract().jsonPath()
        .getInt("nodes.find { it.nodeId == '" + nodeId + "' }.reservedVcpus");
  }

}
