package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.provisioning.ProvisioningOnProfile;
import io.strata.controlplane.replicas.ReplicaLocks;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Scale drill finding 5: a node that died while no control plane ran is still ONLINE in the
 * database after a start, until the watchdog's round once its reports are read again. Placement
 * no longer trusts the column: a node whose last heartbeat is older than the heartbeat timeout is
 * not placeable. The test holds the watchdog's lock while it places (as if the watchdog had not
 * had its round yet), with provisioning on (the nodes' reports are read: ProvisioningOnProfile,
 * heartbeat timeout 4 s).
 */
@QuarkusTest
@TestProfile(ProvisioningOnProfile.class)
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class SilentNodePlacementTest extends HaTestBase {
  @Inject ReplicaLocks locks;

  /** An ONLINE node of this test, last heard {@code heard}, with two SSDs (the others parked). */
  private String node(String zone, int cpu, int memGib, Instant heard) {
    String id = Api.onlineNode(zone, "127.0.3." + (mine.size() + 1), cpu, memGib, 2, 0);
    mine.add(UUID.fromString(id));
    parkOthers();
    heardAt(id, heard);
    return id;
  }

  @Test
  void aNodeSilentLongerThanTheHeartbeatTimeoutIsNotPlacedOnWhileStillOnlineInTheDatabase() {
    String[] nodes = new String[2];
    QuarkusTransaction.requiringNew().timeout(60).run(() -> {
      // the watchdog's rounds wait: nothing marks the dead node OFFLINE while this runs
      await().pollInSameThread().atMost(Duration.ofSeconds(10)).until(() -> locks.tryLock(ReplicaLocks.WATCHDOG));
      Instant now = Instant.now();
      // the dead node is the roomier: the weighers would pick it
      nodes[0] = node("zone-dead", 16, 64, now.minusSeconds(600));
      nodes[1] = node("zone-alive", 4, 16, now.plusSeconds(60));
      assertThat(nodeState(nodes[0])).isEqualTo(NodeState.ONLINE);

      String id = as(ACME).body(Map.of("name", unique("placed"), "engineSize", "E01", "spread", "NONE",
          "ssdDrives", 1)).post("/api/v1/arrays").then().statusCode(201).extract().path("id");
      assertThat(array(id).nodeId.toString()).as("placed on the live node").isEqualTo(nodes[1]);

      // what only the dead node could hold is refused, naming it
      as(ACME).body(Map.of("name", unique("big"), "engineSize", "E08", "spread", "NONE", "ssdDrives", 1))
          .post("/api/v1/arrays").then().statusCode(409)
          .body("type", containsString("placement-failed"))
          .body("detail", containsString(nodeName(nodes[0]) + " is OFFLINE"));
      assertThat(nodeState(nodes[0])).as("the column still says").isEqualTo(NodeState.ONLINE);
    });
    // the watchdog's lock released: its next round marks the dead node OFFLINE
    await().atMost(Duration.ofSeconds(10)).until(() -> nodeState(nodes[0]) == NodeState.OFFLINE);
  }

  private static NodeState nodeState(String id) {
    return QuarkusTransaction.requiringNew().call(() -> Node.<Node>findById(UUID.fromString(id)).state);
  }
}
