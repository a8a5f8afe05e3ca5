package io.strata.engine.cache;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One persistent line record, 32 bytes: {@code seq u64, backingLine i64, kind i32, dataCrc i32,
 * reserved i32, recordCrc i32}, with the CRC32C of the first 28 bytes last. An all-zero or torn
 * record fails its checksum and counts as absent.
 *
 * <p>Only dirtiness needs to survive a crash: a DIRTY record says "slot s holds line L, newer
 * than the backing device, with data CRC c". CLEAN (written after a destage is flushed to the
 * backing device) and EMPTY (after an unmap) records cancel it. Clean lines are not recovered
 * after a restart, so promotions and evictions write no record at all.
 */
record LineRecord(long seq, long backingLine, int kind, int dataCrc) {
  static final int BYTES = 32;
  static final int EMPTY = 0;
  static final int DIRTY = 1;
  static final int CLEAN = 2;

  void encode(byte[] into, int offset) {
    ByteBuffer b = ByteBuffer.wrap(into, offset, BYTES);
    b.putLong(seq).putLong(backingLine).putInt(kind).putInt(dataCrc).putInt(0);
    CRC32C crc = new CRC32C();
    crc.update(into, offset, BYTES - 4);
    b.putInt((int) crc.getValue());
  }

  /** The record at {@code offset}, or null when its checksum fails (never written, or torn). */
  static LineRecord decode(byte[] from, int offset) {
    ByteBuffer b = ByteBuffer.wrap(from, offset, BYTES);
    CRC32C crc = new CRC32C();
    crc.update(from, offset, BYTES - 4);
    if (b.getInt(offset + BYTES - 4) != (int) crc.getValue()) {
      return null;
    }
    int kind = b.getInt(offset + 16);
    if (kind != EMPTY && kind != DIRTY && kind != CLEAN) {
      return null;
    }
    return new LineRecord(b.getLong(offset), b.getLong(offset + 8), kind, b.getInt(offset + 20));
  }
}
