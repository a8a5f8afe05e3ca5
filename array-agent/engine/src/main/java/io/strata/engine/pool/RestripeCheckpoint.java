package io.strata.engine.pool;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Where a parity pool's restripe onto more drives stands ({@link ParityPool#restripe}), kept in
 * block {@link #BLOCK} of every member's label area (after the write-intent bitmap, before the
 * scrub checkpoint): the pool's name, the member counts before and after, the reshape position
 * {@code nextStripe} (stripes below it are laid out over {@code newMembers}, the others over
 * {@code oldMembers}) and whether it is done. Written, forced, to every writable member after the
 * rows of each batch are flushed; the copy with the highest sequence number wins. A finished one
 * stays: it says the pool's size before the restripe, where its volume metadata header was.
 *
 * <p>Layout: magic "STRATARS" (8), sequence (8), old members (1), new members (1), done (1),
 * next stripe (8), name length (2), name (UTF-8), CRC32C (4) in the block's last four bytes.
 */
record RestripeCheckpoint(String pool, int oldMembers, int newMembers, long nextStripe,
    boolean done, long sequence) {
  static final long MAGIC = 0x5354524154415253L; // "STRATARS"
  /** Member block 1024: after the bitmap (8 to 1023), before the scrub checkpoint (1032). */
  static final long BLOCK = 1024;

  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(Pool.BLOCK_SIZE);
    byte[] name = pool.getBytes(StandardCharsets.UTF_8);
    b.putLong(MAGIC).putLong(sequence).put((byte) oldMembers).put((byte) newMembers)
        .put((byte) (done ? 1 : 0)).putLong(nextStripe).putShort((short) name.length).put(name);
    b.putInt(Pool.BLOCK_SIZE - 4, crc(b));
    return b.clear();
  }

  private static int crc(ByteBuffer block) {
    CRC32C crc = new CRC32C();
    crc.update(block.array(), 0, Pool.BLOCK_SIZE - 4);
    return (int) crc.getValue();
  }

  /** The checkpoint in {@code block}, or null if there is none, it is torn or another pool's. */
  static RestripeCheckpoint decode(ByteBuffer block, String pool) {
    if (block.getLong(0) != MAGIC || block.getInt(Pool.BLOCK_SIZE - 4) != crc(block)) {
      return null;
    }
    ByteBuffer b = block.duplicate().position(8);
    long sequence = b.getLong();
    int oldMembers = b.get() & 0xff;
    int newMembers = b.get() & 0xff;
    boolean done = b.get() == 1;
    long next = b.getLong();
    int length = b.getShort();
    if (length < 0 || length > b.remaining() - 4) {
      return null;
    }
    byte[] name = new byte[length];
    b.get(name);
    String found = new String(name, StandardCharsets.UTF_8);
    return found.equals(pool)
        ? new RestripeCheckpoint(found, oldMembers, newMembers, next, done, sequence) : null;
  }

  /** The newest checkpoint of {@code pool} on its readable members, or null. */
  static RestripeCheckpoint read(Pool pool) {
    RestripeCheckpoint newest = null;
    for (ByteBuffer block : pool.labelBlocks(BLOCK)) {
      RestripeCheckpoint c = decode(block, pool.name());
      if (c != null && (newest == null || c.sequence() > newest.sequence())) {
        newest = c;
      }
    }
    return newest;
  }
}
