package io.strata.engine.stats;

import io.strata.engine.cache.CacheCounters;
import io.strata.engine.cache.FlashCache;
import io.strata.engine.drive.Drive;
import io.strata.engine.layout.ArrayStack;
import io.strata.engine.pool.MemberState;
import io.strata.engine.pool.Pool;
import io.strata.engine.pool.PoolScrub;
import io.strata.engine.tier.TierCounters;
import io.strata.engine.tier.TieredDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the block stack's own counters say, gathered once a second for the stats file: each
 * pool's flash cache (hits, misses, dirty bytes), its tier mover (bytes moved), its rebuild or
 * member copy, its current or last scrub, and each drive's state and I/O errors. The layers
 * count these anyway ({@code CacheStats}, {@code TieredDevice}, {@code DriveStats}, {@code Pool},
 * {@code PoolScrub}); reading them costs the data path nothing.
 */
public record StackFigures(List<Cache> caches, List<Tier> tiers, List<DriveState> drives,
    List<Rebuild> rebuilds, List<Scrub> scrubs) {

  public static final StackFigures NONE = new StackFigures(List.of(), List.of(), List.of(), List.of());

  /** Figures without scrubs (a stack from before they were reported). */
  public StackFigures(List<Cache> caches, List<Tier> tiers, List<DriveState> drives,
      List<Rebuild> rebuilds) {
    this(caches, tiers, drives, rebuilds, List.of());
  }

  public StackFigures {
    scrubs = scrubs == null ? List.of() : scrubs;
  }

  /** Bytes of each member one row is: what a rebuild, a copy and a scrub go through at a time. */
  static final long ROW_BYTES = (long) Pool.ROW_BLOCKS * Pool.BLOCK_SIZE;

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
   * A pool's rebuild: members being rebuilt now (or copied onto their replacement), and of the
   * running one the rows done out of the rows it copies (both 0 when none runs). Added later:
   * {@code kind} ({@code REBUILD}: a failed, new or returning member rebuilt or resynced from the
   * others; {@code COPY}: a healthy member copied onto the drive replacing it; null when none
   * runs), the running one's {@code member} position and the layout {@code drive} it writes to,
   * and its rows as bytes of that drive ({@code bytesDone} of {@code bytesTotal}). Added for a
   * RESTRIPE (issue 18): {@code failedAttempts}, its attempts that stopped on an error in a row
   * (it is tried again by itself after a pause), and {@code error}, why the last one stopped
   * (null while none did).
   */
  public record Rebuild(String pool, int rebuildingMembers, long rowsDone, long rowsTotal,
      String kind, Integer member, String drive, long bytesDone, long bytesTotal,
      int failedAttempts, String error) {

    /** A rebuild figure that does not say which member (a file from an older engine). */
    public Rebuild(String pool, int rebuildingMembers, long rowsDone, long rowsTotal) {
      this(pool, rebuildingMembers, rowsDone, rowsTotal, rebuildingMembers == 0 ? null : "REBUILD",
          null, null, rowsDone * ROW_BYTES, rowsTotal * ROW_BYTES);
    }

    /** A rebuild, copy or restripe that has not stopped on an error. */
    public Rebuild(String pool, int rebuildingMembers, long rowsDone, long rowsTotal,
        String kind, Integer member, String drive, long bytesDone, long bytesTotal) {
      this(pool, rebuildingMembers, rowsDone, rowsTotal, kind, member, drive, bytesDone,
          bytesTotal, 0, null);
    }

    /** Whether a rebuild or a copy runs. */
    public boolean running() {
      return rebuildingMembers > 0;
    }
  }

  /**
   * A pool's scrub, running or the last one its drives remember ({@link PoolScrub.Progress}):
   * {@code state} RUNNING, DONE, STOPPED or FAILED; rows are MiB of each member; the blocks are
   * 512-byte blocks found differing from their redundancy, rewritten from it, or that nothing
   * could tell right; {@code started} and {@code finished} (null until it is) as ISO-8601.
   */
  public record Scrub(String pool, String request, String state, long rowsDone, long rows,
      long mismatchedBlocks, long repairedBlocks, long unrepairableBlocks, long skippedRows,
      long rateBytesPerSecond, String started, String finished, String error) {

    static Scrub of(String pool, PoolScrub.Progress p) {
      return new Scrub(pool, p.request(), p.state().name(), p.rowsDone(), p.rows(),
          p.mismatchedBlocks(), p.repairedBlocks(), p.unrepairableBlocks(), p.skippedRows(),
          p.rateBytesPerSecond(), instant(p.startedMillis()), instant(p.finishedMillis()),
          p.error());
    }

    private static String instant(long millis) {
      return millis <= 0 ? null : java.time.Instant.ofEpochMilli(millis).toString();
    }
  }

  public static StackFigures of(ArrayStack stack) {
    List<Cache> caches = new ArrayList<>();
    List<Tier> tiers = new ArrayList<>();
    List<Rebuild> rebuilds = new ArrayList<>();
    List<Scrub> scrubs = new ArrayList<>();
    stack.scrubs().forEach((pool, p) -> scrubs.add(Scrub.of(pool, p)));
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
      rebuilds.add(rebuildOf(pool, e.getValue(), stack.poolDrives(pool)));
    }
    Map<String, Drive> open = stack.drives();
    List<DriveState> drives = new ArrayList<>();
    for (ArrayStack.DriveHealth h : stack.health()) {
      Drive d = open.get(h.name());
      drives.add(new DriveState(h.name(), h.pool(), h.state(), d == null ? 0 : d.stats().errors()));
    }
    return new StackFigures(caches, tiers, drives, rebuilds, scrubs);
  }

  /**
   * The rebuilds and member copies running now, by pool (what the layout status reports so the
   * agent can tell the control plane); pools without one are absent.
   */
  public static Map<String, Rebuild> running(ArrayStack stack) {
    Map<String, Rebuild> out = new java.util.LinkedHashMap<>();
    stack.pools().forEach((name, pool) -> {
      Rebuild r = rebuildOf(name, pool, stack.poolDrives(name));
      if (r.running()) {
        out.put(name, r);
      }
    });
    return out;
  }

  /**
   * The pool's rebuild as the stats file and the layout status report it: a member being rebuilt
   * first (the pool lacks redundancy until it is done; the pool rebuilds the lowest REBUILDING
   * member first, as {@code Pool.rebuildAll} does), else a member being copied onto its
   * replacement.
   *
   * @param drives the layout names of the pool's members by position (empty if unknown)
   */
  public static Rebuild rebuildOf(String name, Pool pool, List<String> drives) {
    List<MemberState> states = pool.states();
    int rebuilding = (int) states.stream().filter(s -> s == MemberState.REBUILDING).count();
    int copying = pool.copyTarget();
    int running = rebuilding + (copying >= 0 ? 1 : 0);
    if (rebuilding > 0) {
      int member = states.indexOf(MemberState.REBUILDING);
      return rebuild(name, running, "REBUILD", member, drives, pool.rebuildProgressRows(),
          pool.rebuildRows());
    }
    if (copying >= 0) {
      return rebuild(name, running, "COPY", copying, drives, pool.copyProgressRows(),
          pool.memberRows());
    }
    if (pool instanceof io.strata.engine.pool.ParityPool parity && parity.restriping()) {
      // every stripe rewritten over the drives the pool grew by; no member is rebuilt
      long done = parity.restripeProgressRows();
      long total = parity.memberRows();
      return new Rebuild(name, 1, done, total, "RESTRIPE", null, null, done * ROW_BYTES,
          total * ROW_BYTES, parity.restripeFailures(), parity.restripeError());
    }
    return new Rebuild(name, 0, 0, 0);
  }

  private static Rebuild rebuild(String pool, int running, String kind, int member,
      List<String> drives, long done, long total) {
    String drive = member < drives.size() ? drives.get(member) : null;
    return new Rebuild(pool, running, done, total, kind, member, drive, done * ROW_BYTES,
        total * ROW_BYTES);
  }
}
