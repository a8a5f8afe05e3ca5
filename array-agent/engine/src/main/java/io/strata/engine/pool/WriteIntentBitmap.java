package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * A redundant pool's write-intent bitmap (what Linux md calls by that name): one bit per region of
 * {@link #rowsPerBit} member rows, set durably on every member <em>before</em> the first write
 * into the region, cleared lazily once the region has been idle and the members flushed. After a
 * crash, the set bits name the only regions whose parity may disagree with their data (a write
 * that landed on one member and not on another); the pool recomputes their parity before it
 * serves anything, which closes the RAID-5/6 write hole for every stripe whose data drives are
 * all present.
 *
 * <p>Stored in the label area of every member, from block {@link #FIRST_BLOCK}: each 512-byte
 * block is magic "STRATAWI" (8), its index (4), 496 bytes of bits, CRC32C (4) of what precedes
 * it. A block that was never written (no magic) is clean; a block with a bad checksum or the
 * wrong index (a torn write) counts as all dirty. At start the bits of every in-sync member are
 * OR-ed, so a crash between the members' copies loses nothing.
 *
 * <p><b>No bit is cleared while a member is out of sync</b> (failed, rebuilding, awaiting a
 * drop): the set bits then name every region a missing member has missed since it left, so a
 * member that returns is resynced in those regions only ({@link Pool#replace}; the pool labels
 * record from which generation on the bitmap vouches for that). Once every member is in sync
 * again, idle bits clear as before.
 */
final class WriteIntentBitmap {
  private static final Logger LOG = Logger.getLogger(WriteIntentBitmap.class.getName());
  static final long MAGIC = 0x5354524154415749L; // "STRATAWI"
  /** Block 0 is the label; the bitmap starts at member block 8 (4 KiB). */
  static final long FIRST_BLOCK = 8;
  static final int BITS_BYTES = 496;
  static final int BITS_PER_BLOCK = BITS_BYTES * 8;
  /**
   * Blocks 8 to 1023 (enough for drives of about 62 TiB at 16 MiB per bit; larger drives get
   * more rows per bit); the rest of the label area holds the scrub checkpoint and the stripe
   * journal ({@link StripeJournal}).
   */
  static final long MAX_BLOCKS = 1024 - FIRST_BLOCK;
  /**
   * At least 16 member rows (16 MiB per member) per bit: coarse enough that a random-write load
   * rarely meets a clean region (each first write to one costs a durable bitmap write on every
   * member), fine enough that a resync after a crash reads little.
   */
  static final long MIN_ROWS_PER_BIT = 16;

  /** A region with writes in flight or recently written (its bit set). */
  private static final class Region {
    int inFlight;
    long epoch;
    long lastWriteNanos;
    /** The version of its bitmap block that first holds its bit: durable once that one is. */
    long setInVersion;
  }

  private final Pool pool;
  private final long rowsPerBit;
  private final int bits;
  private final int blocks;
  /** The bits as they are (or are being made) on the members. */
  private final byte[] onDisk;
  private final Map<Integer, Region> active = new HashMap<>();
  /** Per bitmap block: bumped on every change of its bits in {@link #onDisk}. */
  private final long[] version;
  /** Per bitmap block: the newest version known to be on every writable member. */
  private final long[] durable;
  /** Per bitmap block: whether a thread is writing it (one at a time, so versions land in order). */
  private final boolean[] writing;

  WriteIntentBitmap(Pool pool, long rows) {
    this.pool = pool;
    long capacity = MAX_BLOCKS * BITS_PER_BLOCK;
    this.rowsPerBit = Math.max(MIN_ROWS_PER_BIT, (rows + capacity - 1) / capacity);
    this.bits = (int) Math.max(1, (rows + rowsPerBit - 1) / rowsPerBit);
    this.blocks = (bits + BITS_PER_BLOCK - 1) / BITS_PER_BLOCK;
    this.onDisk = new byte[blocks * BITS_BYTES];
    this.version = new long[blocks];
    this.durable = new long[blocks];
    this.writing = new boolean[blocks];
  }

  long rowsPerBit() {
    return rowsPerBit;
  }

  private boolean isSet(int bit) {
    return (onDisk[bit >>> 3] & (1 << (bit & 7))) != 0;
  }

  private void set(int bit, boolean value) {
    if (value) {
      onDisk[bit >>> 3] |= (byte) (1 << (bit & 7));
    } else {
      onDisk[bit >>> 3] &= (byte) ~(1 << (bit & 7));
    }
  }

  /**
   * Reads the bitmap of every in-sync member and returns the first row of every region that was
   * dirty when the pool last stopped (all rows of a region: {@link #rowsPerBit}). Those bits stay
   * set until {@link #clearIdle} clears them after the caller has resynced the regions.
   */
  synchronized List<Long> load() throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(blocks * Pool.BLOCK_SIZE);
    for (int m = 0; m < pool.memberCount(); m++) {
      if (!pool.readable(m)) {
        continue;
      }
      BlockDevice member = pool.member(m);
      try {
        member.read(FIRST_BLOCK, buf.clear());
      } catch (IOException e) {
        pool.fail(m, e);
        continue;
      }
      for (int b = 0; b < blocks; b++) {
        mergeBlock(m, b, buf);
      }
    }
    List<Long> dirty = new ArrayList<>();
    for (int bit = 0; bit < bits; bit++) {
      if (isSet(bit)) {
        active.put(bit, new Region());
        dirty.add(bit * rowsPerBit);
      }
    }
    return dirty;
  }

  private void mergeBlock(int member, int block, ByteBuffer all) {
    int at = block * Pool.BLOCK_SIZE;
    if (all.getLong(at) != MAGIC) {
      return; // never written: clean
    }
    CRC32C crc = new CRC32C();
    crc.update(all.array(), at, Pool.BLOCK_SIZE - 4);
    boolean intact = all.getInt(at + 8) == block
        && all.getInt(at + Pool.BLOCK_SIZE - 4) == (int) crc.getValue();
    for (int k = 0; k < BITS_BYTES; k++) {
      onDisk[block * BITS_BYTES + k] |= intact ? all.get(at + 12 + k) : (byte) 0xff;
    }
    if (!intact) {
      LOG.warning("pool " + pool.name() + ": write-intent block " + block + " of drive "
          + member + " is torn; every region it covers is resynced");
    }
  }

  /**
   * Before a write to member row {@code row}: returns once the row's region is marked dirty on
   * every writable member.
   *
   * <p>The durable write of the bitmap block happens outside this object's monitor, so that
   * writes to regions already marked, and other first writes, are not held up behind a forced
   * write to every member. It stays safe because: the bit is set in memory and the region
   * counted in flight under the monitor, so {@link #clearIdle} cannot clear it until
   * {@link #end}; every later version of the block therefore holds the bit; a block is written
   * by one thread at a time, from the newest version at the moment it starts, so versions land
   * in order; and this method returns only once a version at least as new as the one that first
   * held the bit is on every writable member. So a stripe's bit is durable before its data and
   * parity writes start, as before; concurrent first writes to one block share a single write.
   */
  void begin(long row) throws IOException {
    int bit = (int) (row / rowsPerBit);
    int block = bit / BITS_PER_BLOCK;
    Region r;
    synchronized (this) {
      r = active.computeIfAbsent(bit, b -> new Region());
      r.inFlight++;
      r.epoch++;
      r.lastWriteNanos = System.nanoTime();
      if (!isSet(bit)) {
        set(bit, true);
        r.setInVersion = ++version[block];
      }
      if (durable[block] >= r.setInVersion) {
        return;
      }
    }
    try {
      makeDurable(block, r.setInVersion);
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        r.inFlight--;
      }
      throw e;
    }
  }

  /**
   * Returns once version {@code needed} (or a newer one) of bitmap block {@code block} is on
   * every writable member: waits for the thread writing it, or writes the newest version itself.
   */
  private void makeDurable(int block, long needed) throws IOException {
    while (true) {
      long writes;
      ByteBuffer image;
      synchronized (this) {
        while (writing[block] && durable[block] < needed) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("waiting for the write-intent bitmap");
          }
        }
        if (durable[block] >= needed) {
          return;
        }
        writing[block] = true;
        writes = version[block];
        image = encode(block);
      }
      boolean written = false;
      try {
        writeToMembers(block, image);
        written = true;
      } finally {
        synchronized (this) {
          writing[block] = false;
          if (written) {
            durable[block] = Math.max(durable[block], writes);
          }
          notifyAll();
        }
      }
    }
  }

  /** After the write to {@code row} (done or failed). */
  synchronized void end(long row) {
    Region r = active.get((int) (row / rowsPerBit));
    r.inFlight--;
    r.lastWriteNanos = System.nanoTime();
  }

  /** The regions marked now (bit {@code k}: member rows {@code k * rowsPerBit} on). */
  synchronized java.util.BitSet markedRegions() {
    java.util.BitSet out = new java.util.BitSet(bits);
    for (int bit = 0; bit < bits; bit++) {
      if (isSet(bit)) {
        out.set(bit);
      }
    }
    return out;
  }

  /** Whether any region is marked dirty (in memory, and so on the members). */
  synchronized boolean anyDirty() {
    return !active.isEmpty();
  }

  /**
   * Clears the bits of regions without writes for {@code idleNanos}: flushes the members first
   * (so the data and parity the bit guarded are durable), then clears only the regions that saw
   * no write meanwhile.
   */
  void clearIdle(long idleNanos) throws IOException {
    if (pool.degraded()) {
      return; // the bits are what a returning member is resynced from
    }
    Map<Integer, Long> candidates = new HashMap<>();
    synchronized (this) {
      long now = System.nanoTime();
      for (Map.Entry<Integer, Region> e : active.entrySet()) {
        Region r = e.getValue();
        if (r.inFlight == 0 && now - r.lastWriteNanos >= idleNanos) {
          candidates.put(e.getKey(), r.epoch);
        }
      }
    }
    if (candidates.isEmpty()) {
      return;
    }
    pool.flush();
    Map<Integer, Long> changedBlocks = new TreeMap<>();
    synchronized (this) {
      if (pool.degraded()) {
        return; // a member left meanwhile: its missed writes may be in these regions
      }
      for (Map.Entry<Integer, Long> c : candidates.entrySet()) {
        Region r = active.get(c.getKey());
        if (r != null && r.inFlight == 0 && r.epoch == c.getValue()) {
          active.remove(c.getKey());
          set(c.getKey(), false);
          int block = c.getKey() / BITS_PER_BLOCK;
          changedBlocks.put(block, ++version[block]);
        }
      }
    }
    // Outside the monitor too: a cleared bit that is not yet durable only costs a resync.
    for (Map.Entry<Integer, Long> b : changedBlocks.entrySet()) {
      makeDurable(b.getKey(), b.getValue());
    }
  }

  /** Bitmap block {@code block} as it is in memory now, ready to write. */
  private ByteBuffer encode(int block) {
    ByteBuffer b = ByteBuffer.allocate(Pool.BLOCK_SIZE);
    b.putLong(MAGIC).putInt(block).put(onDisk, block * BITS_BYTES, BITS_BYTES);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b;
  }

  /** Writes one encoded bitmap block to every writable member, durably; a member that fails is dropped. */
  private void writeToMembers(int block, ByteBuffer image) throws IOException {
    for (int m = 0; m < pool.memberCount(); m++) {
      if (!pool.writable(m)) {
        continue;
      }
      try {
        pool.member(m).write(FIRST_BLOCK + block, image.clear(), true);
      } catch (IOException e) {
        pool.fail(m, e);
      }
    }
  }
}
