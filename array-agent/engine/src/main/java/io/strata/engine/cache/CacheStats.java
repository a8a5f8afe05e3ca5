package io.strata.engine.cache;

import java.util.concurrent.atomic.LongAdder;

/** Counters of a {@link FlashCache}, counted per line segment of each request. */
final class CacheStats {
  final LongAdder readHits = new LongAdder();
  final LongAdder readMisses = new LongAdder();
  final LongAdder readBypassed = new LongAdder();
  final LongAdder promotions = new LongAdder();
  final LongAdder evictions = new LongAdder();
  final LongAdder writesCached = new LongAdder();
  final LongAdder writesToBacking = new LongAdder();
  final LongAdder destaged = new LongAdder();

  CacheCounters snapshot(int cachedLines, int dirtyLines, int totalLines) {
    return new CacheCounters(readHits.sum(), readMisses.sum(), readBypassed.sum(),
        promotions.sum(), evictions.sum(), writesCached.sum(), writesToBacking.sum(),
        destaged.sum(), cachedLines, dirtyLines, totalLines);
  }
}
