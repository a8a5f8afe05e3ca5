package io.strata.engine.layout;

import io.strata.engine.layout.ArrayLayout.PoolSpec;
import io.strata.engine.layout.ArrayLayout.ScrubSpec;
import io.strata.engine.pool.Pool;
import io.strata.engine.pool.PoolScrub;
import io.strata.engine.pool.ScrubCheckpoint;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The scrubs the layout asks for, one per pool at most, converged on every apply: a pool whose
 * {@code scrub.request} is new gets a scrub (or resumes the interrupted one of that id from its
 * checkpoint on the drives, or finds it finished); a changed rate applies to the running scrub;
 * a removed scrub block, or a removed pool, stops it where it is.
 */
final class PoolScrubs {
  private static final Logger LOG = Logger.getLogger(PoolScrubs.class.getName());
  private final Map<String, PoolScrub> byPool = new HashMap<>();
  /**
   * The last result read from each idle pool's drives, with the pool it was read from: the
   * stats file asks every second, and only a scrub of this engine (in {@link #byPool}) changes
   * it, so the drives are read once per pool rather than at every ask.
   */
  private final Map<String, LastResult> lastResults = new HashMap<>();

  private record LastResult(Pool pool, PoolScrub.Progress progress) {}

  synchronized void converge(List<PoolSpec> specs, Map<String, Pool> pools) {
    Map<String, ScrubSpec> wanted = new HashMap<>();
    specs.forEach(p -> {
      if (p.scrub() != null && pools.containsKey(p.name())) {
        wanted.put(p.name(), p.scrub());
      }
    });
    for (String pool : List.copyOf(byPool.keySet())) {
      ScrubSpec w = wanted.get(pool);
      if (w == null || !w.request().equals(byPool.get(pool).request())) {
        stop(pool);
      }
    }
    wanted.forEach((pool, w) -> {
      PoolScrub running = byPool.get(pool);
      if (running != null) {
        if (running.progress().rateBytesPerSecond() != w.bytesPerSecond()) {
          running.rate(w.bytesPerSecond());
          LOG.info("pool " + pool + ": scrub " + w.request() + " now at " + w.bytesPerSecond()
              + " bytes/s");
        }
        return;
      }
      byPool.put(pool, PoolScrub.start(pools.get(pool), w.request(), w.bytesPerSecond()));
      LOG.info("pool " + pool + ": scrub " + w.request() + " "
          + byPool.get(pool).progress().state().name().toLowerCase(java.util.Locale.ROOT)
          + " at row " + byPool.get(pool).progress().rowsDone());
    });
  }

  /** Stops the scrub of {@code pool}, if one runs (before the pool closes). */
  synchronized void stop(String pool) {
    PoolScrub s = byPool.remove(pool);
    lastResults.remove(pool); // its checkpoint is the last result now: read it again
    if (s != null) {
      s.stop();
    }
  }

  synchronized void stopAll() {
    List.copyOf(byPool.keySet()).forEach(this::stop);
  }

  /**
   * Each pool's scrub: the running one's progress, else the last result on its drives (a
   * scrub stopped where it was reads as STOPPED). Pools never scrubbed are absent.
   */
  synchronized Map<String, PoolScrub.Progress> progress(Map<String, Pool> pools) {
    Map<String, PoolScrub.Progress> out = new LinkedHashMap<>();
    pools.forEach((name, pool) -> {
      PoolScrub s = byPool.get(name);
      if (s != null) {
        out.put(name, s.progress());
        return;
      }
      LastResult last = lastResults.get(name);
      if (last == null || last.pool() != pool) { // never read, or the pool was opened again
        last = new LastResult(pool, lastOnDrives(pool));
        lastResults.put(name, last);
      }
      if (last.progress() != null) {
        out.put(name, last.progress());
      }
    });
    lastResults.keySet().retainAll(pools.keySet());
    return out;
  }

  /** The pool's last scrub as its drives' checkpoint says, or null if it was never scrubbed. */
  private static PoolScrub.Progress lastOnDrives(Pool pool) {
    ScrubCheckpoint c = pool.protection() == io.strata.engine.pool.Protection.NONE ? null
        : PoolScrub.last(pool);
    return c == null ? null : new PoolScrub.Progress(c.request(),
        c.done() ? PoolScrub.State.DONE : PoolScrub.State.STOPPED, c.nextRow(), c.rows(),
        c.mismatchedBlocks(), c.repairedBlocks(), c.unrepairableBlocks(), c.skippedRows(),
        c.rateBytesPerSecond(), c.startedMillis(), c.finishedMillis(), null);
  }
}
