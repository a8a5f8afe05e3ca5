package io.strata.engine.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Where things live on the cache SSD:
 *
 * <pre>
 *   0 .. 4 KiB          superblock: magic, version, line size, line count, backing geometry, CRC32C
 *   4 KiB .. data start line records: 64 bytes per slot = two 32-byte {@link LineRecord}s
 *                       written alternately, so a torn record write leaves the previous one
 *   data start ..       the lines themselves, slot i at dataStart + i * lineSize
 * </pre>
 *
 * Records are written in whole 4 KiB units from an in-memory mirror (see {@link CacheMetadata}).
 */
record CacheLayout(int lineSize, int lineCount, int backingBlockSize, long backingBlocks) {
  static final int UNIT = 4096;
  static final int RECORD_BYTES_PER_SLOT = 2 * LineRecord.BYTES;
  private static final long MAGIC = io.strata.engine.pool.DriveLabel.CACHE_MAGIC;
  private static final int VERSION = 1;
  private static final int SUPERBLOCK_FIELDS = 8 + 4 + 4 + 4 + 4 + 8;

  /** The largest layout of {@code lineSize} lines that fits on an SSD of {@code ssdBytes}. */
  static CacheLayout fitting(long ssdBytes, int lineSize, int backingBlockSize,
      long backingBlocks) {
    long n = (ssdBytes - 2L * UNIT) / (lineSize + RECORD_BYTES_PER_SLOT);
    while (n > 0 && dataStart(n) + n * lineSize > ssdBytes) {
      n--;
    }
    if (n < 1) {
      throw new IllegalArgumentException("a cache SSD of " + ssdBytes
          + " bytes cannot hold one " + lineSize + "-byte line and its metadata");
    }
    return new CacheLayout(lineSize, (int) Math.min(n, Integer.MAX_VALUE), backingBlockSize,
        backingBlocks);
  }

  private static long dataStart(long lines) {
    long records = lines * RECORD_BYTES_PER_SLOT;
    return UNIT + (records + UNIT - 1) / UNIT * UNIT;
  }

  long recordAreaStart() {
    return UNIT;
  }

  int recordAreaBytes() {
    return (int) (dataStart(lineCount) - UNIT);
  }

  long dataStart() {
    return dataStart(lineCount);
  }

  long slotOffset(int slot) {
    return dataStart() + (long) slot * lineSize;
  }

  ByteBuffer encodeSuperblock() {
    ByteBuffer b = ByteBuffer.allocate(UNIT);
    b.putLong(MAGIC).putInt(VERSION).putInt(lineSize).putInt(lineCount).putInt(backingBlockSize)
        .putLong(backingBlocks);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, SUPERBLOCK_FIELDS);
    b.putInt((int) crc.getValue());
    b.clear();
    return b;
  }

  /**
   * Parses a superblock: null for a blank SSD (all zeros: format it), the layout for a valid one,
   * an exception for anything else (a corrupt superblock is never guessed around).
   */
  static CacheLayout decodeSuperblock(ByteBuffer unit) throws IOException {
    boolean blank = true;
    for (int i = 0; i < unit.limit(); i++) {
      if (unit.get(i) != 0) {
        blank = false;
        break;
      }
    }
    if (blank) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(unit.array(), 0, SUPERBLOCK_FIELDS);
    long magic = unit.getLong(0);
    if (magic != MAGIC || unit.getInt(SUPERBLOCK_FIELDS) != (int) crc.getValue()) {
      throw new CacheMetadataException(
          "the cache SSD's superblock is not a Strata flash cache superblock or fails its "
              + "checksum; refusing to use it (wipe the first 4 KiB to reformat)");
    }
    int version = unit.getInt(8);
    if (version != VERSION) {
      throw new CacheMetadataException("cache superblock version " + version + " is unknown");
    }
    return new CacheLayout(unit.getInt(12), unit.getInt(16), unit.getInt(20), unit.getLong(24));
  }
}
