package io.strata.controlplane.service;

import io.strata.controlplane.domain.Protection;
import io.strata.controlplane.rest.problem.ApiException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Where a highly available array's pool puts its members: spread evenly over the two engines'
 * nodes, so that the pool survives the loss of either (the standby opens the same drives when it
 * is promoted). A protection that cannot survive losing half its members is refused.
 */
final class HaPoolLayout {
  private HaPoolLayout() {}

  /** {@code count} drives taken in turn from each engine node (drives on other nodes last). */
  static List<PoolService.HeldDrive> balanced(List<PoolService.HeldDrive> free, List<UUID> engineNodes, int count) {
    Map<UUID, Deque<PoolService.HeldDrive>> byNode = new LinkedHashMap<>();
    engineNodes.forEach(n -> byNode.put(n, new ArrayDeque<>()));
    for (PoolService.HeldDrive d : free) {
      byNode.computeIfAbsent(d.drive().nodeId, k -> new ArrayDeque<>()).add(d);
    }
    List<PoolService.HeldDrive> picked = new ArrayList<>();
    while (picked.size() < count && byNode.values().stream().anyMatch(q -> !q.isEmpty())) {
      for (Deque<PoolService.HeldDrive> q : byNode.values()) {
        if (picked.size() < count && !q.isEmpty()) {
          picked.add(q.poll());
        }
      }
    }
    return picked;
  }

  /** How many members a pool of {@code protection} with {@code count} members may lose at once. */
  static int membersItMayLose(Protection protection, int count) {
    return switch (protection) {
      case RAID1 -> count - 1;
      case RAID10 -> count / 2; // when each mirror pair spans the two nodes
      case RAID5 -> 1;
      case RAID6 -> 2;
    };
  }

  /**
   * Refuses a pool that would not survive the loss of either engine's node: 422 naming
   * {@code protection} when no spread over two nodes could make it survive (RAID5 on two nodes,
   * RAID6 with more than four members), else the caller's refusal ({@code notEnough}) when the
   * array lacks free drives on one of the nodes.
   */
  static void requireSurvivesEitherEngineNode(
      Protection protection, List<PoolService.HeldDrive> members, List<UUID> engineNodes,
      Function<String, ApiException> notEnough) {
    int count = members.size();
    int mayLose = membersItMayLose(protection, count);
    int atBest = (count + 1) / 2;
    if (atBest > mayLose) {
      throw ApiException.invalidField("protection",
          protection + " with " + count + " members survives the loss of " + mayLose + " member"
              + (mayLose == 1 ? "" : "s") + ", and a highly available array's members are on its two engines' nodes"
              + " (at least " + atBest + " on one): use RAID1, RAID10, or RAID6 with 4 members");
    }
    for (UUID node : engineNodes) {
      long onNode = members.stream().filter(d -> d.drive().nodeId.equals(node)).count();
      if (onNode > mayLose) {
        throw notEnough.apply("the pool would hold " + onNode + " of its " + count + " members on one engine's node"
            + " and could not survive its loss; it needs free drives on both engines' nodes");
      }
    }
  }
}
