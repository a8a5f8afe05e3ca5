package io.strata.controlplane.scheduler;

import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.SpreadPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Placement in the manner of Cinder's filter scheduler: filters remove the nodes that cannot host
 * the engine, weighers rank the rest, the best node gets the engine; then drives of each requested
 * type are picked from the free drives of all online nodes, spread over fault domains. Pure logic:
 * no I/O, the caller passes the current node views.
 */
public final class Scheduler {
  private final List<NodeFilter> filters;
  private final List<NodeWeigher> weighers;
  private final DriveSelector driveSelector = new DriveSelector();

  public Scheduler(List<NodeFilter> filters, List<NodeWeigher> weighers) {
    this.filters = List.copyOf(filters);
    this.weighers = List.copyOf(weighers);
  }

  public static Scheduler standard() {
    return new Scheduler(Filters.standard(), Weighers.standard());
  }

  /** Places the request or throws {@link PlacementException} naming the short resource. */
  public Placement place(List<NodeView> nodes, PlacementRequest request) {
    NodeView engineNode = chooseEngineNode(nodes, request);
    List<DriveView> picked = new ArrayList<>();
    List<DriveView> free = freeDrivesOnOnlineNodes(nodes);
    for (DriveType type : DriveType.values()) {
      picked.addAll(
          driveSelector.select(free, type, request.driveCount(type), request.spread(), List.of()));
    }
    if (request.spread() != SpreadPolicy.NONE || picked.isEmpty()) {
      return new Placement(engineNode.id(), picked);
    }
    // Spread NONE: the engine opens only drives of its own node, so the array's drives must all
    // be there. Only nodes holding every requested drive can host it.
    List<NodeView> withLocalDrives = nodes.stream().filter(n -> holdsLocally(n, request)).toList();
    if (withLocalDrives.isEmpty()) {
      throw new PlacementException(shortLocalType(nodes, request) + " drives",
          "spread NONE keeps an array's drives on its engine's node, and no node has "
              + request.driveCount(DriveType.SSD) + " free SSD and " + request.driveCount(DriveType.HDD)
              + " free HDD drives");
    }
    engineNode = chooseEngineNode(withLocalDrives, request);
    List<DriveView> local = new ArrayList<>();
    for (DriveType type : DriveType.values()) {
      local.addAll(driveSelector.select(
          engineNode.freeDrives(), type, request.driveCount(type), SpreadPolicy.NONE, List.of()));
    }
    return new Placement(engineNode.id(), local);
  }

  /**
   * Places a highly available array: the ACTIVE engine on the best node, the STANDBY engine on the
   * best other node (in another zone with spread ZONE), both with the engine's vCPU and memory; the
   * drives only on those two nodes, each type split evenly between them, so that losing either
   * node loses at most half of every type (the pools then put their members and their cache and
   * tier SSDs on both, see PoolService).
   */
  public Placement placeHighlyAvailable(List<NodeView> nodes, PlacementRequest request) {
    NodeView active = chooseEngineNode(nodes, request);
    List<NodeView> others = nodes.stream()
        .filter(n -> !n.id().equals(active.id()))
        .filter(n -> request.spread() != SpreadPolicy.ZONE || !n.zone().equals(active.zone()))
        .toList();
    if (others.stream().noneMatch(n -> n.state() == NodeState.ONLINE)) {
      String unit = request.spread() == SpreadPolicy.ZONE ? "zone" : "node";
      throw new PlacementException(request.spread() == SpreadPolicy.ZONE ? "fault domains" : "node",
          "a highly available array needs a standby engine on a second " + unit + " besides "
              + active.name() + (request.spread() == SpreadPolicy.ZONE ? " (zone " + active.zone() + ")" : "")
              + ", and there is none");
    }
    NodeView standby;
    try {
      standby = chooseEngineNode(others, request);
    } catch (PlacementException e) {
      throw new PlacementException(e.shortResource(), "the standby engine cannot be placed: " + e.getMessage());
    }
    List<DriveView> free = freeDrivesOnOnlineNodes(List.of(active, standby));
    List<DriveView> picked = new ArrayList<>();
    for (DriveType type : DriveType.values()) {
      int count = request.driveCount(type);
      picked.addAll(driveSelector.select(free, type, count, SpreadPolicy.NODE, List.of()));
    }
    return new Placement(active.id(), picked, standby.id());
  }

  /**
   * Places a new standby engine for a highly available array whose standby's node is leaving (a
   * drain): on the best node that runs neither of its engines (in another zone than the active's
   * with spread ZONE), with the engine's vCPU and memory, and holding a free drive for every drive
   * the array has on the leaving node (the same type, at least as large), which its pools then
   * rebuild from the active's copies. Throws {@link PlacementException} naming what is short.
   */
  public StandbyPlacement placeNewStandby(
      List<NodeView> nodes, PlacementRequest request, NodeView active, java.util.UUID leaving, List<DriveView> toReplace) {
    List<NodeView> others = nodes.stream()
        .filter(n -> !n.id().equals(active.id()) && !n.id().equals(leaving))
        .filter(n -> request.spread() != SpreadPolicy.ZONE || !n.zone().equals(active.zone()))
        .toList();
    if (others.isEmpty()) {
      throw new PlacementException(request.spread() == SpreadPolicy.ZONE ? "fault domains" : "node",
          "no third " + (request.spread() == SpreadPolicy.ZONE ? "zone" : "node") + " for a new standby engine");
    }
    // the engine's share first (the filters' reasons name vCPU or memory), then the drives
    NodeView chosenForShare = chooseEngineNode(others, request);
    List<NodeView> withDrives = new ArrayList<>();
    Map<java.util.UUID, Map<java.util.UUID, java.util.UUID>> matches = new LinkedHashMap<>();
    List<String> lacking = new ArrayList<>();
    for (NodeView n : others) {
      Map<java.util.UUID, java.util.UUID> match = replacementsOn(n, toReplace);
      if (match == null) {
        lacking.add(n.name() + " has no free drives for " + describe(toReplace));
      } else {
        withDrives.add(n);
        matches.put(n.id(), match);
      }
    }
    if (withDrives.isEmpty()) {
      DriveType type = toReplace.isEmpty() ? DriveType.SSD : toReplace.get(0).type();
      throw new PlacementException(type.name().toLowerCase(java.util.Locale.ROOT) + " drives",
          "no node that could run a new standby engine has free drives to take the copies of the leaving node: "
              + String.join("; ", lacking));
    }
    NodeView chosen = withDrives.contains(chosenForShare) ? chosenForShare : chooseEngineNode(withDrives, request);
    return new StandbyPlacement(chosen.id(), matches.get(chosen.id()));
  }

  /**
   * For each drive to replace (largest first), the smallest free drive of {@code node} of its type
   * that is at least as large; null when one cannot be matched.
   */
  private static Map<java.util.UUID, java.util.UUID> replacementsOn(NodeView node, List<DriveView> toReplace) {
    List<DriveView> free = new ArrayList<>(node.freeDrives());
    free.sort(Comparator.comparingLong(DriveView::capacityGib).thenComparing(DriveView::id));
    Map<java.util.UUID, java.util.UUID> match = new LinkedHashMap<>();
    List<DriveView> wanted = new ArrayList<>(toReplace);
    wanted.sort(Comparator.comparingLong(DriveView::capacityGib).reversed().thenComparing(DriveView::id));
    for (DriveView old : wanted) {
      DriveView fit = free.stream().filter(d -> d.type() == old.type() && d.capacityGib() >= old.capacityGib())
          .findFirst().orElse(null);
      if (fit == null) {
        return null;
      }
      free.remove(fit);
      match.put(old.id(), fit.id());
    }
    return match;
  }

  private static String describe(List<DriveView> drives) {
    Map<DriveType, Long> count = new java.util.EnumMap<>(DriveType.class);
    drives.forEach(d -> count.merge(d.type(), 1L, Long::sum));
    List<String> parts = new ArrayList<>();
    count.forEach((t, c) -> parts.add(c + " " + t));
    return String.join(" and ", parts);
  }

  private static boolean holdsLocally(NodeView node, PlacementRequest request) {
    for (DriveType type : DriveType.values()) {
      if (node.freeDriveCount(type) < request.driveCount(type)) {
        return false;
      }
    }
    return node.state() == NodeState.ONLINE;
  }

  private static DriveType shortLocalType(List<NodeView> nodes, PlacementRequest request) {
    for (DriveType type : DriveType.values()) {
      int count = request.driveCount(type);
      if (nodes.stream().noneMatch(n -> n.freeDriveCount(type) >= count)) {
        return type;
      }
    }
    return DriveType.SSD;
  }

  /**
   * Picks more drives for an array that already holds {@code held}; with spread NONE only from
   * the node that runs its engine ({@code engineNodeId}), the only drives that engine can open.
   */
  public List<DriveView> addDrives(
      List<NodeView> nodes, DriveType type, int count, SpreadPolicy spread, List<DriveView> held,
      java.util.UUID engineNodeId) {
    List<DriveView> free = freeDrivesOnOnlineNodes(nodes);
    if (spread == SpreadPolicy.NONE && engineNodeId != null) {
      free = free.stream().filter(d -> d.nodeId().equals(engineNodeId)).toList();
    }
    return driveSelector.select(free, type, count, spread, held);
  }

  /**
   * Picks more drives for a highly available array: only from its two engine nodes, balanced
   * against the drives it holds, so that either engine can reach every copy after a failover.
   */
  public List<DriveView> addDrivesHighlyAvailable(
      List<NodeView> nodes, DriveType type, int count, List<DriveView> held, java.util.Set<java.util.UUID> engineNodes) {
    List<DriveView> free = freeDrivesOnOnlineNodes(nodes).stream()
        .filter(d -> engineNodes.contains(d.nodeId())).toList();
    return driveSelector.select(free, type, count, SpreadPolicy.NODE, held);
  }

  /**
   * Checks that {@code node} can run an engine of the request's size where it is (a resize, a
   * resume): the same filters as a placement, so a refusal names the short resource (vCPU,
   * memory, or the node itself when it is not online).
   */
  public void requireRoom(NodeView node, PlacementRequest request) {
    chooseEngineNode(List.of(node), request);
  }

  NodeView chooseEngineNode(List<NodeView> nodes, PlacementRequest request) {
    if (nodes.isEmpty()) {
      throw new PlacementException("node", "no storage node is enrolled");
    }
    List<NodeView> passed = new ArrayList<>();
    Map<String, NodeFilter.Rejection> rejections = new LinkedHashMap<>();
    for (NodeView node : nodes) {
      Optional<NodeFilter.Rejection> rejected =
          filters.stream().map(f -> f.reject(node, request)).flatMap(Optional::stream).findFirst();
      if (rejected.isPresent()) {
        rejections.put(node.name(), rejected.get());
      } else {
        passed.add(node);
      }
    }
    if (passed.isEmpty()) {
      throw new PlacementException(shortestResource(rejections), explain(request, rejections));
    }
    return best(passed, request);
  }

  private NodeView best(List<NodeView> candidates, PlacementRequest request) {
    double[] total = new double[candidates.size()];
    for (NodeWeigher weigher : weighers) {
      double[] raw = candidates.stream().mapToDouble(n -> weigher.rawWeight(n, request)).toArray();
      double min = java.util.Arrays.stream(raw).min().orElse(0);
      double max = java.util.Arrays.stream(raw).max().orElse(0);
      for (int i = 0; i < raw.length; i++) {
        double normalised = max == min ? 0 : (raw[i] - min) / (max - min);
        total[i] += weigher.multiplier() * normalised;
      }
    }
    int bestIndex = 0;
    for (int i = 1; i < candidates.size(); i++) {
      int cmp = Double.compare(total[i], total[bestIndex]);
      // ties go to the node whose name sorts first, so that placement is deterministic
      if (cmp > 0
          || (cmp == 0 && candidates.get(i).name().compareTo(candidates.get(bestIndex).name()) < 0)) {
        bestIndex = i;
      }
    }
    return candidates.get(bestIndex);
  }

  private static List<DriveView> freeDrivesOnOnlineNodes(List<NodeView> nodes) {
    return nodes.stream()
        .filter(n -> n.state() == NodeState.ONLINE)
        .flatMap(n -> n.freeDrives().stream())
        .toList();
  }

  /**
   * The resource to blame: if any node was only short of one resource, that resource (the one
   * most nodes lacked); "node" only when no node is online at all.
   */
  private static String shortestResource(Map<String, NodeFilter.Rejection> rejections) {
    Map<String, Long> counts = new LinkedHashMap<>();
    rejections.values().forEach(r -> counts.merge(r.resource(), 1L, Long::sum));
    return counts.entrySet().stream()
        .filter(e -> !e.getKey().equals("node"))
        .max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
        .map(Map.Entry::getKey)
        .orElse("node");
  }

  private static String explain(PlacementRequest request, Map<String, NodeFilter.Rejection> rejections) {
    StringBuilder sb =
        new StringBuilder("no node can host an engine of size ")
            .append(request.engineSize())
            .append(" (")
            .append(request.engineSize().vcpus())
            .append(" vCPU, ")
            .append(request.engineSize().memoryGib())
            .append(" GiB): ");
    String sep = "";
    for (NodeFilter.Rejection r : rejections.values()) {
      sb.append(sep).append(r.reason());
      sep = "; ";
    }
    return sb.toString();
  }
}
