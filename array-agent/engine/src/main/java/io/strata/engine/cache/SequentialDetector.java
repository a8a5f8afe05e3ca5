package io.strata.engine.cache;

/**
 * Recognises sequential streams so that a large copy bypasses the cache (bcache's
 * sequential_cutoff). It follows a few streams at once, each by the LBA where its next request
 * should start; a request that continues a stream extends its length, any other request starts a
 * new stream in the least recently used place.
 */
final class SequentialDetector {
  private static final int STREAMS = 16;

  private final long cutoffBytes;
  private final long[] nextLba = new long[STREAMS];
  private final long[] runBytes = new long[STREAMS];
  private final long[] lastUse = new long[STREAMS];
  private long clock;

  SequentialDetector(long cutoffBytes) {
    this.cutoffBytes = cutoffBytes;
    java.util.Arrays.fill(nextLba, -1);
  }

  /** Records a request; true when it belongs to a stream longer than the cutoff. */
  synchronized boolean bypass(long lba, long blocks, int blockSize) {
    if (cutoffBytes == 0) {
      return false;
    }
    clock++;
    long bytes = blocks * blockSize;
    int lru = 0;
    for (int i = 0; i < STREAMS; i++) {
      if (nextLba[i] == lba) {
        runBytes[i] += bytes;
        nextLba[i] = lba + blocks;
        lastUse[i] = clock;
        return runBytes[i] > cutoffBytes;
      }
      if (lastUse[i] < lastUse[lru]) {
        lru = i;
      }
    }
    nextLba[lru] = lba + blocks;
    runBytes[lru] = bytes;
    lastUse[lru] = clock;
    return bytes > cutoffBytes;
  }
}
