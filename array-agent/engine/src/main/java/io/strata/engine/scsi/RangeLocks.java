package io.strata.engine.scsi;

import java.util.ArrayList;
import java.util.List;

/**
 * Serialises commands that read-modify-write a block range (COMPARE AND WRITE, ORWRITE) against
 * each other when their ranges overlap, and lets disjoint ranges run in parallel. Plain READ and
 * WRITE never take these locks, so the common I/O path shares nothing.
 */
final class RangeLocks {
  private final List<long[]> held = new ArrayList<>();

  /** A held range; close it to release. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  Held lock(long lba, long blocks) throws InterruptedException {
    long[] range = {lba, lba + Math.max(blocks, 1)};
    synchronized (this) {
      while (overlapsHeld(range)) {
        wait();
      }
      held.add(range);
    }
    return () -> {
      synchronized (RangeLocks.this) {
        held.remove(range);
        RangeLocks.this.notifyAll();
      }
    };
  }

  private boolean overlapsHeld(long[] r) {
    for (long[] h : held) {
      if (r[0] < h[1] && h[0] < r[1]) {
        return true;
      }
    }
    return false;
  }
}
