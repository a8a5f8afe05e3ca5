package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.ArrayEngine;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.scheduler.DriveView;
import io.strata.controlplane.scheduler.NodeView;
import io.strata.controlplane.scheduler.PlacementException;
import io.strata.controlplane.scheduler.PlacementRequest;
import io.strata.controlplane.scheduler.Scheduler;
import io.strata.controlplane.scheduler.StandbyPlacement;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A new standby engine for a highly available array whose standby runs on a node that is leaving
 * (MAINTENANCE after a drain, or DECOMMISSIONED): on a third node with room for the engine's
 * share and free drives to take the leaving node's copies. In one transaction the standby slot
 * moves there (a new portal, the same ALUA port group, outdated until the active reports the new
 * copies in sync), each of the array's drives on the leaving node is replaced in its pool by a
 * drive of the new node (same pool, role and copy: the active's pools rebuild it), the leaving
 * node's share is released, and the desired state goes to every node concerned (the leaving one
 * too, so it stops its engine and its loans). Level-triggered: the supervisor asks again every
 * round, so room that appears later (a node enrolled, an array deleted) is used then.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class StandbyRelocation {
  private static final Logger LOG = Logger.getLogger(StandbyRelocation.class);

  @Inject NodeInventory inventory;
  @Inject ArrayService arrays;
  @Inject CommandOutbox outbox;
  @Inject AuditLog audit;
  @Inject io.strata.controlplane.replicas.ReplicaLocks locks;

  private final Scheduler scheduler = Scheduler.standard();

  /** Whether an engine on this node should be replaced by one elsewhere. */
  static boolean leaving(Node node) {
    return node != null && (node.state == NodeState.MAINTENANCE || node.state == NodeState.DECOMMISSIONED);
  }

  /**
   * Moves the standby of {@code a} (row locked by the caller) off its leaving node.
   *
   * @return null when it moved; else why no node can take it (the array then has no standby it
   *     can count on, and says so through {@link HighAvailability#shortfall})
   */
  public String moveStandby(StorageArray a, ArrayEngine active, ArrayEngine standby) {
    // Not locking the node rows (placement at creation does): the supervisor holds the array's
    // row, and a drain holds a node's row before the arrays' (a lock order the other way round).
    // Two placements cannot take the same drive (array_drive.drive_id is unique: the later
    // transaction fails and the next round decides again).
    // Two replicas' supervisors relocate two arrays' standbys at once: the placement lock makes
    // the second wait for the first's commit, so it sees the share and the portal port the first
    // took (array_engine_portal_per_node backs it: a port is never given twice on a node).
    // Array creations take the lock shared (ArrayService.create).
    locks.lock(io.strata.controlplane.replicas.ReplicaLocks.PLACEMENT);
    List<NodeView> nodes = inventory.placementViews(Node.<Node>list("state <> ?1 order by name", NodeState.DECOMMISSIONED));
    NodeView activeNode = nodes.stream().filter(n -> n.id().equals(active.nodeId)).findFirst().orElse(null);
    if (activeNode == null) {
      return "the active engine's node is decommissioned";
    }
    List<ArrayDrive> held = ArrayDrive.list("arrayId", a.id);
    Map<UUID, Drive> drives = held.isEmpty() ? Map.of()
        : Drive.<Drive>list("id in ?1", held.stream().map(ad -> ad.driveId).toList()).stream()
            .collect(java.util.stream.Collectors.toMap(d -> d.id, d -> d));
    List<DriveView> onLeaving = held.stream().map(ad -> drives.get(ad.driveId))
        .filter(d -> d != null && d.nodeId.equals(standby.nodeId))
        .map(d -> new DriveView(d.id, d.nodeId, null, d.type, d.capacityGib)).toList();
    StandbyPlacement placed;
    try {
      placed = scheduler.placeNewStandby(nodes, new PlacementRequest(a.engineSize, a.spread, Map.of()), activeNode,
          standby.nodeId, onLeaving);
    } catch (PlacementException e) {
      return e.getMessage();
    }
    UUID leavingNode = standby.nodeId;
    for (ArrayDrive ad : held) {
      UUID replacement = placed.replacements().get(ad.driveId);
      if (replacement != null) {
        ad.driveId = replacement; // same pool, role and copy: the pools rebuild it from the active's copies
      }
    }
    standby.nodeId = placed.nodeId();
    standby.portalPort = arrays.freePortalPort(placed.nodeId());
    standby.outdated = true; // blank copies: never promoted until the active reports them in sync
    standby.reportedRole = null;
    standby.reportedEpoch = null;
    standby.reportedState = null;
    standby.reportedReason = null;
    standby.reportedAt = null;
    a.updatedAt = java.time.Instant.now();
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(a);
    outbox.arrayChanged(a, leavingNode); // it no longer runs the standby nor lends drives: it hears once more
    LOG.infof("array %s: new standby engine on node %s (node %s is leaving), %d drive(s) to rebuild there", a.id,
        placed.nodeId(), leavingNode, placed.replacements().size());
    audit.record(Actor.SYSTEM, a.tenantId, "array.ha.standby-moved", "array", a.id);
    return null;
  }
}
