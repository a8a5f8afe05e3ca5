package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.PendingWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;

/**
 * RAID-1 over two or three drives: every write goes to every member that takes writes, reads
 * rotate over the members in sync and move to another copy when one fails. A crash between the
 * copies' writes leaves them different; the pool's write-intent bitmap names the regions where
 * that can be, and they are copied from one member to the others at the next start (otherwise
 * reads, rotating, would return the old and the new version in turn).
 */
public final class MirrorPool extends Pool {
  private final AtomicInteger nextReader = new AtomicInteger();
  /** The member reads go to first while it is in sync (-1: reads rotate); see preferReadsFrom. */
  private volatile int preferredReader = -1;
  private final long blockCount;

  private MirrorPool(String name, List<BlockDevice> members) {
    super(name, Protection.MIRROR, members);
    this.blockCount = memberDataBlocks();
  }

  static MirrorPool open(String name, List<BlockDevice> members) throws IOException {
    return open(name, members, MemberDropGate.AT_ONCE);
  }

  static MirrorPool open(String name, List<BlockDevice> members, MemberDropGate gate)
      throws IOException {
    if (members.size() < 2 || members.size() > 3) {
      throw new IllegalArgumentException(
          "a mirrored pool has 2 or 3 drives, not " + members.size());
    }
    MirrorPool pool = new MirrorPool(name, members);
    pool.gate(gate);
    pool.assemble();
    pool.openWriteIntent();
    return pool;
  }

  /**
   * Sends reads to member {@code member} first while it is in sync, the others only when it is
   * not or fails: for a mirror of a local drive and a remote one (a flash cache's SSDs on two
   * nodes), whose local copy answers without a network round trip. -1 rotates again.
   */
  public void preferReadsFrom(int member) {
    if (member < -1 || member >= memberCount()) {
      throw new IllegalArgumentException("no member " + member + " in pool " + name());
    }
    preferredReader = member;
  }

  @Override
  protected int redundancy() {
    return memberCount() - 1;
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    checkRange(lba, dst.remaining());
    int start = dst.position();
    int n = memberCount();
    int preferred = preferredReader;
    int first = preferred >= 0 && readable(preferred) ? preferred
        : Math.floorMod(nextReader.getAndIncrement(), n);
    IOException last = null;
    for (int k = 0; k < n; k++) {
      int i = (first + k) % n;
      if (!readable(i)) {
        continue;
      }
      try {
        dst.position(start);
        member(i).read(DATA_OFFSET_BLOCKS + lba, dst);
        return;
      } catch (IOException e) {
        last = e;
        fail(i, e);
      }
    }
    throw last != null ? last : new IOException("pool " + name() + ": no copy left to read");
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    checkRange(lba, src.remaining());
    // One row at a time, each under its row lock, so that a rebuild copying that row never
    // interleaves with this write.
    while (src.hasRemaining()) {
      long row = lba / ROW_BLOCKS;
      int blocks = (int) Math.min(src.remaining() / BLOCK_SIZE, (row + 1) * ROW_BLOCKS - lba);
      ByteBuffer piece = src.duplicate().limit(src.position() + blocks * BLOCK_SIZE);
      Lock lock = rowLock(row).readLock();
      lock.lock();
      try {
        beginWrite(row);
        try {
          writeAll(lba, piece, fua);
        } finally {
          endWrite(row);
        }
      } finally {
        lock.unlock();
      }
      src.position(piece.limit());
      lba += blocks;
    }
    holdWritesAwaitingDrop(); // acknowledged only once a failed member is dropped with consent
  }

  /**
   * Writes every copy that takes writes, at once: the copies on other nodes are started first
   * ({@link BlockDevice#writesInBackground}), the local ones written while those travel, then
   * the started ones awaited. Returns (the write may be acknowledged) only once every copy
   * written has its write or has been failed; one copy at least must have it.
   */
  private void writeAll(long lba, ByteBuffer piece, boolean fua) throws IOException {
    int n = memberCount();
    PendingWrite[] started = new PendingWrite[n];
    for (int i = 0; i < n; i++) {
      if (writable(i) && member(i).writesInBackground()) {
        started[i] = member(i).startWrite(DATA_OFFSET_BLOCKS + lba, piece.duplicate(), fua);
      }
    }
    int written = 0;
    IOException last = null;
    for (int i = 0; i < n; i++) {
      if (started[i] != null || !writable(i)) {
        continue;
      }
      try {
        member(i).write(DATA_OFFSET_BLOCKS + lba, piece.duplicate(), fua);
        written++;
      } catch (IOException e) {
        last = e;
        fail(i, e);
      }
    }
    for (int i = 0; i < n; i++) {
      if (started[i] == null) {
        continue;
      }
      try {
        started[i].await();
        written++;
      } catch (IOException e) {
        last = e;
        fail(i, e);
      }
    }
    if (written == 0) {
      throw last != null ? last : new IOException("pool " + name() + ": no copy left to write");
    }
  }

  /** Any copy present will do: copies differ only where a write was not acknowledged. */
  @Override
  protected boolean canResync() {
    return true;
  }

  /**
   * Copies the row from the first copy in sync to every other member, so that a write the crash
   * left on some copies only reads the same from all of them (whichever version that is).
   */
  @Override
  protected void resyncRow(long row) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(ROW_BLOCKS * BLOCK_SIZE);
    long memberLba = DATA_OFFSET_BLOCKS + row * ROW_BLOCKS;
    for (int source = 0; source < memberCount(); source++) {
      if (!readable(source)) {
        continue;
      }
      try {
        member(source).read(memberLba, buf.clear());
      } catch (IOException e) {
        fail(source, e); // another copy, if one is left
        continue;
      }
      buf.flip();
      for (int target = 0; target < memberCount(); target++) {
        if (target != source && writable(target)) {
          try {
            member(target).write(memberLba, buf.duplicate(), false);
          } catch (IOException e) {
            fail(target, e);
          }
        }
      }
      return;
    }
    throw new IOException("pool " + name() + ": no copy left to resync from");
  }

  @Override
  protected void rebuildRow(int target, long row) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(ROW_BLOCKS * BLOCK_SIZE);
    long memberLba = DATA_OFFSET_BLOCKS + row * ROW_BLOCKS;
    IOException last = null;
    for (int i = 0; i < memberCount(); i++) {
      if (i == target || !readable(i)) {
        continue;
      }
      try {
        buf.clear();
        member(i).read(memberLba, buf);
      } catch (IOException e) {
        last = e;
        fail(i, e); // the source failed: try another copy
        continue;
      }
      buf.flip();
      member(target).write(memberLba, buf, false); // a failing target ends the rebuild
      return;
    }
    throw last != null ? last : new IOException("pool " + name() + ": no copy to rebuild from");
  }
}
