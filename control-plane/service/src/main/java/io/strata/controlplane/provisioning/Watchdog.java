package io.strata.controlplane.provisioning;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Attachment;
import io.strata.controlplane.domain.DriveRole;
import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.OperationState;
import io.strata.controlplane.domain.AttachmentState;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.metrics.OperationMeters;
import io.strata.controlplane.service.Operations;
import io.strata.controlplane.service.PoolActivityReports;
import io.strata.controlplane.service.ProvisioningEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import org.jboss.logging.Logger;

/**
 * Nothing stays in a transitional state forever: an array, volume, snapshot or attachment that
 * has waited longer than the transition timeout for its node (also after a retry; longer while
 * the node's heartbeats are late) moves to FAILED with the reason (from there it recovers when its node reports it serving, or is retried
 * or deleted), a node whose heartbeats stopped goes OFFLINE with its online arrays DEGRADED, and
 * a drive replacement whose incoming drive left its pool fails.
 */
@ApplicationScoped
public class Watchdog {

  private static final Logger LOG = Logger.getLogger(Watchdog.class);

  @Inject ProvisioningConfig config;
  @Inject ProvisioningEvents events;
  @Inject OperationMeters meters;
  @Inject Operations operations;
  @Inject ReportStream reports;
  @Inject io.strata.controlplane.replicas.ReplicaLocks locks;
  @Inject io.strata.controlplane.replicas.DatabaseClock clock;

  private ScheduledExecutorService timer;

  void onStart(@Observes StartupEvent start) {
    if (!config.enabled()) {
      return;
    }
    long every = config.watchInterval().toMillis();
    // the first round at once: nodes that died while no control plane ran are marked OFFLINE as
    // soon as their reports are read again (placement already passes over them, NodeInventory)
    timer = Timers.every("strata-provisioning-watchdog", 0, every, this::checkSafely);
  }

  void onStop(@Observes ShutdownEvent stop) {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private void checkSafely() {
    try {
      check(clock.now()); // PostgreSQL's: the times it compares were stored by any replica
    } catch (RuntimeException e) {
      LOG.warnf("watchdog round failed: %s", e.getMessage());
    }
  }

  /**
   * One round; public for tests that move the clock. Every replica runs it; each step first
   * tries the watchdog's advisory lock and is skipped when another replica is doing it, so one
   * replica acts at a time (before, both acted on the same rows and the loser's whole step rolled
   * back on a version conflict). The meters count actions once they are committed.
   */
  public void check(Instant now) {
    step(actions -> markSilentNodes(now, actions));
    step(actions -> failStuckTransitions(now, actions));
    step(this::failOrphanedReplacements);
  }

  /** A watchdog action to count: kind and outcome of strata_watchdog_actions. */
  private record Action(String kind, String outcome) {}

  private void step(java.util.function.Consumer<List<Action>> work) {
    List<Action> actions = new java.util.ArrayList<>();
    boolean ran = QuarkusTransaction.requiringNew().call(() -> {
      if (!locks.tryLock(io.strata.controlplane.replicas.ReplicaLocks.WATCHDOG)) {
        return false; // another replica's watchdog is at it
      }
      work.accept(actions);
      return true;
    });
    if (ran) {
      actions.forEach(a -> meters.watchdogAction(a.kind(), a.outcome()));
    }
  }

  /**
   * A drive replacement's operation waits for the engine to report the pool rebuilt onto its
   * incoming drive. If that drive left the pool first (replaced in its turn, its pool deleted, the
   * array deleted), no report can ever complete it: it fails, saying so, instead of staying
   * PENDING forever.
   */
  private void failOrphanedReplacements(List<Action> actions) {
    List<Operation> orphaned = Operation.list("from Operation o where o.kind = ?1 and o.state = ?2 and not exists"
        + " (select 1 from ArrayDrive ad where ad.driveId = o.targetId and ad.poolId is not null and ad.role = ?3)",
        PoolActivityReports.REPLACE, OperationState.PENDING, DriveRole.MEMBER);
    for (Operation op : orphaned) {
      LOG.infof("replacement %s: its incoming drive %s left the pool before the rebuild finished", op.id, op.targetId);
      operations.complete(op.targetId, PoolActivityReports.REPLACE, false, "the incoming drive " + op.targetId
          + " left the pool before the rebuild onto it finished (replaced, or its pool or array deleted)");
      actions.add(new Action("operation", "failed"));
    }
  }

  private void markSilentNodes(Instant now, List<Action> actions) {
    Instant silentSince = now.minus(config.heartbeatTimeout());
    for (Node node : Node.<Node>list("state = ?1 and (lastHeartbeatAt is null or lastHeartbeatAt < ?2)", NodeState.ONLINE,
        silentSince)) {
      if (!reports.current(node, now)) {
        continue; // its reports are not being read just now (see ReportStream): unknown, not silent
      }
      node.state = NodeState.OFFLINE;
      actions.add(new Action("node", "offline"));
      LOG.warnf("node %s missed its heartbeats since %s: OFFLINE", node.name, node.lastHeartbeatAt);
      for (StorageArray a : StorageArray.<StorageArray>list("nodeId = ?1 and state = ?2", node.id, ArrayState.ONLINE)) {
        events.arrayReported(a.id, ArrayState.DEGRADED, "node " + node.name + " missed its heartbeats");
        actions.add(new Action("array", "degraded"));
      }
    }
  }

  /**
   * Fails what has waited too long for its node. An object's transition started at its
   * {@code updatedAt}; it fails after {@code transition-timeout} only once its node has been heard
   * from since that timeout ran out, that is when the node had the whole timeout to report and
   * did not (the node's reports are read in order, so anything it reported before that heartbeat
   * has been applied). A node whose heartbeats are late (a machine starved of CPU, a backlog of
   * reports) gets up to {@code late-node-transition-timeout}: before, the drill's starved nodes
   * had their creations FAILED that they completed a minute later. A decommissioned (or unknown)
   * node is not waited for.
   */
  private void failStuckTransitions(Instant now, List<Action> actions) {
    Instant before = now.minus(config.transitionTimeout());
    NodesOfObjects nodes = new NodesOfObjects();
    for (StorageArray a : StorageArray.<StorageArray>list("state in ?1 and updatedAt < ?2",
        Set.of(ArrayState.PROVISIONING, ArrayState.RESIZING, ArrayState.HIBERNATING, ArrayState.RESUMING,
            ArrayState.DELETING), before)) {
      stuckFor(nodes.ofArray(a.id), a.updatedAt, now).ifPresent(why -> {
        events.arrayReported(a.id, ArrayState.FAILED, why);
        actions.add(new Action("array", "failed"));
      });
    }
    for (Volume v : Volume.<Volume>list("state in ?1 and updatedAt < ?2",
        Set.of(VolumeState.CREATING, VolumeState.RESIZING, VolumeState.ROLLING_BACK, VolumeState.DELETING), before)) {
      stuckFor(nodes.ofArray(v.arrayId), v.updatedAt, now).ifPresent(why -> {
        events.volumeReported(v.id, VolumeState.FAILED, why);
        actions.add(new Action("volume", "failed"));
      });
    }
    for (Snapshot s : Snapshot.<Snapshot>list("state in ?1 and updatedAt < ?2",
        Set.of(SnapshotState.CREATING, SnapshotState.DELETING), before)) {
      stuckFor(nodes.ofVolume(s.volumeId), s.updatedAt, now).ifPresent(why -> {
        events.snapshotReported(s.id, SnapshotState.FAILED, why);
        actions.add(new Action("snapshot", "failed"));
      });
    }
    for (Attachment a : Attachment.<Attachment>list("state in ?1 and updatedAt < ?2",
        Set.of(AttachmentState.ATTACHING, AttachmentState.DETACHING), before)) {
      stuckFor(nodes.ofArray(a.arrayId), a.updatedAt, now).ifPresent(why -> {
        events.attachmentReported(a.id, AttachmentState.FAILED, why);
        actions.add(new Action("attachment", "failed"));
      });
    }
  }

  /**
   * Why a transition on {@code node} that started at {@code since} fails now (past the transition
   * timeout, which the caller checked), or empty while its node's heartbeats are late.
   */
  private Optional<String> stuckFor(Node node, Instant since, Instant now) {
    Instant deadline = since.plus(config.transitionTimeout());
    boolean nodeHadItsTime = node == null || node.state == NodeState.DECOMMISSIONED
        || (node.lastHeartbeatAt != null && !node.lastHeartbeatAt.isBefore(deadline));
    if (nodeHadItsTime) {
      return Optional.of("no report from the storage node within " + config.transitionTimeout().toSeconds() + " s");
    }
    if (since.isBefore(now.minus(config.lateNodeTransitionTimeout()))) {
      return Optional.of("no report from the storage node within "
          + config.lateNodeTransitionTimeout().toSeconds() + " s (node " + node.name + " last heard "
          + node.lastHeartbeatAt + ")");
    }
    return Optional.empty(); // its node is late: it may yet report the transition done
  }

  /** The engine's node of each array, volume and snapshot a round looks at, read once. */
  private static final class NodesOfObjects {
    private final Map<UUID, Optional<Node>> byArray = new HashMap<>();

    Node ofArray(UUID arrayId) {
      return byArray.computeIfAbsent(arrayId, id -> {
        StorageArray a = id == null ? null : StorageArray.findById(id);
        return Optional.ofNullable(a == null || a.nodeId == null ? null : Node.<Node>findById(a.nodeId));
      }).orElse(null);
    }

    Node ofVolume(UUID volumeId) {
      Volume v = volumeId == null ? null : Volume.findById(volumeId);
      return v == null ? null : ofArray(v.arrayId);
    }
  }
}
