package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.contracts.event.ArrayStatus;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.provisioning.Watchdog;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Scale drill finding 4, with the watchdog's clock and the node's heartbeats set by the test: an
 * array being created on a node whose heartbeats are late is not FAILED at the transition
 * timeout (120 s) but waits for the node, up to the late-node timeout (10 min); it fails at 120 s
 * only when its node was heard after those 120 s and still did not report it; a decommissioned
 * node is not waited for; and a creation failed either way comes ONLINE when its node reports it.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class LateNodeTransitionsTest extends HaTestBase {
  static final Duration TRANSITION = Duration.ofSeconds(120);
  static final Duration LATE_NODE = Duration.ofMinutes(10);

  @Inject Watchdog watchdog;

  /** A new array on the test's node, PROVISIONING; returns [id, when its creation started]. */
  private Object[] creating() {
    String id = Api.createArray(ACME, unique("late"), 1, 0);
    StorageArray a = array(id);
    assertThat(a.state).isEqualTo(ArrayState.PROVISIONING);
    return new Object[] {id, a.updatedAt};
  }

  /** The node's heartbeat read, sent {@code at}: it is ONLINE again (as NodeReports makes it). */
  private static void heardAgain(String nodeId, Instant at) {
    QuarkusTransaction.requiringNew().run(() -> Node.update("lastHeartbeatAt = ?1, state = ?2 where id = ?3", at,
        NodeState.ONLINE, UUID.fromString(nodeId)));
  }

  private void reportOnline(String arrayId, String nodeId) {
    reports.arrayStatus(new ArrayStatus(arrayId, nodeName(nodeId), 1, ArrayStatus.State.ONLINE, null, null, null, null,
        0, null, List.of(), null, null, List.of()));
  }

  private static String failureReason(String id) {
    return as(ACME).get("/api/v1/arrays/" + id).then().statusCode(200).extract().path("failureReason");
  }

  @Test
  void aCreationWaitsForANodeWhoseHeartbeatsAreLateAndHealsWhenReportedAfterFailing() {
    String node = node("zone-late", 3, 0);
    Object[] first = creating();
    String id = (String) first[0];
    Instant started = (Instant) first[1];
    heardAt(node, started); // then nothing: the node's heartbeats are late

    watchdog.check(started.plus(TRANSITION).plusSeconds(1));
    assertThat(array(id).state).as("its node has not been heard since: it may yet report").isEqualTo(ArrayState.PROVISIONING);
    assertThat(QuarkusTransaction.requiringNew().call(() -> Node.<Node>findById(UUID.fromString(node)).state))
        .as("the node itself is suspect").isEqualTo(NodeState.OFFLINE);

    // the node is heard again (its heartbeats were late, not lost): it reports the array ready
    heardAgain(node, started.plus(TRANSITION).plusSeconds(10));
    reportOnline(id, node);
    assertThat(array(id).state).isEqualTo(ArrayState.ONLINE);

    // a node heard after the transition timeout that still has not reported a creation: FAILED
    Object[] second = creating();
    String silent = (String) second[0];
    Instant secondStarted = (Instant) second[1];
    heardAgain(node, secondStarted.plus(TRANSITION).plusSeconds(5));
    watchdog.check(secondStarted.plus(TRANSITION).plusSeconds(6));
    assertThat(array(silent).state).isEqualTo(ArrayState.FAILED);
    assertThat(failureReason(silent)).isEqualTo("no report from the storage node within 120 s");
    // ... and a FAILED creation is not FAILED for ever: its node's report brings it ONLINE
    reportOnline(silent, node);
    assertThat(array(silent).state).isEqualTo(ArrayState.ONLINE);
  }

  @Test
  void aNodeSilentBeyondTheLateNodeTimeoutOrDecommissionedFailsItsCreations() {
    String node = node("zone-gone", 3, 0);
    Object[] made = creating();
    String id = (String) made[0];
    Instant started = (Instant) made[1];
    heardAt(node, started);

    watchdog.check(started.plus(LATE_NODE).minusSeconds(1));
    assertThat(array(id).state).isEqualTo(ArrayState.PROVISIONING);
    watchdog.check(started.plus(LATE_NODE).plusSeconds(1));
    assertThat(array(id).state).isEqualTo(ArrayState.FAILED);
    assertThat(failureReason(id)).startsWith("no report from the storage node within 600 s (node ");
    heardAgain(node, started.plus(LATE_NODE).plusSeconds(2)); // back after all
    reportOnline(id, node);
    assertThat(array(id).state).isEqualTo(ArrayState.ONLINE);

    // an operator decommissions the node for good: its creations are not waited for
    Object[] other = creating();
    String onGone = (String) other[0];
    QuarkusTransaction.requiringNew().run(() -> Node.update("state = ?1 where id = ?2", NodeState.DECOMMISSIONED,
        UUID.fromString(node)));
    watchdog.check(((Instant) other[1]).plus(TRANSITION).plusSeconds(1));
    assertThat(array(onGone).state).isEqualTo(ArrayState.FAILED);
  }
}
