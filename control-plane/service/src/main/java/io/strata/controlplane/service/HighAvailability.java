package io.strata.controlplane.service;

import io.strata.contracts.command.ArrayDesiredState.Role;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.controlplane.config.HaConfig;
import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.ArrayEngine;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.EngineRole;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.outbox.CommandOutbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The control plane's part of highly available arrays: which engine's report counts, consent to
 * drop a member (marking its node outdated), the supervisor's decisions (failover, the two steps
 * of a planned switchover, the array's health) and drain. Every decision is taken from the
 * database as it is now (level-triggered) in the caller's transaction, on a locked array row, and
 * ends by writing the desired state to the outbox, so a restart of anything in between only
 * repeats a decision that was not committed.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class HighAvailability {
  private static final Logger LOG = Logger.getLogger(HighAvailability.class);

  /** States in which an array's engines run and are supervised. */
  public static final Set<ArrayState> SUPERVISED = Set.of(ArrayState.PROVISIONING, ArrayState.ONLINE, ArrayState.DEGRADED,
      ArrayState.RESIZING, ArrayState.RESUMING);

  @Inject HaConfig config;
  @Inject CommandOutbox outbox;
  @Inject ProvisioningEvents events;
  @Inject AuditLog audit;
  @Inject StandbyRelocation relocation;
  @Inject io.strata.controlplane.provisioning.ReportStream reports;

  // ---------------------------------------------------------------- reports

  /**
   * Records the status one engine's node sent for a highly available array, answers its request
   * to drop members, clears outdated nodes it reports in sync, and says whether the status moves
   * the array's state machines: only the ACTIVE engine's, at the current epoch (a standby's or a
   * fenced engine's word says nothing about what the array serves), and a deletion from the node
   * the agents were told runs the array.
   */
  public boolean engineReported(StorageArray a, ArrayStatus status) {
    Node node = Node.find("name", status.nodeId()).firstResult();
    if (node == null) {
      return false;
    }
    ArrayEngine slot = ArrayEngine.<ArrayEngine>find("tenantId = ?1 and arrayId = ?2 and nodeId = ?3", a.tenantId, a.id,
        node.id).firstResult();
    if (slot == null) {
      return false; // a node that only lends drives reports its exports
    }
    slot.reportedRole = status.role() == null ? null : EngineRole.valueOf(status.role().name());
    slot.reportedEpoch = status.haEpoch();
    slot.reportedState = status.state().name();
    slot.reportedReason = status.reason();
    slot.reportedAt = Instant.now();
    slot.reportedEngineSize = status.engineSize();
    if (status.state() == ArrayStatus.State.DELETED) {
      return node.id.equals(a.nodeId);
    }
    boolean currentActive = slot.role == EngineRole.ACTIVE && node.id.equals(a.nodeId)
        && status.role() != Role.STANDBY && (status.haEpoch() == null || status.haEpoch() == a.haEpoch);
    if (!status.awaitingDrop().isEmpty()) {
      if (currentActive && status.role() == Role.ACTIVE && status.haEpoch() != null) {
        consentToDrop(a, status.awaitingDrop());
      } else {
        LOG.warnf("array %s: node %s (%s at epoch %s, array at epoch %d) asks to drop %s: refused, it is not the"
            + " active engine of the current epoch", a.id, node.name, status.role(), status.haEpoch(), a.haEpoch,
            status.awaitingDrop());
      }
    }
    if (currentActive && status.role() == Role.ACTIVE) {
      clearResynced(a, status);
    }
    if (a.switchoverStartedAt != null && status.role() == Role.STANDBY && node.id.equals(a.nodeId)) {
      // The old active says it demoted: the switchover's second step now, not at the supervisor's
      // next round (up to strata.ha.supervise-interval later), since the tenant's I/O pauses for
      // the whole switchover (docs/benchmarks/failover.md). The caller holds the array's row lock,
      // as a round does; an old epoch's report still waits.
      supervise(a, Instant.now());
    }
    return currentActive;
  }

  /** The active engine may drop these drives: their nodes' copies become outdated (never promoted). */
  private void consentToDrop(StorageArray a, List<String> driveIds) {
    Set<UUID> ids = driveIds.stream().map(HighAvailability::uuid).filter(x -> x != null).collect(Collectors.toSet());
    Set<UUID> held = ids.isEmpty() ? Set.of()
        : ArrayDrive.<ArrayDrive>list("tenantId = ?1 and arrayId = ?2 and driveId in ?3", a.tenantId, a.id, ids).stream()
            .map(ad -> ad.driveId).collect(Collectors.toSet());
    Set<UUID> nodes = held.isEmpty() ? Set.of()
        : Drive.<Drive>list("id in ?1", held).stream().map(d -> d.nodeId).collect(Collectors.toSet());
    boolean changed = false;
    for (ArrayEngine e : ArrayEngine.of(a.tenantId, a.id)) {
      if (nodes.contains(e.nodeId) && !e.outdated) {
        e.outdated = true;
        changed = true;
        LOG.warnf("array %s: the active engine may drop the copies on node %s (drives %s): outdated", a.id, e.nodeId,
            driveIds);
      }
    }
    if (changed) {
      outbox.arrayChanged(a);
      audit.record(Actor.SYSTEM, a.tenantId, "array.ha.outdated", "array", a.id);
    }
  }

  /**
   * An outdated node whose drives of the array (those a pool uses) the active engine now reports
   * all READY, none of them awaiting a drop, while it reports the array ONLINE, is in sync again.
   * A drive's READY says only that the engine's layout holds it (the agent reports so for a drive
   * whose node is dead too); ONLINE says every drive the engine opened is online and in sync
   * (none offline, rebuilding or resyncing: else the agent reports DEGRADED with the drive).
   */
  private void clearResynced(StorageArray a, ArrayStatus status) {
    if (status.state() != ArrayStatus.State.ONLINE) {
      return;
    }
    List<ArrayEngine> outdated = ArrayEngine.<ArrayEngine>list("tenantId = ?1 and arrayId = ?2 and outdated = true",
        a.tenantId, a.id);
    if (outdated.isEmpty()) {
      return;
    }
    Set<String> ready = status.objects().stream()
        .filter(o -> o.kind() == ObjectStatus.Kind.DRIVE && o.state() == ObjectStatus.State.READY)
        .map(ObjectStatus::objectId).collect(Collectors.toSet());
    ready.removeAll(status.awaitingDrop());
    Map<UUID, UUID> nodeOfDrive = poolDriveNodes(a);
    boolean changed = false;
    for (ArrayEngine e : outdated) {
      List<String> drives = nodeOfDrive.entrySet().stream().filter(x -> x.getValue().equals(e.nodeId))
          .map(x -> x.getKey().toString()).toList();
      if (ready.containsAll(drives)) {
        e.outdated = false;
        changed = true;
        LOG.infof("array %s: the copies on node %s are in sync again", a.id, e.nodeId);
      }
    }
    if (changed) {
      outbox.arrayChanged(a);
    }
  }

  /** The array's drives that some pool uses (member, cache or tier), with their nodes. */
  private static Map<UUID, UUID> poolDriveNodes(StorageArray a) {
    List<Object[]> rows = io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
        .createQuery("select d.id, d.nodeId from ArrayDrive ad, Drive d where ad.driveId = d.id and ad.tenantId = :t"
            + " and ad.arrayId = :a and ad.poolId is not null", Object[].class)
        .setParameter("t", a.tenantId).setParameter("a", a.id).getResultList();
    return rows.stream().collect(Collectors.toMap(r -> (UUID) r[0], r -> (UUID) r[1]));
  }

  /**
   * The state the array is in, given what its ACTIVE engine reported ({@code reported}, ONLINE or
   * DEGRADED, with {@code reason}): DEGRADED also while it has no healthy standby or a node is
   * outdated, with the reasons joined.
   */
  public void activeReported(StorageArray a, ArrayState reported, String reason, Instant now) {
    String shortfall = shortfall(a, now);
    List<String> why = new ArrayList<>();
    if (reported == ArrayState.DEGRADED && reason != null) {
      why.add(reason);
    }
    if (shortfall != null) {
      why.add(shortfall);
    }
    ArrayState state = why.isEmpty() && reported == ArrayState.ONLINE ? ArrayState.ONLINE : ArrayState.DEGRADED;
    events.arrayReported(a.id, state, why.isEmpty() ? reason : String.join("; ", why));
  }

  /** What the array lacks to survive the loss of a node (null: nothing). */
  String shortfall(StorageArray a, Instant now) {
    List<ArrayEngine> engines = ArrayEngine.of(a.tenantId, a.id);
    Map<UUID, Node> nodes = nodesOf(engines);
    List<String> why = new ArrayList<>();
    if (engines.stream().noneMatch(e -> e.role == EngineRole.ACTIVE)) {
      why.add("switching over to the standby engine");
    }
    for (ArrayEngine e : engines) {
      Node n = nodes.get(e.nodeId);
      if (e.outdated) {
        why.add("the copies on node " + n.name + " are outdated (resyncing)");
      } else if (e.role == EngineRole.STANDBY && StandbyRelocation.leaving(n)) {
        why.add("the standby engine's node " + n.name + " is " + n.state + (config.relocateStandby()
            ? " and no other node has room for a new standby (vCPU, memory and free drives to take its copies)"
            : " (moving the standby to another node is off: strata.ha.relocate-standby)"));
      } else if (e.role == EngineRole.STANDBY && !alive(n, now)) {
        why.add("the standby engine's node " + n.name + " is not heard from");
      } else if (e.role == EngineRole.STANDBY && "FAILED".equals(e.reportedState)) {
        why.add("the standby engine on node " + n.name + " failed: " + e.reportedReason);
      }
    }
    return why.isEmpty() ? null : "no healthy standby: " + String.join(", ", why);
  }

  // ---------------------------------------------------------------- the supervisor's decisions

  /**
   * One look at one highly available array, whose row the caller locked: fail over when the
   * active's node is silent and the standby's alive and in sync; take the second step of a
   * planned switchover (or finish it as a failover after the timeout); start a switchover when
   * the active's node is in MAINTENANCE; and keep the array's health (DEGRADED while it has no
   * healthy standby) true. Returns what it did, for logs and tests.
   */
  public String supervise(StorageArray a, Instant now) {
    if (!a.highAvailability || !SUPERVISED.contains(a.state)) {
      return "nothing";
    }
    List<ArrayEngine> engines = ArrayEngine.of(a.tenantId, a.id);
    if (engines.size() != 2) {
      return "nothing";
    }
    Map<UUID, Node> nodes = nodesOf(engines);
    ArrayEngine active = engines.stream().filter(e -> e.role == EngineRole.ACTIVE).findFirst().orElse(null);
    String done;
    if (active == null) {
      done = continueSwitchover(a, engines, nodes, now);
    } else {
      ArrayEngine standby = other(engines, active);
      if (silent(nodes.get(active.nodeId), now) && promotable(standby, nodes, now)) {
        failover(a, active, standby, "the active engine's node " + nodes.get(active.nodeId).name + " is silent");
        done = "failover";
      } else if (nodes.get(active.nodeId).state == NodeState.MAINTENANCE
          && nodes.get(standby.nodeId).state != NodeState.MAINTENANCE && promotable(standby, nodes, now)) {
        startSwitchover(a, active, now);
        done = "switchover";
      } else if (resizedStandbyWaits(a, active, standby) && promotable(standby, nodes, now)) {
        // issue 18: the standby restarted at the new size while the active kept serving at the
        // old one; a planned switchover moves the array to it, and the old active (then
        // standby) restarts at the new size in its turn. The tenant's pause is a switchover's.
        startSwitchover(a, active, now);
        done = "switchover-for-resize";
      } else if (config.relocateStandby() && StandbyRelocation.leaving(nodes.get(standby.nodeId))
          && settledActive(a, active)) {
        String why = relocation.moveStandby(a, active, standby);
        if (why == null) {
          done = "standby-moved";
        } else {
          LOG.debugf("array %s: no node has room for a new standby: %s", a.id, why);
          done = "nothing";
        }
      } else {
        done = "nothing";
      }
    }
    refreshHealth(a, now);
    return done;
  }

  /**
   * The active engine reported itself ACTIVE at the current epoch: a switchover or failover is
   * over, so the array may change its pools' members (one change at a time).
   */
  private static boolean settledActive(StorageArray a, ArrayEngine active) {
    return active.reportedRole == EngineRole.ACTIVE && active.reportedEpoch != null && active.reportedEpoch == a.haEpoch;
  }

  /** The failover: in one transaction a new epoch, roles swapped, the old active's copies outdated. */
  private void failover(StorageArray a, ArrayEngine old, ArrayEngine promoted, String why) {
    a.haEpoch++;
    old.role = EngineRole.STANDBY;
    old.outdated = true;
    // the old slot is STANDBY in the database before the new one becomes ACTIVE (one ACTIVE per array)
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    promote(a, promoted);
    LOG.warnf("array %s: failover to node %s at epoch %d: %s", a.id, promoted.nodeId, a.haEpoch, why);
    audit.record(Actor.SYSTEM, a.tenantId, "array.ha.failover", "array", a.id);
  }

  private void promote(StorageArray a, ArrayEngine promoted) {
    promoted.role = EngineRole.ACTIVE;
    a.nodeId = promoted.nodeId;
    a.portalPort = promoted.portalPort;
    a.switchoverStartedAt = null;
    a.updatedAt = Instant.now();
    outbox.arrayChanged(a);
  }

  /**
   * Step (a) of a planned switchover: a new epoch and both slots STANDBY, so the old active
   * demotes (stops taking commands, flushes, closes its pools) while the agents still see it as
   * the array's engine node.
   */
  private void startSwitchover(StorageArray a, ArrayEngine active, Instant now) {
    a.haEpoch++;
    active.role = EngineRole.STANDBY;
    a.switchoverStartedAt = now;
    a.updatedAt = Instant.now();
    outbox.arrayChanged(a);
    LOG.infof("array %s: switchover from node %s started at epoch %d", a.id, active.nodeId, a.haEpoch);
    audit.record(Actor.SYSTEM, a.tenantId, "array.ha.switchover", "array", a.id);
  }

  /**
   * Step (b): once the old active reported STANDBY at the new epoch, the other slot becomes
   * ACTIVE. After the timeout without that report, the switchover ends as a failover (a new epoch
   * fences the old active, its copies outdated). If the other engine cannot be promoted (its node
   * went silent or its copies are outdated), the old active takes the array back.
   */
  private String continueSwitchover(StorageArray a, List<ArrayEngine> engines, Map<UUID, Node> nodes, Instant now) {
    ArrayEngine demoting = engines.stream().filter(e -> e.nodeId.equals(a.nodeId)).findFirst().orElse(engines.get(0));
    ArrayEngine target = other(engines, demoting);
    boolean demoted = demoting.reportedRole == EngineRole.STANDBY && demoting.reportedEpoch != null
        && demoting.reportedEpoch >= a.haEpoch;
    boolean timedOut = a.switchoverStartedAt == null
        || !a.switchoverStartedAt.plus(config.switchoverTimeout()).isAfter(now);
    if (promotable(target, nodes, now)) {
      if (demoted) {
        promote(a, target);
        LOG.infof("array %s: switchover to node %s done at epoch %d", a.id, target.nodeId, a.haEpoch);
        return "switchover-done";
      }
      if (timedOut) {
        failover(a, demoting, target, "the old active on node " + nodes.get(demoting.nodeId).name
            + " did not report STANDBY within " + config.switchoverTimeout().toSeconds() + " s");
        return "switchover-timeout";
      }
      return "waiting";
    }
    if (!demoting.outdated && alive(nodes.get(demoting.nodeId), now)) {
      // the one engine that can serve is the one demoting: it takes the array back, at a new
      // epoch, since it may have closed its pools already
      a.haEpoch++;
      promote(a, demoting);
      LOG.warnf("array %s: switchover abandoned, node %s cannot be promoted; node %s stays active", a.id,
          target.nodeId, demoting.nodeId);
      return "switchover-abandoned";
    }
    return "waiting";
  }

  /**
   * Moves an ONLINE array to DEGRADED when it has no healthy standby, and back once it has one
   * again and its active engine's last report was ONLINE at the current epoch.
   */
  private void refreshHealth(StorageArray a, Instant now) {
    if (a.state != ArrayState.ONLINE && a.state != ArrayState.DEGRADED) {
      return;
    }
    ArrayEngine active = ArrayEngine.<ArrayEngine>find("tenantId = ?1 and arrayId = ?2 and role = ?3", a.tenantId,
        a.id, EngineRole.ACTIVE).firstResult();
    String shortfall = shortfall(a, now);
    if (a.state == ArrayState.ONLINE && shortfall != null) {
      events.arrayReported(a.id, ArrayState.DEGRADED, shortfall);
    } else if (a.state == ArrayState.DEGRADED && active != null && "ONLINE".equals(active.reportedState)
        && active.reportedEpoch != null && active.reportedEpoch == a.haEpoch) {
      if (shortfall == null) {
        events.arrayReported(a.id, ArrayState.ONLINE, null);
      } else {
        a.failureReason = shortfall;
      }
    }
  }

  /**
   * Whether a RESIZING array's standby runs (and reported ONLINE) at the new size while its
   * active still runs at another: the moment to switch over to it.
   */
  static boolean resizedStandbyWaits(StorageArray a, ArrayEngine active, ArrayEngine standby) {
    String size = a.engineSize.name();
    return a.state == ArrayState.RESIZING && !size.equals(active.reportedEngineSize)
        && size.equals(standby.reportedEngineSize)
        && ("ONLINE".equals(standby.reportedState) || "DEGRADED".equals(standby.reportedState))
        && standby.reportedEpoch != null && standby.reportedEpoch == a.haEpoch;
  }

  // ---------------------------------------------------------------- drain

  /** What a drain did: arrays switching over off the node, and arrays that cannot move, with why. */
  public record Drained(List<UUID> switchingOver, List<Unmovable> cannotMove) {}

  public record Unmovable(UUID arrayId, String name, UUID tenantId, String reason) {}

  /**
   * Drains a node (the caller locked it and set it MAINTENANCE): every highly available array
   * whose ACTIVE engine runs there starts a planned switchover (step a) when its standby can take
   * over; the rest are listed with the reason. Idempotent: an array already switching over is
   * listed as such, and the supervisor keeps starting switchovers off a node in MAINTENANCE
   * whenever a standby becomes able to take over.
   */
  public Drained drain(Node node, Instant now) {
    List<UUID> switching = new ArrayList<>();
    List<Unmovable> stuck = new ArrayList<>();
    for (StorageArray a : StorageArray.<StorageArray>list("nodeId = ?1 and state in ?2 order by id", node.id,
        SUPERVISED)) {
      if (!a.highAvailability) {
        stuck.add(new Unmovable(a.id, a.name, a.tenantId, "a single-engine array cannot move off its node"));
        continue;
      }
      // locked and read again: locking the instance the list loaded would compare its version,
      // and fail if a report changed the array in between
      io.quarkus.hibernate.orm.panache.Panache.getEntityManager().refresh(a,
          jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
      StorageArray locked = a;
      String did = supervise(locked, now);
      if (!locked.nodeId.equals(node.id) || did.startsWith("switchover") || Counts.of(ArrayEngine.class,
          "tenantId = ?1 and arrayId = ?2 and role = ?3", a.tenantId, a.id, EngineRole.ACTIVE) == 0) {
        switching.add(a.id);
      } else {
        String why = shortfall(locked, now);
        stuck.add(new Unmovable(a.id, a.name, a.tenantId,
            "its standby cannot take over" + (why == null ? "" : " (" + why + ")")));
      }
    }
    return new Drained(switching, stuck);
  }

  // ---------------------------------------------------------------- helpers

  /** Whether the node's agent was heard from within {@code strata.ha.failover-after}. */
  boolean alive(Node node, Instant now) {
    return node != null && node.lastHeartbeatAt != null && node.state != NodeState.OFFLINE
        && node.state != NodeState.DECOMMISSIONED && node.lastHeartbeatAt.plus(config.failoverAfter()).isAfter(now);
  }

  /**
   * Whether the node went quiet: not heard from, while its reports are being read. A node whose
   * partition of strata.events nobody reads just now (a control-plane replica died) is not silent,
   * only unknown: a failover waits for the stream rather than acting on the gap.
   */
  boolean silent(Node node, Instant now) {
    return !alive(node, now) && reports.current(node, now);
  }

  private boolean promotable(ArrayEngine e, Map<UUID, Node> nodes, Instant now) {
    return !e.outdated && alive(nodes.get(e.nodeId), now) && !"FAILED".equals(e.reportedState);
  }

  private static ArrayEngine other(List<ArrayEngine> engines, ArrayEngine one) {
    return engines.stream().filter(e -> e != one).findFirst().orElseThrow();
  }

  private static Map<UUID, Node> nodesOf(List<ArrayEngine> engines) {
    Set<UUID> ids = new HashSet<>();
    engines.forEach(e -> ids.add(e.nodeId));
    return ids.isEmpty() ? Map.of()
        : Node.<Node>list("id in ?1", ids).stream().collect(Collectors.toMap(n -> n.id, Function.identity()));
  }

  private static UUID uuid(String text) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException | NullPointerException e) {
      return null;
    }
  }
}
