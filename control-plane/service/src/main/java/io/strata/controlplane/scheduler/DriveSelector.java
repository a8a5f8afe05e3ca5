package io.strata.controlplane.scheduler;

import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.SpreadPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Picks drives of one type, spreading them over fault domains: each pick goes to the domain that
 * holds the fewest of the array's drives of that type so far (ties: the domain with more free
 * drives left, then by name), so that a mirror or parity set loses as few members as possible
 * when a node or zone fails. With two or more drives and a NODE or ZONE policy, at least two
 * domains must be used, otherwise the request fails naming "fault domains".
 */
public final class DriveSelector {

  public List<DriveView> select(
      List<DriveView> free, DriveType type, int count, SpreadPolicy spread, List<DriveView> alreadyHeld) {
    if (count == 0) {
      return List.of();
    }
    Function<DriveView, String> domainOf = domainKey(spread);
    List<DriveView> candidates =
        free.stream()
            .filter(d -> d.type() == type)
            .sorted(
                Comparator.comparingLong(DriveView::capacityGib)
                    .reversed()
                    .thenComparing(d -> d.id().toString()))
            .toList();
    if (candidates.size() < count) {
      throw new PlacementException(
          type + " drives",
          "need " + count + " free " + type + " drives, " + candidates.size() + " available");
    }

    Map<String, List<DriveView>> byDomain = new LinkedHashMap<>();
    for (DriveView d : candidates) {
      byDomain.computeIfAbsent(domainOf.apply(d), k -> new ArrayList<>()).add(d);
    }
    Map<String, Integer> held = new HashMap<>();
    for (DriveView d : alreadyHeld) {
      if (d.type() == type) {
        held.merge(domainOf.apply(d), 1, Integer::sum);
      }
    }

    List<DriveView> picked = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String domain =
          byDomain.entrySet().stream()
              .filter(e -> !e.getValue().isEmpty())
              .min(
                  Comparator.<Map.Entry<String, List<DriveView>>>comparingInt(
                          e -> held.getOrDefault(e.getKey(), 0))
                      .thenComparing(e -> -e.getValue().size())
                      .thenComparing(Map.Entry::getKey))
              .orElseThrow()
              .getKey();
      picked.add(byDomain.get(domain).remove(0));
      held.merge(domain, 1, Integer::sum);
    }

    if (spread != SpreadPolicy.NONE && count + countOfType(alreadyHeld, type) >= 2) {
      Set<String> used = new HashSet<>(held.keySet());
      if (used.size() < 2) {
        String unit = spread == SpreadPolicy.NODE ? "nodes" : "zones";
        throw new PlacementException(
            "fault domains",
            type + " drives must span at least 2 " + unit + " (spread " + spread
                + "), free " + type + " drives are on " + byDomainCount(free, type, domainOf) + " " + unit);
      }
    }
    return picked;
  }

  private static long countOfType(List<DriveView> drives, DriveType type) {
    return drives.stream().filter(d -> d.type() == type).count();
  }

  private static long byDomainCount(List<DriveView> free, DriveType type, Function<DriveView, String> domainOf) {
    return free.stream().filter(d -> d.type() == type).map(domainOf).distinct().count();
  }

  private static Function<DriveView, String> domainKey(SpreadPolicy spread) {
    return switch (spread) {
      case NODE -> d -> d.nodeId().toString();
      case ZONE -> DriveView::zone;
      case NONE -> d -> "";
    };
  }
}
