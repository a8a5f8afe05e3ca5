package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The label in the first block of every pool member: which pool, which member, and the pool's
 * view of which members hold current data. Whenever that view changes (a member fails, a rebuild
 * completes) the generation goes up and the label is rewritten, durably, on every member still in
 * the pool, before any write that depends on it is acknowledged. At start the label with the
 * highest generation is the truth: a member that is not in its in-sync set holds stale data and
 * is rebuilt, even if it reads perfectly well.
 *
 * <p>The generation in a member's own label is that member's events count (as Linux md calls
 * it): the last pool state it took part in. {@code bitmapCoversSince} is the lowest such count
 * for which the pool's write-intent bitmap vouches: a member whose label is at least that
 * generation missed only writes whose regions are still marked in the bitmap, so a returning
 * member is resynced in those regions only (see {@link Pool#replace}); {@link #NEVER} when the
 * bitmap vouches for nothing (no bitmap, or a version-1 label).
 *
 * <p>Layout (big-endian): magic "STRATAPL" (8), version (4), protection (1), member count (1),
 * member index (1), generation (8), in-sync mask (8), [version 2: bitmap covers since (8)], name
 * length (2), name (UTF-8), CRC32C (4) of everything before it.
 */
record Superblock(String poolName, Protection protection, int memberCount, int memberIndex,
    long generation, long inSyncMask, long bitmapCoversSince) {
  static final long MAGIC = 0x535452415441504cL; // "STRATAPL"
  static final int VERSION = 2;
  /** The bitmap vouches for no returning member. */
  static final long NEVER = Long.MAX_VALUE;

  boolean inSync(int member) {
    return (inSyncMask & (1L << member)) != 0;
  }

  byte[] encode() {
    byte[] name = poolName.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(512);
    b.putLong(MAGIC).putInt(VERSION).put((byte) protection.ordinal()).put((byte) memberCount)
        .put((byte) memberIndex).putLong(generation).putLong(inSyncMask)
        .putLong(bitmapCoversSince).putShort((short) name.length).put(name);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  void writeTo(BlockDevice member) throws IOException {
    member.write(0, ByteBuffer.wrap(encode()), true);
  }

  /**
   * The label on {@code member}, or null when it has none (a new or foreign drive). A label
   * whose magic is right but whose checksum is wrong is corruption, reported as such.
   */
  static Superblock readFrom(BlockDevice member) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(512);
    member.read(0, b);
    b.flip();
    if (b.getLong() != MAGIC) {
      return null;
    }
    int version = b.getInt();
    int protection = b.get();
    int count = b.get() & 0xff;
    int index = b.get() & 0xff;
    long generation = b.getLong();
    long mask = b.getLong();
    long covers = version >= 2 ? b.getLong() : NEVER;
    int nameLength = b.getShort() & 0xffff;
    if (version < 1 || version > VERSION || nameLength > 400 || protection < 0
        || protection >= Protection.values().length) {
      throw new IOException("pool label with version " + version + " is not one we can read");
    }
    byte[] name = new byte[nameLength];
    b.get(name);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    if (b.getInt() != (int) crc.getValue()) {
      throw new IOException("pool label checksum mismatch: the label is corrupt");
    }
    return new Superblock(new String(name, StandardCharsets.UTF_8),
        Protection.values()[protection], count, index, generation, mask, covers);
  }
}
