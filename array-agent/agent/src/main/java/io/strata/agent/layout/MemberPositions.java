package io.strata.agent.layout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps every pool member at its position from one layout to the next. The planner lists a
 * pool's members in serial order, but the engine knows a member by its position (its label says
 * "member i of n"): when the control plane replaces a drive of a pool, the new drive must take
 * the outgoing drive's position, whatever its serial, so that the engine copies or rebuilds it
 * there while it runs (docs/provisioning.md, "Replacing a drive").
 */
public final class MemberPositions {
  private MemberPositions() {}

  /**
   * {@code next} with each pool that {@code previous} had with as many members reordered: the
   * drives it keeps at their old positions, its new drives (in the planner's order) in the
   * positions of the drives it lost; a pool that keeps every drive and has more (grown) lists its
   * new drives after the old ones, where the engine adds them. Pools new, shrunk or unchanged are
   * left as planned.
   */
  public static EngineLayout keep(EngineLayout previous, EngineLayout next) {
    if (previous == null) {
      return next;
    }
    Map<String, EngineLayout.Pool> before = new HashMap<>();
    previous.pools().forEach(p -> before.put(p.name(), p));
    List<EngineLayout.Pool> pools = new ArrayList<>();
    boolean changed = false;
    for (EngineLayout.Pool pool : next.pools()) {
      EngineLayout.Pool old = before.get(pool.name());
      EngineLayout.Pool kept = old == null ? pool : inOldPositions(old, pool);
      changed |= !Objects.equals(kept, pool);
      pools.add(kept);
    }
    return !changed ? next : new EngineLayout(next.revision(), next.drives(), pools, next.volumes(),
        next.snapshots(), next.luns(), next.initiators(), next.mutualChap(), next.ha());
  }

  private static EngineLayout.Pool inOldPositions(EngineLayout.Pool old, EngineLayout.Pool pool) {
    if (old.drives().size() < pool.drives().size() && pool.drives().containsAll(old.drives())) {
      List<String> grown = new ArrayList<>(old.drives());
      pool.drives().stream().filter(d -> !old.drives().contains(d)).forEach(grown::add);
      // its restripe rate too: the restripe onto the new drives runs at it
      return new EngineLayout.Pool(pool.name(), grown, pool.protection(), pool.cache(), pool.tiering(), null,
          pool.restripe());
    }
    if (old.drives().size() != pool.drives().size()) {
      return pool;
    }
    Deque<String> incoming = new ArrayDeque<>(
        pool.drives().stream().filter(d -> !old.drives().contains(d)).toList());
    List<String> members = new ArrayList<>();
    for (String d : old.drives()) {
      members.add(pool.drives().contains(d) ? d : incoming.poll());
    }
    // everything else as planned, its scrub too (a scrub request must reach the engine)
    return new EngineLayout.Pool(pool.name(), members, pool.protection(), pool.cache(), pool.tiering(),
        pool.scrub(), pool.restripe());
  }
}
