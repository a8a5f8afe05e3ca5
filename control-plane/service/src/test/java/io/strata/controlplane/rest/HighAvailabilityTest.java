package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.OPS;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.strata.contracts.command.ArrayDesiredState.Role;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.ArrayEngine;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.EngineRole;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.OutboxMessage;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.outbox.ArrayDesiredState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.provisioning.HaSupervisor;
import io.strata.controlplane.provisioning.NodeReports;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, the control plane's side: highly available arrays are placed on two nodes (zones),
 * their pools survive the loss of either, the API shows both engines and portals, and the
 * supervisor fails over, takes consent to drop members, and drains, level-triggered.
 *
 * <p>The test classes share one database: each test parks every other ONLINE node in
 * MAINTENANCE while it runs (so placement sees only the nodes it made) and puts them back after.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class HighAvailabilityTest extends HaTestBase {
  // ------------------------------------------------------------------ placement

  @Test
  void anHaArrayGetsAnActiveAndAStandbyEngineOnTwoNodesWithDrivesAndShareOnBoth() {
    String a = node("zone-a", 2, 2);
    String b = node("zone-b", 2, 2);
    JsonPath created = createHa("NODE", 4, 2).then().statusCode(201)
        .body("highAvailability", equalTo(true))
        .body("haEpoch", equalTo(0))
        .body("engines.size()", equalTo(2))
        .body("engines[0].role", equalTo("ACTIVE"))
        .body("engines[1].role", equalTo("STANDBY"))
        .extract().jsonPath();
    String id = created.getString("id");
    List<String> engineNodes = created.getList("engines.nodeId");
    assertThat(engineNodes).containsExactlyInAnyOrder(a, b);
    assertThat(created.getString("engines[0].portal")).isEqualTo(created.getString("portal"));
    assertThat(created.getString("engines[1].portal")).startsWith("127.0.1.");
    assertThat(created.getString("engines[0].state")).isEqualTo("PROVISIONING");
    assertThat(created.getString("engines[0].nodeName")).isNotBlank();

    // vCPU and memory reserved on both nodes
    JsonPath capacity = as(OPS).get("/api/v1/admin/capacity").then().statusCode(200).extract().jsonPath();
    for (String n : List.of(a, b)) {
      assertThat(capacity.getInt("nodes.find { it.nodeId == '" + n + "' }.reservedVcpus")).isEqualTo(1);
      assertThat(capacity.getInt("nodes.find { it.nodeId == '" + n + "' }.reservedMemoryGib")).isEqualTo(4);
    }
    // the drives on the two engine nodes, each type split evenly
    ArrayDesiredState state = desired(id);
    assertThat(state.drives()).hasSize(6);
    for (String n : List.of(a, b)) {
      assertThat(state.drives().stream().filter(d -> d.nodeId().toString().equals(n) && d.type().equals("SSD")))
          .hasSize(2);
      assertThat(state.drives().stream().filter(d -> d.nodeId().toString().equals(n) && d.type().equals("HDD")))
          .hasSize(1);
    }
    // every drive names its node's drive export service, those on the active's node too: the
    // standby's node opens them through it
    QuarkusTransaction.requiringNew().run(() -> Node.update("drivePortalPort = 3260 where id in ?1",
        List.of(UUID.fromString(a), UUID.fromString(b))));
    Map<UUID, String> addresses = QuarkusTransaction.requiringNew().call(() -> {
      Map<UUID, String> byId = new HashMap<>();
      Node.<Node>list("id in ?1", List.of(UUID.fromString(a), UUID.fromString(b))).forEach(n -> byId.put(n.id, n.address));
      return byId;
    });
    for (ArrayDesiredState.DriveSpec d : desired(id).drives()) {
      String address = addresses.get(d.nodeId());
      assertThat(d.exportPortal()).as("drive %s on node %s", d.serial(), d.nodeId()).isEqualTo(address + ":3260");
    }
    // the desired state names both engines at epoch 0 and goes to both nodes
    assertThat(state.ha().epoch()).isZero();
    assertThat(state.ha().engines()).extracting(ArrayDesiredState.Slot::role).containsExactly("ACTIVE", "STANDBY");
    assertThat(state.ha().engines()).extracting(ArrayDesiredState.Slot::portGroup).containsExactly(1, 2);
    assertThat(state.ha().outdatedNodeNames()).isEmpty();
    assertThat(state.nodeIds()).extracting(UUID::toString).containsExactlyInAnyOrder(a, b);
    assertThat(state.engineNodeId().toString()).isEqualTo(engineNodes.get(0));

    // GET shows the same, and the single-engine default stays as it was
    as(ACME).get("/api/v1/arrays/" + id).then().statusCode(200).body("highAvailability", equalTo(true))
        .body("engines.role", org.hamcrest.Matchers.contains("ACTIVE", "STANDBY"));
    as(ACME).body(Map.of("name", unique("single"), "engineSize", "E01", "ssdDrives", 0, "hddDrives", 1))
        .post("/api/v1/arrays").then().statusCode(201).body("highAvailability", equalTo(false))
        .body("engines.size()", equalTo(0)).body("haEpoch", org.hamcrest.Matchers.nullValue());
  }

  @Test
  void withOneNodeAnHaArrayIsRefusedNamingTheNodeAndNothingIsCreated() {
    node("zone-a", 2, 2);
    String name = unique("ha");
    as(ACME).body(Map.of("name", name, "engineSize", "E01", "ssdDrives", 2, "highAvailability", true))
        .post("/api/v1/arrays").then().statusCode(409)
        .body("type", equalTo("https://strata.io/problems/placement-failed"))
        .body("shortResource", equalTo("node"))
        .body("detail", containsString("standby engine"));
    as(ACME).queryParam("name", name).get("/api/v1/arrays").then().statusCode(200).body("items.size()", equalTo(0));
  }

  @Test
  void theStandbyNeedsItsOwnVcpuAndMemory() {
    node("zone-a", 2, 0);
    String small = node("zone-b", 2, 0);
    // the second node is busy: an E04 fits the first node only (4 vCPU each, nothing else runs)
    QuarkusTransaction.requiringNew().run(() -> Node.update("cpuCores = 2 where id = ?1", UUID.fromString(small)));
    as(ACME).body(Map.of("name", unique("ha"), "engineSize", "E04", "ssdDrives", 2, "highAvailability", true))
        .post("/api/v1/arrays").then().statusCode(409)
        .body("shortResource", equalTo("vcpu"))
        .body("detail", containsString("standby engine cannot be placed"));
  }

  @Test
  void spreadZonePutsTheStandbyInAnotherZoneOrRefusesNamingFaultDomains() {
    String a1 = node("zone-a", 2, 0);
    String a2 = node("zone-a", 2, 0);
    Response refused = createHa("ZONE", 2, 0);
    refused.then().statusCode(409).body("shortResource", equalTo("fault domains"))
        .body("detail", containsString("second zone"));
    String b = node("zone-b", 2, 0);
    JsonPath created = createHa("ZONE", 2, 0).then().statusCode(201).extract().jsonPath();
    List<String> engineNodes = created.getList("engines.nodeId");
    assertThat(engineNodes).contains(b);
    assertThat(engineNodes).containsAnyOf(a1, a2);
    // spread NONE keeps every drive on one node: not with two engines
    as(ACME).body(Map.of("name", unique("ha"), "engineSize", "E01", "spread", "NONE", "ssdDrives", 2,
        "highAvailability", true)).post("/api/v1/arrays").then().statusCode(422)
        .body("errors[0].field", equalTo("spread"));
  }

  @Test
  void poolsSurviveTheLossOfEitherEngineNode() {
    String a = node("zone-a", 4, 4);
    String b = node("zone-b", 4, 4);
    String id = createHa("NODE", 6, 6).then().statusCode(201).extract().path("id");
    // RAID5 loses one member; on two nodes one of them holds two: refused naming protection
    pool(id, "HDD", "RAID5", 3, Map.of()).then().statusCode(422)
        .body("errors[0].field", equalTo("protection"))
        .body("detail", containsString("RAID5"));
    // RAID6 with five members: three on one node, one more than it can lose
    pool(id, "HDD", "RAID6", 5, Map.of()).then().statusCode(422).body("errors[0].field", equalTo("protection"));
    // a mirror has a member on each node
    String mirror = pool(id, "HDD", "RAID1", 2, Map.of()).then().statusCode(201).extract().path("id");
    assertThat(drivesOn(id, a)).hasSize(1);
    assertThat(drivesOn(id, b)).hasSize(1);
    // RAID6 with four members: two on each node, which it can lose
    as(ACME).delete("/api/v1/pools/" + mirror).then().statusCode(org.hamcrest.Matchers.lessThan(300));
    pool(id, "HDD", "RAID6", 4, Map.of()).then().statusCode(201);
    assertThat(drivesOn(id, a)).hasSize(2);
    assertThat(drivesOn(id, b)).hasSize(2);
  }

  @Test
  void aPoolsCacheAndTierGetOneSsdOnEachEngineNode() {
    String a = node("zone-a", 2, 1);
    String b = node("zone-b", 2, 1);
    String id = createHa("NODE", 4, 2).then().statusCode(201).extract().path("id");
    String p = pool(id, "HDD", "RAID1", 2, Map.of("cacheMode", "WRITE_BACK", "tiering", true))
        .then().statusCode(201).extract().path("id");
    ArrayDesiredState state = desired(id);
    for (String role : List.of("CACHE", "TIER")) {
      List<ArrayDesiredState.DriveSpec> drives = state.drives().stream()
          .filter(d -> p.equals(String.valueOf(d.poolId())) && role.equals(d.role())).toList();
      assertThat(drives).as(role).hasSize(2);
      assertThat(drives).extracting(d -> d.nodeId().toString()).containsExactlyInAnyOrder(a, b);
    }
    // a second cached pool finds no SSD left on either node: refused naming cacheMode
    pool(id, "SSD", "RAID1", 2, Map.of()).then().statusCode(409);
  }

  // ------------------------------------------------------------------ the API's view

  @Test
  void anAttachmentOfAnHaArrayListsBothPortalsActiveFirst() {
    String[] ha = onlineHaArray();
    String id = ha[0];
    String poolId = as(ACME).queryParam("arrayId", id).get("/api/v1/pools").then().extract().path("items[0].id");
    String volume = Api.createVolume(ACME, poolId, unique("v"), 1);
    events.volumeReported(UUID.fromString(volume), io.strata.controlplane.domain.VolumeState.AVAILABLE, null);
    String server = Api.createServer(ACME, unique("s"));
    JsonPath view = as(ACME).get("/api/v1/arrays/" + id).then().statusCode(200).extract().jsonPath();
    List<String> portals = as(ACME).body(Map.of("volumeId", volume, "serverId", server)).post("/api/v1/attachments")
        .then().statusCode(201).extract().jsonPath().getList("connection.portals");
    assertThat(portals).containsExactly(view.getString("engines[0].portal"), view.getString("engines[1].portal"));
    assertThat(view.getString("engines[0].nodeId")).isEqualTo(ha[1]);
    assertThat(view.getString("engines[0].state")).isEqualTo("ONLINE");
  }

  // ------------------------------------------------------------------ failover

  @Test
  void aSilentActiveNodeIsFailedOverToTheStandbyInOneStep() {
    String[] ha = onlineHaArray();
    String id = ha[0];
    Instant now = Instant.now();
    heardAt(ha[1], now.minusSeconds(5)); // beyond strata.ha.failover-after (4 s)
    heardAt(ha[2], now.minusMillis(500));
    long before = commands(id);

    assertThat(superviseOnce(id, now)).isEqualTo("failover");

    StorageArray after = array(id);
    assertThat(after.haEpoch).isEqualTo(1);
    assertThat(after.nodeId.toString()).isEqualTo(ha[2]);
    Map<UUID, ArrayEngine> slots = engines(id);
    assertThat(slots.get(UUID.fromString(ha[2])).role).isEqualTo(EngineRole.ACTIVE);
    assertThat(slots.get(UUID.fromString(ha[1])).role).isEqualTo(EngineRole.STANDBY);
    assertThat(slots.get(UUID.fromString(ha[1])).outdated).isTrue();
    assertThat(commands(id)).isGreaterThan(before);
    ArrayDesiredState state = desired(id);
    assertThat(state.engineNodeId().toString()).isEqualTo(ha[2]);
    assertThat(state.ha().epoch()).isEqualTo(1);
    assertThat(state.ha().outdatedNodeNames()).containsExactly(nodeName(ha[1]));
    assertThat(state.nodeIds()).extracting(UUID::toString).contains(ha[1], ha[2]);
    // degraded: no healthy standby (the old active's copies are outdated), with the reason
    assertThat(array(id).state).isEqualTo(ArrayState.DEGRADED);
    assertThat(array(id).failureReason).contains("outdated");

    // the next round changes nothing (level-triggered, no second promotion)
    assertThat(superviseOnce(id, now.plusMillis(500))).isEqualTo("nothing");
    assertThat(array(id).haEpoch).isEqualTo(1);
  }

  /**
   * A control-plane replica that dies leaves its partitions of strata.events unread until the
   * consumer group hands them on: a node on such a partition is not heard from, but nobody is
   * listening. The supervisor waits instead of failing over a live node; once another replica
   * reads the partition to its end and the node is still quiet, it fails over.
   */
  @Test
  void anActiveWhoseReportsNobodyReadsIsNotFailedOverUntilTheyAreReadAgain() {
    String[] ha = onlineHaArray();
    String id = ha[0];
    Instant now = Instant.now();
    heardAt(ha[1], now.minusSeconds(5)); // beyond strata.ha.failover-after (4 s)
    heardAt(ha[2], now.minusMillis(500));
    try {
      partitionReadAt(ha[1], UNREAD_PARTITION, now.minusSeconds(10));
      assertThat(superviseOnce(id, now)).isNotEqualTo("failover");
      assertThat(array(id).haEpoch).isZero();
      assertThat(array(id).nodeId.toString()).isEqualTo(ha[1]);

      partitionReadAt(ha[1], UNREAD_PARTITION, now);
      assertThat(superviseOnce(id, now)).isEqualTo("failover");
      assertThat(array(id).nodeId.toString()).isEqualTo(ha[2]);
    } finally {
      partitionReadAt(ha[1], null, now);
    }
  }

  /** The watchdog likewise leaves a node ONLINE while its reports are not being read. */
  @Test
  void aNodeWhoseReportsNobodyReadsIsNotMarkedOffline() {
    String[] ha = onlineHaArray();
    Instant now = Instant.now();
    heardAt(ha[1], now.minusSeconds(60)); // beyond strata.provisioning.heartbeat-timeout
    try {
      partitionReadAt(ha[1], UNREAD_PARTITION, now.minusSeconds(30));
      watchdog.check(now);
      assertThat(nodeState(ha[1])).isEqualTo(NodeState.ONLINE);

      partitionReadAt(ha[1], UNREAD_PARTITION, now);
      watchdog.check(now);
      assertThat(nodeState(ha[1])).isEqualTo(NodeState.OFFLINE);
    } finally {
      partitionReadAt(ha[1], null, now);
    }
  }

  /** A partition number no real consumer reads (strata.events has 6), so only the test moves it. */
  private static final int UNREAD_PARTITION = 97;

  @Inject io.strata.controlplane.provisioning.Watchdog watchdog;

  private static NodeState nodeState(String nodeId) {
    return QuarkusTransaction.requiringNew().call(() -> Node.<Node>findById(UUID.fromString(nodeId)).state);
  }

  /** The node's reports arrive on {@code partition}, which a replica last read to its end at {@code at}. */
  private static void partitionReadAt(String nodeId, Integer partition, Instant at) {
    QuarkusTransaction.requiringNew().run(() -> {
      Node.update("eventsPartition = ?1 where id = ?2", partition, UUID.fromString(nodeId));
      if (partition != null) {
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
            .createNativeQuery("insert into events_partition_progress (partition_no, caught_up_at) values (?1, ?2) "
                + "on conflict (partition_no) do update set caught_up_at = excluded.caught_up_at")
            .setParameter(1, partition)
            .setParameter(2, at)
            .executeUpdate();
      }
    });
  }

  @Test
  void aSilentStandbyOrBothSilentMovesNothing() {
    String[] ha = onlineHaArray();
    String id = ha[0];
    Instant now = Instant.now();
    heardAt(ha[1], now);
    heardAt(ha[2], now.minusSeconds(10));
    assertThat(superviseOnce(id, now)).isEqualTo("nothing");
    assertThat(array(id).haEpoch).isZero();
    assertThat(array(id).nodeId.toString()).isEqualTo(ha[1]);
    // but the array says it has no healthy standby
    assertThat(array(id).state).isEqualTo(ArrayState.DEGRADED);
    assertThat(array(id).failureReason).contains("not heard from");

    heardAt(ha[1], now.minusSeconds(10));
    assertThat(superviseOnce(id, now)).isEqualTo("nothing");
    assertThat(array(id).haEpoch).isZero();
    assertThat(array(id).nodeId.toString()).isEqualTo(ha[1]);

    // the standby is heard again and the active reports ONLINE: ONLINE again
    heardAt(ha[1], now);
    heardAt(ha[2], now);
    superviseOnce(id, now);
    report(id, ha[1], ArrayStatus.State.ONLINE, Role.ACTIVE, 0, List.of(), List.of());
    assertThat(array(id).state).isEqualTo(ArrayState.ONLINE);
  }

  @Test
  void aDecisionThatWasNotCommittedIsTakenAgainAndTwoSupervisorsNeverBothAct() throws Exception {
    String[] ha = onlineHaArray();
    String id = ha[0];
    Instant now = Instant.now();
    heardAt(ha[1], now.minusSeconds(6));
    heardAt(ha[2], now);
    // a control plane that decided and died before committing: nothing of it remains
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
      assertThat(supervisor.superviseOne(UUID.fromString(id), now)).isEqualTo("failover");
      QuarkusTransaction.setRollbackOnly();
    })).isInstanceOf(io.quarkus.narayana.jta.QuarkusTransactionException.class);
    assertThat(array(id).haEpoch).isZero();
    assertThat(engines(id).get(UUID.fromString(ha[1])).role).isEqualTo(EngineRole.ACTIVE);

    // another replica holds the row: this one skips it rather than deciding twice
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
      StorageArray.findById(UUID.fromString(id), jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
      held.countDown();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    assertThat(held.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(superviseOnce(id, now)).isEqualTo("busy");
    release.countDown();
    holder.get(20, TimeUnit.SECONDS);

    // the restarted supervisor converges: one failover, once
    assertThat(superviseOnce(id, now)).isEqualTo("failover");
    assertThat(superviseOnce(id, now)).isEqualTo("nothing");
    assertThat(array(id).haEpoch).isEqualTo(1);
  }

  // ------------------------------------------------------------------ consent

  @Test
  void theActiveOfTheCurrentEpochMayDropAMemberAStaleOrStandbyEngineMayNot() {
    String[] ha = onlineHaArray();
    String id = ha[0];
    String standbyDrive = drivesOn(id, ha[2]).get(0);

    // the standby, or an engine of an older epoch, asks: refused, nothing changes
    report(id, ha[2], ArrayStatus.State.ONLINE, Role.STANDBY, 0, List.of(standbyDrive), List.of());
    QuarkusTransaction.requiringNew().run(() -> StorageArray.update("haEpoch = 3 where id = ?1", UUID.fromString(id)));
    report(id, ha[1], ArrayStatus.State.DEGRADED, Role.ACTIVE, 2, List.of(standbyDrive), List.of());
    assertThat(engines(id).values()).noneMatch(e -> e.outdated);
    assertThat(desired(id).ha().outdatedNodeNames()).isEmpty();

    // the active engine at the current epoch asks: its node's copies become outdated, sent to the nodes
    long before = commands(id);
    report(id, ha[1], ArrayStatus.State.DEGRADED, Role.ACTIVE, 3, List.of(standbyDrive), List.of());
    assertThat(engines(id).get(UUID.fromString(ha[2])).outdated).isTrue();
    assertThat(desired(id).ha().outdatedNodeNames()).containsExactly(nodeName(ha[2]));
    assertThat(commands(id)).isGreaterThan(before);
    assertThat(array(id).state).isEqualTo(ArrayState.DEGRADED);
    assertThat(array(id).failureReason).contains("outdated");
    // an outdated standby is never promoted
    Instant now = Instant.now();
    heardAt(ha[1], now.minusSeconds(10));
    heardAt(ha[2], now);
    assertThat(superviseOnce(id, now)).isEqualTo("nothing");

    // resynced: the active reports every drive of that node READY: in sync again, ONLINE
    heardAt(ha[1], now);
    List<ObjectStatus> ready = new ArrayList<>();
    for (String n : List.of(ha[1], ha[2])) {
      drivesOn(id, n).forEach(d -> ready.add(new ObjectStatus(id, ObjectStatus.Kind.DRIVE, d, ObjectStatus.State.READY,
          null)));
    }
    // (every drive READY, but the engine says its pool is degraded: the drives are in its layout,
    // one is offline or still resyncing; the copies stay outdated)
    report(id, ha[1], ArrayStatus.State.DEGRADED, Role.ACTIVE, 3, List.of(), ready);
    assertThat(engines(id).get(UUID.fromString(ha[2])).outdated).isTrue();
    report(id, ha[1], ArrayStatus.State.ONLINE, Role.ACTIVE, 3, List.of(), ready);
    assertThat(engines(id).get(UUID.fromString(ha[2])).outdated).isFalse();
    assertThat(desired(id).ha().outdatedNodeNames()).isEmpty();
    assertThat(array(id).state).isEqualTo(ArrayState.ONLINE);
  }

  // ------------------------------------------------------------------ drain

  @Test
  void drainSwitchesOverInTwoStepsListsWhatCannotMoveAndUndrainPutsTheNodeBack() {
    String[] ha = onlineHaArray();
    String id = ha[0];
    // a single-engine array on the active's node cannot move
    String single = as(ACME).body(Map.of("name", unique("single"), "engineSize", "E01", "hddDrives", 1))
        .post("/api/v1/arrays").then().statusCode(201).extract().path("id");
    QuarkusTransaction.requiringNew().run(() -> StorageArray.update("nodeId = ?1, portalPort = 3999 where id = ?2",
        UUID.fromString(ha[1]), UUID.fromString(single)));

    heardAt(ha[1], Instant.now().plusSeconds(60));
    heardAt(ha[2], Instant.now().plusSeconds(60));
    JsonPath drained = as(OPS).post("/api/v1/admin/nodes/" + ha[1] + "/drain").then().statusCode(200)
        .body("node.state", equalTo("MAINTENANCE")).extract().jsonPath();
    assertThat(drained.getList("switchingOver.arrayId")).containsExactly(id);
    assertThat(drained.getList("cannotMove.arrayId")).containsExactly(single);
    assertThat(drained.getString("cannotMove[0].reason")).contains("single-engine");
    // step (a): a new epoch, both STANDBY, the agents still told the old node runs the engine
    assertThat(array(id).haEpoch).isEqualTo(1);
    assertThat(engines(id).values()).allMatch(e -> e.role == EngineRole.STANDBY);
    assertThat(desired(id).engineNodeId().toString()).isEqualTo(ha[1]);
    // idempotent
    as(OPS).post("/api/v1/admin/nodes/" + ha[1] + "/drain").then().statusCode(200)
        .body("switchingOver.arrayId", org.hamcrest.Matchers.contains(id));
    assertThat(array(id).haEpoch).isEqualTo(1);
    // nothing happens before the old active reports STANDBY at the new epoch
    Instant now = Instant.now();
    heardAt(ha[1], now);
    heardAt(ha[2], now);
    assertThat(superviseOnce(id, now)).isEqualTo("waiting");
    report(id, ha[1], ArrayStatus.State.ONLINE, Role.STANDBY, 0, List.of(), List.of()); // an old report
    assertThat(superviseOnce(id, now)).isEqualTo("waiting");
    // step (b), taken by the report itself rather than at the supervisor's next round (it judges
    // the heartbeats at the real time: both nodes heard from just now)
    heardAt(ha[1], Instant.now());
    heardAt(ha[2], Instant.now());
    report(id, ha[1], ArrayStatus.State.ONLINE, Role.STANDBY, 1, List.of(), List.of());
    assertThat(array(id).nodeId.toString()).isEqualTo(ha[2]);
    assertThat(array(id).switchoverStartedAt).isNull();
    assertThat(array(id).haEpoch).isEqualTo(1);
    assertThat(engines(id).get(UUID.fromString(ha[2])).role).isEqualTo(EngineRole.ACTIVE);
    assertThat(engines(id).get(UUID.fromString(ha[1])).outdated).isFalse();
    // a drained node takes no new array (its standby slot stays: the array still has a standby)
    assertThat(superviseOnce(id, now)).isEqualTo("nothing");

    // undrain: ONLINE again; idempotent; operators only
    as(ACME).post("/api/v1/admin/nodes/" + ha[1] + "/undrain").then().statusCode(403);
    as(OPS).post("/api/v1/admin/nodes/" + ha[1] + "/undrain").then().statusCode(200).body("state", equalTo("ONLINE"));
    as(OPS).post("/api/v1/admin/nodes/" + ha[1] + "/undrain").then().statusCode(200).body("state", equalTo("ONLINE"));
    as(ACME).post("/api/v1/admin/nodes/" + ha[1] + "/drain").then().statusCode(403);
    as(OPS).post("/api/v1/admin/nodes/" + UUID.randomUUID() + "/drain").then().statusCode(404);
  }

  @Test
  void aHeartbeatDuringADrainWaitsForItInsteadOfFailingOnTheNodesVersion() throws Exception {
    String node = node("zone-a", 0, 1);
    String name = nodeName(node);
    // a drain holding the node's row while it marks the node MAINTENANCE
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
      Node n = Node.findById(UUID.fromString(node), jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
      n.state = NodeState.MAINTENANCE;
      held.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> beat = CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() ->
        reports.heartbeat(new io.strata.contracts.event.NodeHeartbeat(name, 1L, 0, 0, 1000L))));
    // the heartbeat's transaction is waiting for the drain's row lock (before the fix: at its
    // update, with the version it read before the drain's change)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!beat.isDone() && waitingForALock() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    release.countDown();
    drain.get(30, TimeUnit.SECONDS);
    beat.get(30, TimeUnit.SECONDS); // before the fix: StaleObjectStateException on the node's version
    Node after = QuarkusTransaction.requiringNew().call(() -> Node.<Node>findById(UUID.fromString(node)));
    assertThat(after.state).isEqualTo(NodeState.MAINTENANCE);
    assertThat(after.lastHeartbeatAt).isNotNull();
  }

  /** How many of this database's sessions wait for a lock held by another transaction. */
  private static long waitingForALock() {
    return QuarkusTransaction.requiringNew().call(() -> ((Number) io.quarkus.hibernate.orm.panache.Panache
        .getEntityManager().createNativeQuery("select count(*) from pg_stat_activity where datname = current_database()"
            + " and wait_event_type = 'Lock'").getSingleResult()).longValue());
  }

  @Test
  void aSwitchoverWhoseOldActiveNeverDemotesEndsAsAFailover() {
    String[] ha = onlineHaArray();
    String id = ha[0];
    heardAt(ha[1], Instant.now().plusSeconds(60));
    heardAt(ha[2], Instant.now().plusSeconds(60));
    as(OPS).post("/api/v1/admin/nodes/" + ha[1] + "/drain").then().statusCode(200);
    Instant started = array(id).switchoverStartedAt;
    Instant later = started.plusSeconds(11); // beyond strata.ha.switchover-timeout (10 s)
    heardAt(ha[1], later);
    heardAt(ha[2], later);
    assertThat(superviseOnce(id, started.plusSeconds(5))).isEqualTo("waiting");
    assertThat(superviseOnce(id, later)).isEqualTo("switchover-timeout");
    StorageArray after = array(id);
    assertThat(after.haEpoch).isEqualTo(2); // fenced again: the old active may still write
    assertThat(after.nodeId.toString()).isEqualTo(ha[2]);
    assertThat(engines(id).get(UUID.fromString(ha[1])).outdated).isTrue();
    assertThat(after.switchoverStartedAt).isNull();
  }

  @Test
  void aDrainWhoseStandbyIsSilentMovesNothingAndSaysWhy() {
    String[] ha = onlineHaArray();
    String id = ha[0];
    heardAt(ha[2], Instant.now().minusSeconds(30));
    JsonPath drained = as(OPS).post("/api/v1/admin/nodes/" + ha[1] + "/drain").then().statusCode(200).extract()
        .jsonPath();
    assertThat(drained.getList("switchingOver")).isEmpty();
    assertThat(drained.getList("cannotMove.arrayId")).containsExactly(id);
    assertThat(drained.getString("cannotMove[0].reason")).contains("standby");
    assertThat(array(id).haEpoch).isZero();
    // level-triggered: once the standby is heard, the supervisor starts the switchover itself
    heardAt(ha[1], Instant.now());
    heardAt(ha[2], Instant.now());
    assertThat(superviseOnce(id, Instant.now())).isEqualTo("switchover");
    assertThat(array(id).haEpoch).isEqualTo(1);
  }
}
