package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayEngine;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.DriveState;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.provisioning.ProvisioningConfig;
import io.strata.controlplane.replicas.DatabaseClock;
import io.strata.controlplane.scheduler.DriveView;
import io.strata.controlplane.scheduler.NodeView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Builds the scheduler's view of the nodes from the database, in three queries. Placement locks
 * the node rows first, so concurrent placements are serialised and cannot both take the last
 * vCPU or drive.
 */
@ApplicationScoped
public class NodeInventory {

  /**
   * Engines that hold their CPU and memory share on a node. A FAILED array placed on a node holds
   * it too: it is still sent there and comes back ONLINE by itself (or on a retry), so giving its
   * share to another array would overcommit the node when it does.
   */
  static final Set<ArrayState> HOLDING = Set.of(ArrayState.PLACING, ArrayState.PROVISIONING, ArrayState.ONLINE,
      ArrayState.DEGRADED, ArrayState.RESIZING, ArrayState.HIBERNATING, ArrayState.RESUMING, ArrayState.DELETING,
      ArrayState.FAILED);

  /**
   * Whether {@code a} (in a {@link #HOLDING} state) holds its share: not once it failed to
   * hibernate (it is sent to stop, not to start; a HIBERNATED array holds nothing either).
   */
  static boolean holds(StorageArray a) {
    return !(a.state == ArrayState.FAILED && ArrayState.HIBERNATING.name().equals(a.failedFrom));
  }

  @Inject ProvisioningConfig provisioning;
  @Inject DatabaseClock clock;

  /** The nodes for a placement, their rows locked ({@link #placementViews}). */
  public List<NodeView> lockedViews() {
    List<Node> nodes =
        Node.<Node>find("state <> ?1 order by name", NodeState.DECOMMISSIONED)
            .withLock(LockModeType.PESSIMISTIC_WRITE)
            .list();
    return placementViews(nodes);
  }

  /**
   * The nodes as a placement must see them: a node whose last heartbeat is older than
   * {@code strata.provisioning.heartbeat-timeout} counts as OFFLINE whatever its state column
   * says. The column is the watchdog's verdict, and a node that died while no control plane ran
   * (or while its reports were not being read) is still ONLINE there until the watchdog's round
   * after the reports are read again: the scale drill's restarted control plane placed an array
   * on a node dead for ten minutes. When this replica reads no reports (provisioning off: tests
   * without Kafka) nobody hears heartbeats, and the column is all there is.
   */
  public List<NodeView> placementViews(List<Node> nodes) {
    List<NodeView> views = views(nodes);
    if (!provisioning.enabled()) {
      return views;
    }
    Instant silentBefore = clock.now().minus(provisioning.heartbeatTimeout());
    Map<UUID, Node> byId = new HashMap<>();
    nodes.forEach(n -> byId.put(n.id, n));
    return views.stream()
        .map(v -> v.state() == NodeState.ONLINE && silentSince(byId.get(v.id()), silentBefore)
            ? v.withState(NodeState.OFFLINE) : v)
        .toList();
  }

  private static boolean silentSince(Node node, Instant before) {
    return node.lastHeartbeatAt == null || node.lastHeartbeatAt.isBefore(before);
  }

  public List<NodeView> views(List<Node> nodes) {
    Map<UUID, int[]> reserved = new HashMap<>();
    List<StorageArray> holding = StorageArray.<StorageArray>list("nodeId is not null and state in ?1", HOLDING).stream()
        .filter(NodeInventory::holds).toList();
    Map<UUID, List<UUID>> engineNodes = engineNodesOfHighlyAvailable(holding);
    for (StorageArray a : holding) {
      // a highly available array holds its share on both engines' nodes (a standby must be able
      // to take over at once), a single-engine one on its node
      for (UUID node : engineNodes.getOrDefault(a.id, List.of(a.nodeId))) {
        int[] r = reserved.computeIfAbsent(node, k -> new int[2]);
        r[0] += a.engineSize.vcpus();
        r[1] += a.engineSize.memoryGib();
      }
    }
    Map<UUID, Node> byId = new HashMap<>();
    nodes.forEach(n -> byId.put(n.id, n));
    Map<UUID, List<DriveView>> free = new HashMap<>();
    for (Drive d : freeDrives()) {
      Node n = byId.get(d.nodeId);
      if (n != null) {
        free.computeIfAbsent(d.nodeId, k -> new ArrayList<>())
            .add(new DriveView(d.id, d.nodeId, n.zone, d.type, d.capacityGib));
      }
    }
    List<NodeView> views = new ArrayList<>();
    for (Node n : nodes) {
      int[] r = reserved.getOrDefault(n.id, new int[2]);
      views.add(new NodeView(n.id, n.name, n.zone, n.state, n.cpuCores, n.memoryGib, r[0], r[1],
          free.getOrDefault(n.id, List.of())));
    }
    return views;
  }

  private static Map<UUID, List<UUID>> engineNodesOfHighlyAvailable(List<StorageArray> arrays) {
    List<UUID> ha = arrays.stream().filter(a -> a.highAvailability).map(a -> a.id).toList();
    Map<UUID, List<UUID>> nodes = new HashMap<>();
    if (!ha.isEmpty()) {
      for (ArrayEngine e : ArrayEngine.<ArrayEngine>list("arrayId in ?1", ha)) {
        nodes.computeIfAbsent(e.arrayId, k -> new ArrayList<>()).add(e.nodeId);
      }
    }
    return nodes;
  }

  public static List<Drive> freeDrives() {
    return Drive.list(
        "from Drive d where d.state = ?1 and not exists (select 1 from ArrayDrive ad where ad.driveId = d.id)"
            + " order by d.id",
        DriveState.AVAILABLE);
  }
}
