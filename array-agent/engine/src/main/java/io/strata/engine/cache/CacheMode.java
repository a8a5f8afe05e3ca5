package io.strata.engine.cache;

/** How the flash cache treats writes. Reads are cached the same way in every mode. */
public enum CacheMode {
  /**
   * A write lands on the SSD (data, then its checksummed line record) and is acknowledged; the
   * destager copies it to the backing device later. Fastest writes; the SSD holds the only copy
   * of dirty data until it is destaged, so losing the SSD then takes the volume offline.
   */
  WRITE_BACK,
  /** A write goes to the backing device and also refreshes a cached copy of its line, if any. */
  WRITE_THROUGH,
  /** A write goes to the backing device only and drops a cached clean copy of its line. */
  WRITE_AROUND
}
