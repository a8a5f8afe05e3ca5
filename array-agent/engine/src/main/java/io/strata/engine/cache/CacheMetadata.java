package io.strata.engine.cache;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongToIntFunction;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * The line records on the cache SSD, with an in-memory mirror of the whole record area so that a
 * record update is one 4 KiB write and never a read.
 *
 * <p>Each slot has two record places; an update overwrites the older (or unreadable) one, so a
 * write torn by a crash leaves the previous record readable. Record writes for one slot are
 * ordered by the stripe lock of the line that owns the slot; the unit lock below only keeps
 * writers of neighbouring slots from interleaving their read-modify-write of the mirror.
 */
final class CacheMetadata {
  private static final Logger LOG = Logger.getLogger(CacheMetadata.class.getName());
  private static final int UNIT_LOCKS = 64;

  private final BlockDevice ssd;
  private final CacheLayout layout;
  private final byte[] mirror;
  private final Object[] unitLocks = new Object[UNIT_LOCKS];
  private long nextSeq;

  private CacheMetadata(BlockDevice ssd, CacheLayout layout, byte[] mirror, long nextSeq) {
    this.ssd = ssd;
    this.layout = layout;
    this.mirror = mirror;
    this.nextSeq = nextSeq;
    for (int i = 0; i < UNIT_LOCKS; i++) {
      unitLocks[i] = new Object();
    }
  }

  /** Writes an empty record area and then the superblock (the superblock last: it commits). */
  static CacheMetadata format(BlockDevice ssd, CacheLayout layout) throws IOException {
    byte[] mirror = new byte[layout.recordAreaBytes()];
    int ssdBlock = ssd.blockSize();
    int chunk = 1 << 20;
    for (int off = 0; off < mirror.length; off += chunk) {
      int len = Math.min(chunk, mirror.length - off);
      ssd.write((layout.recordAreaStart() + off) / ssdBlock, ByteBuffer.wrap(mirror, off, len),
          false);
    }
    ssd.flush();
    ssd.write(0, layout.encodeSuperblock(), true);
    ssd.flush();
    return new CacheMetadata(ssd, layout, mirror, 1);
  }

  /** Reads the record area of an SSD whose superblock was valid. */
  static CacheMetadata load(BlockDevice ssd, CacheLayout layout) throws IOException {
    byte[] mirror = new byte[layout.recordAreaBytes()];
    ssd.read(layout.recordAreaStart() / ssd.blockSize(), ByteBuffer.wrap(mirror));
    long maxSeq = 0;
    for (int slot = 0; slot < layout.lineCount(); slot++) {
      for (int place = 0; place < 2; place++) {
        LineRecord r = LineRecord.decode(mirror, slot * CacheLayout.RECORD_BYTES_PER_SLOT
            + place * LineRecord.BYTES);
        if (r != null) {
          maxSeq = Math.max(maxSeq, r.seq());
        }
      }
    }
    return new CacheMetadata(ssd, layout, mirror, maxSeq + 1);
  }

  /** A dirty line found on the SSD at start. */
  record RecoveredLine(int slot, long backingLine, int dataCrc, long seq) {}

  /**
   * The dirty lines to resume destaging. A DIRTY record counts when its slot's data has the CRC
   * it names. When the data does not match, the record is kept only if the slot's previous
   * record was DIRTY for the same line: then the data was being rewritten in place and is a mix
   * of that acknowledged dirty data and an unacknowledged write, which is allowed. Otherwise the
   * data never reached the SSD before the crash (the write was not acknowledged as durable) and
   * the backing device is right.
   *
   * @param lineBytes the length of a line of the backing device (the last may be short)
   */
  List<RecoveredLine> recoverDirtyLines(LongToIntFunction lineBytes) throws IOException {
    Map<Long, RecoveredLine> byLine = new HashMap<>();
    for (int slot = 0; slot < layout.lineCount(); slot++) {
      LineRecord[] both = records(slot);
      LineRecord newest = newest(both);
      if (newest == null || newest.kind() != LineRecord.DIRTY) {
        continue;
      }
      LineRecord previous = newest == both[0] ? both[1] : both[0];
      long line = newest.backingLine();
      if (line < 0 || (line * layout.lineSize()) / layout.backingBlockSize()
          >= layout.backingBlocks()) {
        throw new CacheMetadataException("cache slot " + slot + " claims backing line " + line
            + ", outside the backing device this cache was formatted for");
      }
      int len = lineBytes.applyAsInt(line);
      ByteBuffer data = ByteBuffer.allocate(len);
      ssd.read(layout.slotOffset(slot) / ssd.blockSize(), data);
      CRC32C crc = new CRC32C();
      crc.update(data.array(), 0, len);
      int actual = (int) crc.getValue();
      boolean rewrittenInPlace = previous != null && previous.kind() == LineRecord.DIRTY
          && previous.backingLine() == line;
      if (actual != newest.dataCrc() && !rewrittenInPlace) {
        LOG.warning("cache slot " + slot + ": dirty record for line " + line
            + " has no matching data (a write cut by a crash before it was durable); dropped");
        continue;
      }
      RecoveredLine found = new RecoveredLine(slot, line, actual, newest.seq());
      RecoveredLine other = byLine.get(line);
      if (other == null || other.seq() < found.seq()) {
        byLine.put(line, found);
      }
    }
    return new ArrayList<>(byLine.values());
  }

  private LineRecord[] records(int slot) {
    int base = slot * CacheLayout.RECORD_BYTES_PER_SLOT;
    return new LineRecord[] {
        LineRecord.decode(mirror, base), LineRecord.decode(mirror, base + LineRecord.BYTES)};
  }

  private static LineRecord newest(LineRecord[] both) {
    if (both[0] == null) {
      return both[1];
    }
    if (both[1] == null) {
      return both[0];
    }
    return both[0].seq() >= both[1].seq() ? both[0] : both[1];
  }

  /** Persists a record for {@code slot} (not forced: the caller flushes for FUA). */
  void write(int slot, long backingLine, int kind, int dataCrc) throws IOException {
    int base = slot * CacheLayout.RECORD_BYTES_PER_SLOT;
    int unit = base / CacheLayout.UNIT;
    synchronized (unitLocks[unit % UNIT_LOCKS]) {
      writeLocked(slot, backingLine, kind, dataCrc);
    }
  }

  /**
   * Marks {@code slot} as holding dirty line {@code backingLine}, writing a DIRTY record only
   * when its two record places do not both say so already. Once both do, a crash finds the
   * newest one DIRTY for the line with the previous one DIRTY for the same line, which recovery
   * reads as "rewritten in place" and keeps whatever the slot holds, whatever its CRC: so further
   * writes to a line that stays dirty cost no record write (on a mirrored cache, no second
   * remote command per write). The first write that dirties a line still writes a record with
   * its data's CRC, so a record whose data never reached the SSD is still found and dropped.
   *
   * @return whether a record was written
   */
  boolean writeDirty(int slot, long backingLine, int dataCrc) throws IOException {
    int base = slot * CacheLayout.RECORD_BYTES_PER_SLOT;
    int unit = base / CacheLayout.UNIT;
    synchronized (unitLocks[unit % UNIT_LOCKS]) {
      LineRecord[] both = records(slot);
      if (dirtyFor(both[0], backingLine) && dirtyFor(both[1], backingLine)) {
        return false;
      }
      writeLocked(slot, backingLine, LineRecord.DIRTY, dataCrc);
      return true;
    }
  }

  private static boolean dirtyFor(LineRecord r, long backingLine) {
    return r != null && r.kind() == LineRecord.DIRTY && r.backingLine() == backingLine;
  }

  /** Called holding the slot's unit lock. */
  private void writeLocked(int slot, long backingLine, int kind, int dataCrc) throws IOException {
    int base = slot * CacheLayout.RECORD_BYTES_PER_SLOT;
    int unit = base / CacheLayout.UNIT;
    LineRecord[] both = records(slot);
    LineRecord newest = newest(both);
    int place = newest != null && newest == both[0] ? 1 : 0;
    long seq;
    synchronized (this) {
      seq = nextSeq++;
    }
    new LineRecord(seq, backingLine, kind, dataCrc).encode(mirror, base + place * LineRecord.BYTES);
    int unitStart = unit * CacheLayout.UNIT;
    int len = Math.min(CacheLayout.UNIT, mirror.length - unitStart);
    ssd.write((layout.recordAreaStart() + unitStart) / ssd.blockSize(),
        ByteBuffer.wrap(mirror, unitStart, len), false);
  }
}
