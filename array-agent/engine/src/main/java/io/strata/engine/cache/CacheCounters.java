package io.strata.engine.cache;

/**
 * A snapshot of the flash cache's counters. Reads and writes are counted per line segment: a
 * 4 KiB read is one, a 1 MiB read over 64 KiB lines is sixteen.
 *
 * @param readHits segments served from the SSD
 * @param readMisses segments read from the backing device (including those then promoted)
 * @param readBypassed the misses that skipped the promotion filter as part of a sequential stream
 * @param promotions lines copied into the cache after repeated misses
 * @param evictions clean lines dropped to make room
 * @param writesCached write segments that landed on the SSD (write-back, or an update of a
 *     cached line in write-through)
 * @param writesToBacking write segments that went only to the backing device
 * @param destaged dirty lines copied to the backing device and marked clean
 * @param cachedLines lines in the cache now
 * @param dirtyLines lines not yet destaged now
 * @param totalLines the cache's capacity in lines
 */
public record CacheCounters(
    long readHits,
    long readMisses,
    long readBypassed,
    long promotions,
    long evictions,
    long writesCached,
    long writesToBacking,
    long destaged,
    int cachedLines,
    int dirtyLines,
    int totalLines) {

  /** Read hits over all read segments, 0 when nothing was read. */
  public double readHitRatio() {
    long all = readHits + readMisses;
    return all == 0 ? 0 : (double) readHits / all;
  }
}
