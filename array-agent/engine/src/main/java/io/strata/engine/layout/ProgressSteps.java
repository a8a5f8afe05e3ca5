package io.strata.engine.layout;

import io.strata.engine.pool.PoolScrub;
import io.strata.engine.stats.StackFigures;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What of the pools' scrubs and rebuilds is news for the layout status: everything but their
 * position, which counts only by whole percents. The status is rewritten (and the agent tells the
 * control plane) when this changes, so a scrub or rebuild of any size costs about a hundred
 * rewrites and status messages rather than one every refresh; what is found (mismatches,
 * repairs), a state, a member or a kind changing is written at once.
 */
final class ProgressSteps {
  private ProgressSteps() {}

  static Map<String, List<Object>> ofScrubs(Map<String, PoolScrub.Progress> scrubs) {
    Map<String, List<Object>> out = new LinkedHashMap<>();
    scrubs.forEach((pool, p) -> out.put(pool, List.of(String.valueOf(p.request()), p.state(),
        percent(p.rowsDone(), p.rows()), p.mismatchedBlocks(), p.repairedBlocks(), p.unrepairableBlocks(),
        p.skippedRows(), p.rateBytesPerSecond(), p.startedMillis(), p.finishedMillis(),
        String.valueOf(p.error()))));
    return out;
  }

  static Map<String, List<Object>> ofRebuilds(Map<String, StackFigures.Rebuild> rebuilds) {
    Map<String, List<Object>> out = new LinkedHashMap<>();
    rebuilds.forEach((pool, r) -> out.put(pool, List.of(String.valueOf(r.kind()), String.valueOf(r.member()),
        String.valueOf(r.drive()), r.rebuildingMembers(), r.rowsTotal(), percent(r.rowsDone(), r.rowsTotal()),
        r.failedAttempts(), String.valueOf(r.error()))));
    return out;
  }

  /** Whole percents done, rounded down (100 only when all is done). */
  static long percent(long done, long total) {
    return total <= 0 ? 100 : Math.min(100, done * 100 / total);
  }
}
