package io.strata.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Where a pool's scrub stands, kept in block {@link #BLOCK} of every member's label area (between
 * the write-intent bitmap and the stripe journal): the request it serves, whether it is running
 * or done, the next member row to check, what it found, the rate, when it started and ended. A
 * scrub that an engine kill interrupted resumes from {@code nextRow}; a finished one is the
 * pool's last result. Magic "STRATASC", a sequence number (the newest copy wins), CRC32C.
 */
public record ScrubCheckpoint(String request, boolean done, long nextRow, long rows,
    long mismatchedBlocks, long repairedBlocks, long unrepairableBlocks, long skippedRows,
    long rateBytesPerSecond, long startedMillis, long finishedMillis, long sequence) {
  static final long MAGIC = 0x5354524154415343L; // "STRATASC"
  /** Member block 1032: after the bitmap (8 to 1023), before the journal (1040 on). */
  static final long BLOCK = 1032;

  /** This checkpoint as one 512-byte block. */
  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(Pool.BLOCK_SIZE);
    byte[] id = request.getBytes(StandardCharsets.UTF_8);
    b.putLong(MAGIC).putLong(sequence).put((byte) (done ? 1 : 0)).putLong(nextRow).putLong(rows)
        .putLong(mismatchedBlocks).putLong(repairedBlocks).putLong(unrepairableBlocks)
        .putLong(skippedRows).putLong(rateBytesPerSecond).putLong(startedMillis)
        .putLong(finishedMillis).putShort((short) id.length).put(id);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, Pool.BLOCK_SIZE - 4);
    b.putInt(Pool.BLOCK_SIZE - 4, (int) crc.getValue());
    return b.clear();
  }

  /** The checkpoint in {@code block}, or null if there is none (or it is torn). */
  static ScrubCheckpoint decode(ByteBuffer block) {
    if (block.getLong(0) != MAGIC) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(block.array(), 0, Pool.BLOCK_SIZE - 4);
    if (block.getInt(Pool.BLOCK_SIZE - 4) != (int) crc.getValue()) {
      return null;
    }
    ByteBuffer b = block.duplicate().position(8);
    long sequence = b.getLong();
    boolean done = b.get() == 1;
    long nextRow = b.getLong();
    long rows = b.getLong();
    long mismatched = b.getLong();
    long repaired = b.getLong();
    long unrepairable = b.getLong();
    long skipped = b.getLong();
    long rate = b.getLong();
    long started = b.getLong();
    long finished = b.getLong();
    int length = b.getShort();
    if (length < 0 || length > b.remaining() - 4) {
      return null;
    }
    byte[] id = new byte[length];
    b.get(id);
    return new ScrubCheckpoint(new String(id, StandardCharsets.UTF_8), done, nextRow, rows,
        mismatched, repaired, unrepairable, skipped, rate, started, finished, sequence);
  }

  /** The newest checkpoint on the pool's readable members, or null. */
  static ScrubCheckpoint read(Pool pool) {
    ScrubCheckpoint newest = null;
    for (ByteBuffer block : pool.labelBlocks(BLOCK)) {
      ScrubCheckpoint c = decode(block);
      if (c != null && (newest == null || c.sequence() > newest.sequence())) {
        newest = c;
      }
    }
    return newest;
  }

  /** Writes this checkpoint to every writable member, forced. */
  void write(Pool pool) throws IOException {
    IOException first = null;
    int written = 0;
    for (int m = 0; m < pool.memberCount(); m++) {
      if (!pool.writable(m)) {
        continue;
      }
      try {
        pool.member(m).write(BLOCK, encode(), true);
        written++;
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (written == 0 && first != null) {
      throw first;
    }
  }

  /** Request ids longer than this do not fit the block. */
  static final int MAX_REQUEST_BYTES = Pool.BLOCK_SIZE - 8 * 12 - 1 - 2 - 4;
}
