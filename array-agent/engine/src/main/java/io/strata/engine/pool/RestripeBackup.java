package io.strata.engine.pool;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The pool blocks of the one new stripe a parity pool's restripe is writing while the rows it
 * overwrites still hold data of its own (the first few stripes; see {@link ParityPool}), as md's
 * reshape backs up its critical section. Written, forced, to every drive the restripe adds, in
 * the last row of its data area (which the new layout reaches last, long after the backups are
 * needed), before the stripe's rows are written. An engine that stops mid-write finds it at the
 * next open (matching stripe and widths, whole by its checksum) and writes the stripe from it.
 *
 * <p>Layout: one header block, magic "STRATARB" (8), old members (4), new members (4), stripe
 * (8), data length (4), CRC32C of header and data in the block's last four bytes; then the data.
 */
record RestripeBackup(int oldMembers, int newMembers, long stripe, byte[] data) {
  static final long MAGIC = 0x5354524154415242L; // "STRATARB"

  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(Pool.BLOCK_SIZE + data.length);
    b.putLong(MAGIC).putInt(oldMembers).putInt(newMembers).putLong(stripe).putInt(data.length);
    b.position(Pool.BLOCK_SIZE);
    b.put(data);
    b.putInt(Pool.BLOCK_SIZE - 4, crc(b.array()));
    return b.clear();
  }

  private static int crc(byte[] image) {
    CRC32C crc = new CRC32C();
    crc.update(image, 0, Pool.BLOCK_SIZE - 4);
    crc.update(image, Pool.BLOCK_SIZE, image.length - Pool.BLOCK_SIZE);
    return (int) crc.getValue();
  }

  /** The backup in {@code image} (header and data as read), or null if none or torn. */
  static RestripeBackup decode(ByteBuffer image) {
    if (image.getLong(0) != MAGIC || image.getInt(24) != image.capacity() - Pool.BLOCK_SIZE
        || image.getInt(Pool.BLOCK_SIZE - 4) != crc(image.array())) {
      return null;
    }
    byte[] data = new byte[image.capacity() - Pool.BLOCK_SIZE];
    image.get(Pool.BLOCK_SIZE, data);
    return new RestripeBackup(image.getInt(8), image.getInt(12), image.getLong(16), data);
  }
}
