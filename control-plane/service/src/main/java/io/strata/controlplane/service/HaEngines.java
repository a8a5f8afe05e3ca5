package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayEngine;
import io.strata.controlplane.domain.EngineRole;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.rest.dto.ArrayDtos.EngineView;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads the engines of highly available arrays for the API: their slots and nodes in one query
 * each, and only when a highly available array is among those shown.
 */
public final class HaEngines {
  private HaEngines() {}

  /** The engine slots of the given arrays that are highly available, by array (ACTIVE first). */
  public static Map<UUID, List<ArrayEngine>> of(Collection<StorageArray> arrays) {
    Set<UUID> ha = arrays.stream().filter(a -> a.highAvailability).map(a -> a.id).collect(Collectors.toSet());
    if (ha.isEmpty()) {
      return Map.of();
    }
    return ArrayEngine.<ArrayEngine>list("arrayId in ?1", ha).stream()
        .sorted(activeFirst())
        .collect(Collectors.groupingBy(e -> e.arrayId));
  }

  /** The nodes the engines run on, by id. */
  public static Map<UUID, Node> nodes(Collection<List<ArrayEngine>> engines) {
    Set<UUID> ids = engines.stream().flatMap(List::stream).map(e -> e.nodeId).collect(Collectors.toSet());
    return ids.isEmpty() ? Map.of()
        : Node.<Node>list("id in ?1", ids).stream().collect(Collectors.toMap(n -> n.id, Function.identity()));
  }

  /** ACTIVE before STANDBY, then by port group: the order of {@code engines} and of the portals. */
  public static Comparator<ArrayEngine> activeFirst() {
    return Comparator.<ArrayEngine>comparingInt(e -> e.role == EngineRole.ACTIVE ? 0 : 1)
        .thenComparingInt(e -> e.portGroup);
  }

  public static List<EngineView> views(List<ArrayEngine> engines, Map<UUID, Node> nodes) {
    if (engines == null) {
      return List.of();
    }
    return engines.stream().map(e -> view(e, nodes.get(e.nodeId))).toList();
  }

  static EngineView view(ArrayEngine e, Node node) {
    return new EngineView(e.nodeId, node == null ? null : node.name, e.role, portal(e, node), state(e, node));
  }

  /** What the engine is up to, as the API shows it (see EngineView). */
  static String state(ArrayEngine e, Node node) {
    if (e.outdated) {
      return "OUTDATED";
    }
    if (node == null || node.state == NodeState.OFFLINE) {
      return "OFFLINE";
    }
    return e.reportedState == null ? "PROVISIONING" : e.reportedState;
  }

  static String portal(ArrayEngine e, Node node) {
    return node == null ? null : node.address + ":" + e.portalPort;
  }

  /** Every portal of the array: the ACTIVE engine's first, then the standby's. */
  public static List<String> portals(List<ArrayEngine> engines, Map<UUID, Node> nodes) {
    return engines.stream().map(e -> portal(e, nodes.get(e.nodeId))).filter(p -> p != null).toList();
  }
}
