package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.PendingWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;

/**
 * RAID-1 over two or three drives, or over mirror pairs (RAID-10 made by growing: an even number
 * of four drives or more, members 2k and 2k+1 a pair): every write goes to every copy that takes
 * writes, reads rotate over the copies in sync and move to another copy when one fails. The
 * pairs' capacities follow one another, so a pool that grows by a pair ({@link #grow}) keeps every
 * block where it was and adds the new pair's capacity at its end. A crash between the
 * copies' writes leaves them different; the pool's write-intent bitmap names the regions where
 * that can be, and they are copied from one member to the others at the next start (otherwise
 * reads, rotating, would return the old and the new version in turn).
 */
public final class MirrorPool extends Pool implements io.strata.engine.block.GrowableDevice {
  private final AtomicInteger nextReader = new AtomicInteger();
  /** The member reads go to first while it is in sync (-1: reads rotate); see preferReadsFrom. */
  private volatile int preferredReader = -1;
  /** Copies of each block: every member for two or three drives, 2 for mirror pairs. */
  private final int copies;
  /** Data blocks of each member: what each set of copies adds to the pool. */
  private final long memberBlocks;
  private volatile long blockCount;

  private MirrorPool(String name, List<BlockDevice> members) {
    super(name, Protection.MIRROR, members);
    this.copies = members.size() <= 3 ? members.size() : 2;
    this.memberBlocks = memberDataBlocks();
    this.blockCount = memberBlocks * (members.size() / copies);
  }

  static MirrorPool open(String name, List<BlockDevice> members) throws IOException {
    return open(name, members, MemberDropGate.AT_ONCE);
  }

  static MirrorPool open(String name, List<BlockDevice> members, MemberDropGate gate)
      throws IOException {
    if (members.size() < 2 || members.size() > 3 && members.size() % 2 != 0
        || members.size() > 64) {
      throw new IllegalArgumentException("a mirrored pool has 2 or 3 drives, or mirror pairs"
          + " (an even number up to 64), not " + members.size());
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
    return copies - 1;
  }

  /** Every set of copies keeps one in sync at least. */
  @Override
  protected boolean holdsEveryBlock(boolean[] usable) {
    for (int first = 0; first < usable.length; first += copies) {
      boolean any = false;
      for (int i = first; i < first + copies; i++) {
        any |= usable[i];
      }
      if (!any) {
        return false;
      }
    }
    return true;
  }

  /** A pool of pairs grew from fewer pairs (a two-drive mirror is one pair). */
  @Override
  protected boolean grewFrom(int memberCount) {
    return copies == 2 && memberCount >= 2 && memberCount % 2 == 0
        && memberCount < memberCount();
  }

  /**
   * Adds mirror pairs while the pool serves I/O: {@code added} (an even number of drives, each
   * at least as large as the members) become pairs after the existing members, and the pool's
   * capacity grows by one member's data blocks per pair; no block of the pool moves. A three-way
   * mirror does not grow (its growth would be triples; not offered). Each new drive's last row
   * is zeroed first, so that what a grown pool's last block held in a drive's former life is
   * never taken for this pool's (its volume metadata is found from that block).
   */
  public void grow(List<BlockDevice> added) throws IOException {
    if (copies != 2) {
      throw new IllegalArgumentException("pool " + name() + " is a three-way mirror; it cannot"
          + " grow (only two-way mirrors grow, by pairs)");
    }
    if (added.isEmpty() || added.size() % 2 != 0) {
      throw new IllegalArgumentException("pool " + name() + " grows by mirror pairs: an even"
          + " number of drives, not " + added.size());
    }
    checkJoining(added); // before anything is written to them
    for (BlockDevice d : added) {
      if (d.blockCount() >= DATA_OFFSET_BLOCKS + memberBlocks) {
        d.write(DATA_OFFSET_BLOCKS + memberBlocks - ROW_BLOCKS,
            ByteBuffer.allocate(ROW_BLOCKS * BLOCK_SIZE), true);
      }
    }
    addMembers(added);
    blockCount = memberBlocks * (memberCount() / copies);
  }

  /**
   * The pool's sizes before each grow it may have had, largest first (every whole number of
   * pairs below the present one): where a grown pool's metadata may have ended.
   */
  @Override
  public List<Long> formerBlockCounts() {
    List<Long> out = new java.util.ArrayList<>();
    for (long sets = memberCount() / copies - 1; sets >= 1; sets--) {
      out.add(sets * memberBlocks);
    }
    return out;
  }

  /** Copies of each block (2 or 3); the members {@code k * copies ..} hold one set of them. */
  public int copies() {
    return copies;
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    checkRange(lba, dst.remaining());
    long startInSet = lba % memberBlocks;
    if (startInSet + dst.remaining() / BLOCK_SIZE <= memberBlocks) {
      // the usual request (always so for two- or three-way mirrors): one set of copies, read into
      // dst itself rather than into a slice of it
      readCopy(firstOfSet(lba), startInSet, dst);
      return;
    }
    while (dst.hasRemaining()) { // one set of copies at a time
      long memberLba = lba % memberBlocks;
      int blocks = (int) Math.min(dst.remaining() / BLOCK_SIZE, memberBlocks - memberLba);
      ByteBuffer piece = dst.duplicate().limit(dst.position() + blocks * BLOCK_SIZE);
      readCopy(firstOfSet(lba), memberLba, piece);
      dst.position(piece.limit());
      lba += blocks;
    }
  }

  /** The first member of the set of copies holding pool block {@code lba}. */
  private int firstOfSet(long lba) {
    return (int) (lba / memberBlocks) * copies;
  }

  private void readCopy(int set, long memberLba, ByteBuffer dst) throws IOException {
    int start = dst.position();
    int preferred = preferredReader;
    int first = preferred >= set && preferred < set + copies && readable(preferred)
        ? preferred - set : Math.floorMod(nextReader.getAndIncrement(), copies);
    IOException last = null;
    for (int k = 0; k < copies; k++) {
      int i = set + (first + k) % copies;
      if (!readable(i)) {
        continue;
      }
      try {
        dst.position(start);
        member(i).read(DATA_OFFSET_BLOCKS + memberLba, dst);
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
      // a member row never spans two sets of copies: memberBlocks is whole rows
      long memberLba = lba % memberBlocks;
      long row = memberLba / ROW_BLOCKS;
      int blocks = (int) Math.min(src.remaining() / BLOCK_SIZE,
          (row + 1) * ROW_BLOCKS - memberLba);
      ByteBuffer piece = src.duplicate().limit(src.position() + blocks * BLOCK_SIZE);
      Lock lock = rowLock(row).readLock();
      lock.lock();
      try {
        beginWrite(row);
        try {
          writeAll(firstOfSet(lba), memberLba, piece, fua);
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
  private void writeAll(int set, long lba, ByteBuffer piece, boolean fua) throws IOException {
    int n = set + copies;
    PendingWrite[] started = new PendingWrite[n];
    for (int i = set; i < n; i++) {
      if (writable(i) && member(i).writesInBackground()) {
        started[i] = member(i).startWrite(DATA_OFFSET_BLOCKS + lba, piece.duplicate(), fua);
      }
    }
    int written = 0;
    IOException last = null;
    for (int i = set; i < n; i++) {
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
    for (int i = set; i < n; i++) {
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
    for (int set = 0; set < memberCount(); set += copies) {
      resyncRow(set, row);
    }
  }

  private void resyncRow(int set, long row) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(ROW_BLOCKS * BLOCK_SIZE);
    long memberLba = DATA_OFFSET_BLOCKS + row * ROW_BLOCKS;
    for (int source = set; source < set + copies; source++) {
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
      for (int target = set; target < set + copies; target++) {
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
    int set = target / copies * copies;
    for (int i = set; i < set + copies; i++) {
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
