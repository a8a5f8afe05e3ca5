package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.provisioning.Watchdog;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What a second control-plane replica must not change (docs/replicas.md): several watchdogs at
 * the same moment (N1), and heartbeats read again by a replica after a rebalance (N4b).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class ReplicasTest extends HaTestBase {
  @Inject Watchdog watchdog;
  @Inject MeterRegistry registry;

  private double nodesMarkedOffline() {
    return registry.find("strata_watchdog_actions").tag("kind", "node").counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  @Test
  void fourWatchdogsAtOnceMarkASilentNodeOfflineOnceAndNoneFails() throws Exception {
    String node = node("zone-w", 4, 0);
    List<String> arrays = List.of(Api.createArray(ACME, unique("watched"), 1, 0),
        Api.createArray(ACME, unique("watched"), 1, 0));
    arrays.forEach(a -> events.arrayReported(UUID.fromString(a), ArrayState.ONLINE, null));
    Instant now = Instant.now();
    heardAt(node, now.minusSeconds(3600));
    double before = nodesMarkedOffline();

    ExecutorService replicas = Executors.newFixedThreadPool(4);
    try {
      Callable<Void> round = () -> {
        watchdog.check(now);
        return null;
      };
      for (Future<Void> done : replicas.invokeAll(Collections.nCopies(4, round))) {
        done.get(); // none of them failed
      }
    } finally {
      replicas.shutdown();
    }

    assertThat(nodesMarkedOffline() - before).as("node actions counted").isEqualTo(1);
    assertThat(node(node).state).isEqualTo(NodeState.OFFLINE);
    assertThat(arrays).allSatisfy(a -> assertThat(array(a).state).isEqualTo(ArrayState.DEGRADED));
  }

  /**
   * A node fell silent and went OFFLINE; a replica that took over the events partition reads the
   * last batch again, heartbeats sent before the last one heard. They are no news: the node stays
   * OFFLINE with its last heartbeat where it was. Before, each read stamped "now" and brought the
   * node back ONLINE, holding off its arrays' failover.
   */
  @Test
  void aHeartbeatReadAgainDoesNotMakeASilentNodeLookAlive() {
    String node = node("zone-h", 0, 1);
    String name = nodeName(node);
    Instant lastHeard = Instant.now().minusSeconds(30).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    heardAt(node, lastHeard);
    io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> io.strata.controlplane.domain.Node.update(
        "state = ?1 where id = ?2", NodeState.OFFLINE, UUID.fromString(node)));

    io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> reports.heartbeat(
        new io.strata.contracts.event.NodeHeartbeat(name, 1L, 0, 0, 1000L), lastHeard.minusSeconds(5)));

    assertThat(node(node).lastHeartbeatAt).isEqualTo(lastHeard);
    assertThat(node(node).state).isEqualTo(NodeState.OFFLINE);
    // a new one brings it back
    io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> reports.heartbeat(
        new io.strata.contracts.event.NodeHeartbeat(name, 2L, 0, 0, 1000L), Instant.now()));
    assertThat(node(node).state).isEqualTo(NodeState.ONLINE);
    assertThat(node(node).lastHeartbeatAt).isAfter(lastHeard);
  }

  /**
   * Review of N4b: an agent whose clock runs 10 s behind, its heartbeat read promptly (the events
   * consumer knows it reached Kafka within 300 ms). It counts from about its read, so the node
   * stays alive for the HA supervisor (strata.ha.failover-after is 4 s). Before, it counted from
   * the agent's clock, 10 s ago, and the node's HA arrays failed over.
   */
  @Test
  void aPromptlyReadHeartbeatOfAnAgentWhoseClockRunsBehindKeepsItsNodeAlive() {
    String node = node("zone-s", 0, 1);
    Instant lastHeard = Instant.now().minusSeconds(30);
    heardAt(node, lastHeard);
    Instant sent = Instant.now().minusSeconds(10);

    io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> reports.heartbeat(
        new io.strata.contracts.event.NodeHeartbeat(nodeName(node), 1L, 0, 0, 1000L), sent, null,
        java.time.Duration.ofMillis(300)));

    assertThat(node(node).lastHeartbeatAt).isAfter(sent.plusSeconds(5));
  }

  /**
   * ... while one read late (a backlog after the reading replica paused: it reached Kafka up to
   * 12 s before its read) counts from when the agent sent it, not as fresh.
   */
  @Test
  void aHeartbeatReadLateAfterAPauseDoesNotCountAsFresh() {
    String node = node("zone-l", 0, 1);
    Instant lastHeard = Instant.now().minusSeconds(30).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    heardAt(node, lastHeard);
    Instant sent = Instant.now().minusSeconds(10).truncatedTo(java.time.temporal.ChronoUnit.MICROS);

    io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> reports.heartbeat(
        new io.strata.contracts.event.NodeHeartbeat(nodeName(node), 1L, 0, 0, 1000L), sent, null,
        java.time.Duration.ofSeconds(12)));

    assertThat(node(node).lastHeartbeatAt).isEqualTo(sent);
  }

  private static io.strata.controlplane.domain.Node node(String id) {
    return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() ->
        io.strata.controlplane.domain.Node.findById(UUID.fromString(id)));
  }
}
