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
 * What the tests of highly available arrays share: nodes of their own (every other ONLINE node
 * parked in MAINTENANCE while a test runs, since the test classes share one database), arrays
 * made through the API, reports and heartbeats as the agents would send them, and one supervisor
 * round at a time.
 */
abstract class HaTestBase {
  @Inject CommandOutbox outbox;
  @Inject HaSupervisor supervisor;
  @Inject NodeReports reports;
  @Inject ProvisioningEvents events;

  protected final List<UUID> parked = new ArrayList<>();
  protected final List<UUID> mine = new ArrayList<>();

  @BeforeEach
  void quota() {
    Api.roomyQuota("acme");
  }

  @AfterEach
  void restoreOtherNodes() {
    QuarkusTransaction.requiringNew().run(() -> {
      if (!parked.isEmpty()) {
        Node.update("state = ?1 where id in ?2", NodeState.ONLINE, parked);
      }
      if (!mine.isEmpty()) {
        Node.update("state = ?1 where id in ?2", NodeState.MAINTENANCE, mine);
      }
    });
  }

  /** An ONLINE node of this test (the others parked), with its drives. */
  protected String node(String zone, int ssd, int hdd) {
    String id = Api.onlineNode(zone, "127.0.1." + (mine.size() + 1), 4, 16, ssd, hdd);
    mine.add(UUID.fromString(id));
    parkOthers();
    return id;
  }

  protected void parkOthers() {
    QuarkusTransaction.requiringNew().run(() -> {
      List<UUID> others = Node.<Node>list("state = ?1", NodeState.ONLINE).stream().map(n -> n.id)
          .filter(id -> !mine.contains(id)).toList();
      if (!others.isEmpty()) {
        Node.update("state = ?1 where id in ?2", NodeState.MAINTENANCE, others);
        parked.addAll(others);
      }
    });
  }

  protected static Response createHa(String spread, int ssd, int hdd) {
    return as(ACME).body(Map.of("name", unique("ha"), "engineSize", "E01", "spread", spread, "ssdDrives", ssd,
        "hddDrives", hdd, "highAvailability", true)).post("/api/v1/arrays");
  }

  protected static Response pool(String arrayId, String type, String protection, int count, Map<String, Object> extra) {
    Map<String, Object> body = new HashMap<>(Map.of("arrayId", arrayId, "name", unique("p"), "driveType", type,
        "protection", protection, "driveCount", count));
    body.putAll(extra);
    return as(ACME).body(body).post("/api/v1/pools");
  }

  protected ArrayDesiredState desired(String arrayId) {
    return QuarkusTransaction.requiringNew().call(() -> outbox.desiredStateNow(UUID.fromString(arrayId)));
  }

  protected static StorageArray array(String id) {
    return QuarkusTransaction.requiringNew().call(() -> StorageArray.<StorageArray>findById(UUID.fromString(id)));
  }

  protected static Map<UUID, ArrayEngine> engines(String arrayId) {
    return QuarkusTransaction.requiringNew().call(() -> {
      Map<UUID, ArrayEngine> byNode = new HashMap<>();
      ArrayEngine.<ArrayEngine>list("arrayId", UUID.fromString(arrayId)).forEach(e -> byNode.put(e.nodeId, e));
      return byNode;
    });
  }

  /** Heartbeats of the node as if last heard {@code at}. */
  protected static void heardAt(String nodeId, Instant at) {
    QuarkusTransaction.requiringNew().run(() -> Node.update("lastHeartbeatAt = ?1 where id = ?2", at,
        UUID.fromString(nodeId)));
  }

  protected static String nodeName(String nodeId) {
    return QuarkusTransaction.requiringNew().call(() -> Node.<Node>findById(UUID.fromString(nodeId)).name);
  }

  protected static long commands(String arrayId) {
    return QuarkusTransaction.requiringNew().call(() -> OutboxMessage.count("subject", "array/" + arrayId));
  }

  /** The drives of the array on {@code nodeId}, optionally only those a pool uses. */
  protected static List<String> drivesOn(String arrayId, String nodeId) {
    return QuarkusTransaction.requiringNew().call(() -> ArrayDrive.<ArrayDrive>list("arrayId", UUID.fromString(arrayId))
        .stream().filter(ad -> ad.poolId != null)
        .map(ad -> Drive.<Drive>findById(ad.driveId))
        .filter(d -> d.nodeId.equals(UUID.fromString(nodeId))).map(d -> d.id.toString()).toList());
  }

  protected void report(String arrayId, String nodeId, ArrayStatus.State state, Role role, long epoch,
      List<String> awaitingDrop, List<ObjectStatus> objects) {
    reports.arrayStatus(new ArrayStatus(arrayId, nodeName(nodeId), 1, state, null, null, null, null, 0, null, objects,
        role, epoch, awaitingDrop));
  }

  protected String superviseOnce(String arrayId, Instant now) {
    return QuarkusTransaction.requiringNew().call(() -> supervisor.superviseOne(UUID.fromString(arrayId), now));
  }

  /** An HA array with a RAID1 SSD pool on two fresh nodes, ONLINE; [array, active node, standby node]. */
  protected String[] onlineHaArray() {
    String a = node("zone-a", 2, 1);
    String b = node("zone-b", 2, 1);
    String id = createHa("NODE", 4, 0).then().statusCode(201).extract().path("id");
    pool(id, "SSD", "RAID1", 2, Map.of()).then().statusCode(201);
    StorageArray placed = array(id);
    String active = placed.nodeId.toString();
    String standby = active.equals(a) ? b : a;
    Instant now = Instant.now();
    heardAt(active, now);
    heardAt(standby, now);
    report(id, active, ArrayStatus.State.ONLINE, Role.ACTIVE, 0, List.of(), List.of());
    report(id, standby, ArrayStatus.State.ONLINE, Role.STANDBY, 0, List.of(), List.of());
    assertThat(array(id).state).isEqualTo(ArrayState.ONLINE);
    return new String[] {id, active, standby};
  }
}
