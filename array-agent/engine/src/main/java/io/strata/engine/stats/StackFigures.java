package io.strata.engine.stats;

import io.strata.engine.cache.CacheCounters;
import io.strata.engine.cache.FlashCache;
import io.strata.engine.drive.Drive;
import io.strata.engine.layout.ArrayStack;
import io.strata.engine.pool.MemberState;
import io.strata.engine.pool.Pool;
import io.strata.engine.tier.TierCounters;
import io.strata.engine.tier.TieredDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the block stack's own counters say, gathered once a second for the stats file: each
 * pool's flash cache (hits, misses, dirty bytes), its tier mover (bytes moved), its rebuild, and
 * each drive's state and I/O errors. The layers count these anyway ({@code CacheStats},
 * {@code TieredDevice}, {@code DriveStats}, {@code Pool}); reading them costs the data path nothing.
 */
public record StackFigures(List<Cache> caches, List<Tier> tiers, List<DriveState> drives,
    List<Rebuild> rebuilds) {

  public static final StackFigures NONE = new StackFigures(List.of(), List.of(), List.of(), List.of());

  /**
   * A pool's flash cache. Hits and misses count line segments of reads (a 1 MiB read over 64 KiB
   * lines is sixteen).
   */
  public record Cache(String pool, long readHits, long readMisses, long dirtyBytes, long cachedBytes,
      long capacityBytes) {}

  /** A tiered pool's mover: bytes promoted to SSD and demoted to HDD since the engine started. */
  public record Tier(String pool, long promotedBytes, long demotedBytes) {}

  /** A drive: its state (ONLINE, REBUILDING, FAILED), its pool (or null) and its I/O errors so far. */
  public record DriveState(String drive, String pool, String state, long errors) {}

  /**
   * A pool's rebuild: members being rebuilt now, and of the running one the rows done out of the
   * rows it copies (both 0 when none runs).
   */
  public record Rebuild(String pool, int rebuildingMembers, long rowsDone, long rowsTotal) {}

  public static StackFigures of(ArrayStack stack) {
    List<Cache> caches = new ArrayList<>();
    List<Tier> tiers = new ArrayList<>();
    List<Rebuild> rebuilds = new ArrayList<>();
    for (Map.Entry<String, Pool> e : stack.pools().entrySet()) {
      String pool = e.getKey();
      FlashCache cache = stack.flashCache(pool);
      if (cache != null) {
        CacheCounters c = cache.counters();
        long line = cache.lineSize();
        caches.add(new Cache(pool, c.readHits(), c.readMisses(), c.dirtyLines() * line,
            c.cachedLines() * line, c.totalLines() * line));
      }
      TieredDevice tiered = stack.tieredDevice(pool);
      if (tiered != null) {
        TierCounters t = tiered.counters();
        tiers.add(new Tier(pool, t.promotions() * tiered.extentSize(), t.demotions() * tiered.extentSize()));
      }
      rebuilds.add(rebuildOf(pool, e.getValue()));
    }
    Map<String, Drive> open = stack.drives();
    List<DriveState> drives = new ArrayList<>();
    for (ArrayStack.DriveHealth h : stack.health()) {
      Drive d = open.get(h.name());
      drives.add(new DriveState(h.name(), h.pool(), h.state(), d == null ? 0 : d.stats().errors()));
    }
    return new StackFigures(caches, tiers, drives, rebuilds);
  }

  private static Rebuild rebuildOf(String name, Pool pool) {
    int rebuilding = (int) pool.states().stream().filter(s -> s == MemberState.REBUILDING).count();
    return rebuilding == 0 ? new Rebuild(name, 0, 0, 0)
        : new Rebuild(name, rebuilding, pool.rebuildProgressRows(), pool.rebuildRows());
  }
}
