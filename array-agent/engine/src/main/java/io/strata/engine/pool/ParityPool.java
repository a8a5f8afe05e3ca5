package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.locks.Lock;

/**
 * RAID-5 over three or more drives: data in 64 KiB stripe units across all members but one,
 * whose unit holds the XOR of the others (the parity member rotates from the last drive down,
 * stripe by stripe, so parity writes are spread over all drives).
 *
 * <p>A write updates the data unit and the parity unit under the member row's exclusive lock:
 * with every other member readable it computes parity from the other data units
 * (reconstruct-write), which also works when the data unit's own drive is gone; with another
 * member gone it reads the old data and parity instead (read-modify-write). A read of a unit
 * whose drive is gone XORs the rest of its stripe. A rebuild XORs each row of the surviving
 * members into the new drive.
 *
 * <p>Not crash-atomic across members (the RAID-5 write hole): see docs/block-stack.md.
 */
public final class ParityPool extends Pool {
  /** Stripe unit: 64 KiB. */
  static final int UNIT_BLOCKS = 128;

  private final int n;
  private final long blockCount;

  /** A member failed mid-operation; the pool's state changed, so the operation starts over. */
  private static final class MemberFailed extends IOException {
    MemberFailed(IOException cause) {
      super(cause);
    }
  }

  private ParityPool(String name, List<BlockDevice> members) {
    super(name, Protection.PARITY, members);
    this.n = members.size();
    this.blockCount = memberDataBlocks() / UNIT_BLOCKS * UNIT_BLOCKS * (n - 1);
  }

  static ParityPool open(String name, List<BlockDevice> members) throws IOException {
    if (members.size() < 3 || members.size() > 16) {
      throw new IllegalArgumentException("a parity pool has 3 to 16 drives, not "
          + members.size());
    }
    ParityPool pool = new ParityPool(name, members);
    pool.assemble();
    return pool;
  }

  @Override
  protected int redundancy() {
    return 1;
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  int parityMember(long stripe) {
    return (int) (n - 1 - stripe % n);
  }

  int dataMember(long stripe, int index) {
    return (parityMember(stripe) + 1 + index) % n;
  }

  private void readMember(int i, long memberLba, ByteBuffer dst) throws IOException {
    try {
      member(i).read(DATA_OFFSET_BLOCKS + memberLba, dst);
    } catch (IOException e) {
      fail(i, e);
      throw new MemberFailed(e);
    }
  }

  private void writeMember(int i, long memberLba, ByteBuffer src) throws IOException {
    try {
      member(i).write(DATA_OFFSET_BLOCKS + memberLba, src, false);
    } catch (IOException e) {
      fail(i, e);
      throw new MemberFailed(e);
    }
  }

  /** acc ^= other over acc's capacity (a whole number of blocks), eight bytes at a time. */
  private static void xorInto(ByteBuffer acc, ByteBuffer other) {
    for (int k = 0; k < acc.capacity(); k += 8) {
      acc.putLong(k, acc.getLong(k) ^ other.getLong(k));
    }
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    checkRange(lba, dst.remaining());
    long perStripe = (long) UNIT_BLOCKS * (n - 1);
    while (dst.hasRemaining()) {
      long stripe = lba / perStripe;
      int index = (int) (lba % perStripe / UNIT_BLOCKS);
      int offset = (int) (lba % UNIT_BLOCKS);
      int blocks = Math.min(dst.remaining() / BLOCK_SIZE, UNIT_BLOCKS - offset);
      ByteBuffer piece = dst.duplicate().limit(dst.position() + blocks * BLOCK_SIZE).slice();
      long memberLba = stripe * UNIT_BLOCKS + offset;
      int d = dataMember(stripe, index);
      for (int attempt = 0; ; attempt++) {
        try {
          if (readable(d)) {
            readMember(d, memberLba, piece.clear());
          } else {
            reconstruct(d, memberLba, piece.clear());
          }
          break;
        } catch (MemberFailed e) {
          if (attempt == n) {
            throw e;
          }
        }
      }
      dst.position(dst.position() + blocks * BLOCK_SIZE);
      lba += blocks;
    }
  }

  /** The content of member {@code missing} at {@code memberLba}: the XOR of all the others. */
  private void reconstruct(int missing, long memberLba, ByteBuffer dst) throws IOException {
    Lock lock = rowLock(memberLba / ROW_BLOCKS).writeLock();
    lock.lock(); // no write may be half done (data without parity) while we combine
    try {
      xorOthers(missing, -1, memberLba, dst);
    } finally {
      lock.unlock();
    }
  }

  /** XOR of every member but {@code skipA} and {@code skipB} over {@code dst}'s range. */
  private void xorOthers(int skipA, int skipB, long memberLba, ByteBuffer dst)
      throws IOException {
    ByteBuffer acc = ByteBuffer.allocate(dst.remaining());
    ByteBuffer tmp = ByteBuffer.allocate(dst.remaining());
    for (int i = 0; i < n; i++) {
      if (i == skipA || i == skipB) {
        continue;
      }
      if (!readable(i)) {
        throw new IOException("pool " + name() + ": two drives missing in one stripe");
      }
      readMember(i, memberLba, tmp.clear());
      xorInto(acc, tmp);
    }
    dst.put(acc.clear());
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    checkRange(lba, src.remaining());
    long perStripe = (long) UNIT_BLOCKS * (n - 1);
    while (src.hasRemaining()) {
      long stripe = lba / perStripe;
      int index = (int) (lba % perStripe / UNIT_BLOCKS);
      int offset = (int) (lba % UNIT_BLOCKS);
      int blocks = Math.min(src.remaining() / BLOCK_SIZE, UNIT_BLOCKS - offset);
      ByteBuffer piece = src.duplicate().limit(src.position() + blocks * BLOCK_SIZE).slice();
      long memberLba = stripe * UNIT_BLOCKS + offset;
      Lock lock = rowLock(memberLba / ROW_BLOCKS).writeLock();
      lock.lock();
      try {
        for (int attempt = 0; ; attempt++) {
          try {
            writeUnit(stripe, index, memberLba, piece);
            break;
          } catch (MemberFailed e) {
            if (attempt == n) {
              throw e;
            }
          }
        }
      } finally {
        lock.unlock();
      }
      src.position(src.position() + blocks * BLOCK_SIZE);
      lba += blocks;
    }
    if (fua) {
      flush();
    }
  }

  private void writeUnit(long stripe, int index, long memberLba, ByteBuffer data)
      throws IOException {
    int d = dataMember(stripe, index);
    int p = parityMember(stripe);
    if (!writable(p)) {
      if (!writable(d)) {
        throw new IOException("pool " + name() + ": two drives missing in one stripe");
      }
      writeMember(d, memberLba, data.duplicate());
      return;
    }
    boolean othersReadable = true;
    for (int i = 0; i < n; i++) {
      if (i != d && i != p && !readable(i)) {
        othersReadable = false;
      }
    }
    ByteBuffer parity = ByteBuffer.allocate(data.remaining());
    if (othersReadable) {
      // Reconstruct-write: parity = new data XOR the stripe's other data units.
      xorOthers(d, p, memberLba, parity);
      xorInto(parity, data.duplicate());
    } else {
      // Read-modify-write: parity = old parity XOR old data XOR new data.
      if (!readable(d) || !readable(p)) {
        throw new IOException("pool " + name() + ": two drives missing in one stripe");
      }
      ByteBuffer old = ByteBuffer.allocate(data.remaining());
      readMember(d, memberLba, old);
      readMember(p, memberLba, parity);
      xorInto(parity, old);
      xorInto(parity, data.duplicate());
    }
    if (writable(d)) {
      writeMember(d, memberLba, data.duplicate());
    }
    writeMember(p, memberLba, parity.clear());
  }

  @Override
  protected void rebuildRow(int target, long row) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(ROW_BLOCKS * BLOCK_SIZE);
    xorOthers(target, -1, row * ROW_BLOCKS, buf);
    buf.flip();
    member(target).write(DATA_OFFSET_BLOCKS + row * ROW_BLOCKS, buf, false);
  }
}
