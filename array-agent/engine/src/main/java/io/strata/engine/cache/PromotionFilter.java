package io.strata.engine.cache;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides which read misses copy their line into the cache: a line is promoted on its n-th miss
 * while it is still among the last {@code windowLines} distinct lines that missed (a "ghost"
 * list, as 2Q's A1out or dm-cache smq's hotspot tracking). A line read once, as in a backup or a
 * scan, is never promoted, so it cannot push hot lines out.
 */
final class PromotionFilter {
  private final int promoteAfter;
  private final LinkedHashMap<Long, Integer> recentMisses;

  PromotionFilter(int promoteAfter, int windowLines) {
    this.promoteAfter = promoteAfter;
    int window = Math.max(1, windowLines);
    this.recentMisses = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
        return size() > window;
      }
    };
  }

  /** Records a miss on {@code line}; true when the line should now be promoted. */
  synchronized boolean missShouldPromote(long line) {
    if (promoteAfter <= 1) {
      return true;
    }
    int misses = recentMisses.merge(line, 1, Integer::sum);
    if (misses >= promoteAfter) {
      recentMisses.remove(line);
      return true;
    }
    return false;
  }

  synchronized void forget(long line) {
    recentMisses.remove(line);
  }
}
