package io.strata.engine.cache;

/**
 * Tunables of a {@link FlashCache}.
 *
 * @param mode write-back, write-through or write-around
 * @param lineSize bytes per cache line, a power of two from 4 KiB to 1 MiB (default 64 KiB): the
 *     unit of promotion, eviction, dirty tracking and destaging
 * @param promoteAfterMisses a line is copied into the cache on its n-th read miss while it is
 *     still remembered by the promotion filter (default 2: one-time reads never enter the cache)
 * @param promotionWindowLines how many recently missed lines the promotion filter remembers
 *     (0 = as many as the cache has lines)
 * @param sequentialCutoffBytes a stream of consecutive requests longer than this bypasses the
 *     cache (default 4 MiB, as bcache's sequential_cutoff); 0 disables the cutoff
 * @param protectedFraction share of the lines kept in the protected segment of the segmented LRU
 * @param backgroundDestage whether a destager thread runs (tests turn it off and destage by hand)
 * @param dirtyWatermark above this share of dirty lines the destager works without pause
 * @param destageTrickleMillis below the watermark, the pause between destage batches
 * @param destageBatchLines lines copied to the backing device per batch (one backing flush each)
 */
public record CacheConfig(
    CacheMode mode,
    int lineSize,
    int promoteAfterMisses,
    int promotionWindowLines,
    long sequentialCutoffBytes,
    double protectedFraction,
    boolean backgroundDestage,
    double dirtyWatermark,
    long destageTrickleMillis,
    int destageBatchLines) {

  public static final int DEFAULT_LINE_SIZE = 64 * 1024;

  public CacheConfig {
    if (mode == null) {
      throw new IllegalArgumentException("cache mode is required");
    }
    if (lineSize < 4096 || lineSize > 1 << 20 || Integer.bitCount(lineSize) != 1) {
      throw new IllegalArgumentException(
          "cache line size must be a power of two from 4 KiB to 1 MiB, not " + lineSize);
    }
    if (promoteAfterMisses < 1) {
      throw new IllegalArgumentException("promoteAfterMisses must be at least 1");
    }
    if (promotionWindowLines < 0 || sequentialCutoffBytes < 0) {
      throw new IllegalArgumentException("window and cutoff must not be negative");
    }
    if (protectedFraction < 0 || protectedFraction >= 1) {
      throw new IllegalArgumentException("protectedFraction must be in [0, 1)");
    }
    if (dirtyWatermark < 0 || dirtyWatermark > 1 || destageTrickleMillis < 0
        || destageBatchLines < 1) {
      throw new IllegalArgumentException("bad destage settings");
    }
  }

  /** Write-back, 64 KiB lines, promotion on the second miss, 4 MiB sequential cutoff. */
  public static CacheConfig defaults() {
    return new CacheConfig(CacheMode.WRITE_BACK, DEFAULT_LINE_SIZE, 2, 0, 4L << 20, 0.8, true,
        0.10, 1000, 64);
  }

  public CacheConfig withMode(CacheMode m) {
    return new CacheConfig(m, lineSize, promoteAfterMisses, promotionWindowLines,
        sequentialCutoffBytes, protectedFraction, backgroundDestage, dirtyWatermark,
        destageTrickleMillis, destageBatchLines);
  }

  public CacheConfig withLineSize(int bytes) {
    return new CacheConfig(mode, bytes, promoteAfterMisses, promotionWindowLines,
        sequentialCutoffBytes, protectedFraction, backgroundDestage, dirtyWatermark,
        destageTrickleMillis, destageBatchLines);
  }

  public CacheConfig withPromotion(int afterMisses, int windowLines) {
    return new CacheConfig(mode, lineSize, afterMisses, windowLines, sequentialCutoffBytes,
        protectedFraction, backgroundDestage, dirtyWatermark, destageTrickleMillis,
        destageBatchLines);
  }

  public CacheConfig withSequentialCutoff(long bytes) {
    return new CacheConfig(mode, lineSize, promoteAfterMisses, promotionWindowLines, bytes,
        protectedFraction, backgroundDestage, dirtyWatermark, destageTrickleMillis,
        destageBatchLines);
  }

  public CacheConfig withBackgroundDestage(boolean on) {
    return new CacheConfig(mode, lineSize, promoteAfterMisses, promotionWindowLines,
        sequentialCutoffBytes, protectedFraction, on, dirtyWatermark, destageTrickleMillis,
        destageBatchLines);
  }

  public CacheConfig withDestage(double watermark, long trickleMillis, int batchLines) {
    return new CacheConfig(mode, lineSize, promoteAfterMisses, promotionWindowLines,
        sequentialCutoffBytes, protectedFraction, backgroundDestage, watermark, trickleMillis,
        batchLines);
  }
}
