package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;

/**
 * RAID-5 ({@link Protection#PARITY}) and RAID-6 ({@link Protection#PARITY2}): data in 64 KiB
 * stripe units across all members but one (two), the remaining unit(s) of each stripe holding P,
 * the XOR of the data units, and for RAID-6 also Q, their Reed-Solomon syndrome over GF(2^8)
 * ({@link Gf256}). P rotates from the last drive down, stripe by stripe; Q sits on the member
 * after P; the data units follow (left-symmetric), so parity writes are spread over all drives.
 *
 * <p>A write of a unit (or part of one) takes its member row's exclusive lock, gathers the
 * stripe's other data units (reading them, or solving for those whose drive is gone), lays the
 * new data over its unit and writes the data and the recomputed parity to every member still
 * there (reconstruct-write). A read of a unit whose drive is gone solves the stripe the same
 * way. A rebuild reconstructs each row of the new drive from the others; two replaced drives of
 * a RAID-6 pool are rebuilt one after the other, the second still solved for meanwhile.
 *
 * <p>The write hole (data and parity on different drives, no atomicity between them) is closed
 * by the pool's {@link WriteIntentBitmap}: a region is marked dirty durably before its first
 * write, and after a crash the parity of every dirty region is recomputed from its data before
 * the pool serves anything (see docs/block-stack.md).
 */
public final class ParityPool extends Pool {
  /** Stripe unit: 64 KiB. */
  static final int UNIT_BLOCKS = 128;

  private final int n;
  /** 1: P (RAID-5); 2: P and Q (RAID-6). */
  private final int parities;
  private final int dataUnits;
  private final long blockCount;
  /** Q multipliers: QTABLE[i] multiplies by g^i (data unit i's weight in Q). */
  private final byte[][] qTables;
  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(ParityPool.class.getName());
  /** Set when the write-intent bitmap is opened (null only in the test without it). */
  private StripeJournal journal;
  private volatile long journalRecords;

  /** A member failed mid-operation; the pool's state changed, so the operation starts over. */
  private static final class MemberFailed extends IOException {
    MemberFailed(IOException cause) {
      super(cause);
    }
  }

  private ParityPool(String name, Protection protection, List<BlockDevice> members) {
    super(name, protection, members);
    this.n = members.size();
    this.parities = protection == Protection.PARITY2 ? 2 : 1;
    this.dataUnits = n - parities;
    this.blockCount = memberDataBlocks() / UNIT_BLOCKS * UNIT_BLOCKS * dataUnits;
    this.qTables = new byte[dataUnits][];
    for (int i = 0; i < dataUnits; i++) {
      qTables[i] = Gf256.table(Gf256.power(i));
    }
  }

  /** {@code writeIntent} false only in the test that shows the write hole without it. */
  static ParityPool openParity(String name, Protection protection, List<BlockDevice> members,
      boolean writeIntent) throws IOException {
    return openParity(name, protection, members, writeIntent, MemberDropGate.AT_ONCE);
  }

  static ParityPool openParity(String name, Protection protection, List<BlockDevice> members,
      boolean writeIntent, MemberDropGate gate) throws IOException {
    int min = protection == Protection.PARITY2 ? 4 : 3;
    if (members.size() < min || members.size() > 16) {
      throw new IllegalArgumentException("a " + protection.label() + " pool has " + min
          + " to 16 drives, not " + members.size());
    }
    ParityPool pool = new ParityPool(name, protection, members);
    pool.gate(gate);
    pool.assemble();
    if (writeIntent) {
      pool.openWriteIntent();
    } else {
      pool.startPendingRebuild();
    }
    return pool;
  }

  @Override
  protected int redundancy() {
    return parities;
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  int parityMember(long stripe) {
    return (int) (n - 1 - stripe % n);
  }

  /** The member holding Q (RAID-6 only). */
  int qMember(long stripe) {
    return (parityMember(stripe) + 1) % n;
  }

  int dataMember(long stripe, int index) {
    return (parityMember(stripe) + parities + index) % n;
  }

  private void readMember(int i, long memberLba, ByteBuffer dst) throws IOException {
    try {
      member(i).read(DATA_OFFSET_BLOCKS + memberLba, dst);
    } catch (IOException e) {
      fail(i, e);
      throw new MemberFailed(e);
    }
  }

  private byte[] readUnit(int i, long memberLba, int bytes) throws IOException {
    byte[] unit = new byte[bytes];
    readMember(i, memberLba, ByteBuffer.wrap(unit));
    return unit;
  }

  private void writeMember(int i, long memberLba, byte[] src) throws IOException {
    try {
      member(i).write(DATA_OFFSET_BLOCKS + memberLba, ByteBuffer.wrap(src), false);
    } catch (IOException e) {
      fail(i, e);
      throw new MemberFailed(e);
    }
  }

  /** acc ^= other, eight bytes at a time where possible. */
  private static void xorInto(byte[] acc, byte[] other) {
    ByteBuffer a = ByteBuffer.wrap(acc);
    ByteBuffer o = ByteBuffer.wrap(other);
    int k = 0;
    for (; k + 8 <= acc.length; k += 8) {
      a.putLong(k, a.getLong(k) ^ o.getLong(k));
    }
    for (; k < acc.length; k++) {
      acc[k] ^= other[k];
    }
  }

  private byte[] p(byte[][] data) {
    byte[] p = new byte[data[0].length];
    for (byte[] d : data) {
      xorInto(p, d);
    }
    return p;
  }

  private byte[] q(byte[][] data) {
    byte[] q = new byte[data[0].length];
    for (int i = 0; i < dataUnits; i++) {
      Gf256.mulXorInto(q, data[i], qTables[i]);
    }
    return q;
  }

  /** Runs an operation again when a member failed during it (the pool's state changed). */
  private <T> T retrying(IoCall<T> call) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        return call.run();
      } catch (MemberFailed e) {
        if (attempt == n) {
          throw e;
        }
      }
    }
  }

  @FunctionalInterface
  private interface IoCall<T> {
    T run() throws IOException;
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    checkRange(lba, dst.remaining());
    long perStripe = (long) UNIT_BLOCKS * dataUnits;
    while (dst.hasRemaining()) {
      long stripe = lba / perStripe;
      int index = (int) (lba % perStripe / UNIT_BLOCKS);
      int offset = (int) (lba % UNIT_BLOCKS);
      int blocks = Math.min(dst.remaining() / BLOCK_SIZE, UNIT_BLOCKS - offset);
      ByteBuffer piece = dst.duplicate().limit(dst.position() + blocks * BLOCK_SIZE).slice();
      long memberLba = stripe * UNIT_BLOCKS + offset;
      int d = dataMember(stripe, index);
      retrying(() -> {
        if (readable(d)) {
          readMember(d, memberLba, piece.clear());
        } else {
          piece.clear().put(solvedUnit(stripe, index, memberLba, piece.capacity()));
        }
        return null;
      });
      dst.position(dst.position() + blocks * BLOCK_SIZE);
      lba += blocks;
    }
  }

  /** Data unit {@code index} of a stripe whose drive is gone, solved from the others. */
  private byte[] solvedUnit(long stripe, int index, long memberLba, int bytes)
      throws IOException {
    Lock lock = rowLock(memberLba / ROW_BLOCKS).writeLock();
    lock.lock(); // no write may be half done (data without parity) while we solve
    try {
      return stripeData(stripe, memberLba, bytes, -1)[index];
    } finally {
      lock.unlock();
    }
  }

  /**
   * The stripe's data units over {@code bytes} from {@code memberLba}: read where the drive is
   * in sync, solved from P (and Q) where it is not. Unit {@code skip} is left as zeros unless it
   * is needed to solve another (the caller overwrites it). Under the row's lock.
   */
  private byte[][] stripeData(long stripe, long memberLba, int bytes, int skip)
      throws IOException {
    byte[][] data = new byte[dataUnits][];
    int missingA = -1;
    int missingB = -1;
    for (int i = 0; i < dataUnits; i++) {
      if (!readable(dataMember(stripe, i))) {
        if (missingA < 0) {
          missingA = i;
        } else if (missingB < 0) {
          missingB = i;
        } else {
          throw tooManyMissing();
        }
      }
    }
    for (int i = 0; i < dataUnits; i++) {
      if (i == missingA || i == missingB) {
        continue;
      }
      data[i] = i == skip && missingA < 0 ? new byte[bytes]
          : readUnit(dataMember(stripe, i), memberLba, bytes);
    }
    if (missingA < 0) {
      return data;
    }
    boolean hasP = readable(parityMember(stripe));
    boolean hasQ = parities == 2 && readable(qMember(stripe));
    if (missingB < 0 && hasP) {
      byte[] x = readUnit(parityMember(stripe), memberLba, bytes);
      for (int i = 0; i < dataUnits; i++) {
        if (i != missingA) {
          xorInto(x, data[i]);
        }
      }
      data[missingA] = x;
    } else if (missingB < 0 && hasQ) {
      // Q ⊕ (the others' part of Q) = g^a·Da
      byte[] x = readUnit(qMember(stripe), memberLba, bytes);
      for (int i = 0; i < dataUnits; i++) {
        if (i != missingA) {
          Gf256.mulXorInto(x, data[i], qTables[i]);
        }
      }
      Gf256.mulInPlace(x, Gf256.table(Gf256.inverse(Gf256.power(missingA))));
      data[missingA] = x;
    } else if (missingB >= 0 && hasP && hasQ) {
      solveTwo(stripe, memberLba, bytes, data, missingA, missingB);
    } else {
      throw tooManyMissing();
    }
    return data;
  }

  /**
   * Two lost data units a and b: Pab = Da ⊕ Db and Qab = g^a·Da ⊕ g^b·Db (P and Q with the
   * others taken out), so Da = (Qab ⊕ g^b·Pab) / (g^a ⊕ g^b) and Db = Pab ⊕ Da.
   */
  private void solveTwo(long stripe, long memberLba, int bytes, byte[][] data, int a, int b)
      throws IOException {
    byte[] pab = readUnit(parityMember(stripe), memberLba, bytes);
    byte[] qab = readUnit(qMember(stripe), memberLba, bytes);
    for (int i = 0; i < dataUnits; i++) {
      if (i != a && i != b) {
        xorInto(pab, data[i]);
        Gf256.mulXorInto(qab, data[i], qTables[i]);
      }
    }
    Gf256.mulXorInto(qab, pab, qTables[b]);
    int denominator = Gf256.power(a) ^ Gf256.power(b);
    Gf256.mulInPlace(qab, Gf256.table(Gf256.inverse(denominator)));
    xorInto(pab, qab);
    data[a] = qab;
    data[b] = pab;
  }

  private IOException tooManyMissing() {
    return new IOException("pool " + name() + ": more drives missing in one stripe than "
        + protection().label() + " survives");
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    checkRange(lba, src.remaining());
    long perStripe = (long) UNIT_BLOCKS * dataUnits;
    while (src.hasRemaining()) {
      long stripe = lba / perStripe;
      int index = (int) (lba % perStripe / UNIT_BLOCKS);
      int offset = (int) (lba % UNIT_BLOCKS);
      int blocks = Math.min(src.remaining() / BLOCK_SIZE, UNIT_BLOCKS - offset);
      byte[] piece = new byte[blocks * BLOCK_SIZE];
      src.duplicate().get(piece);
      long memberLba = stripe * UNIT_BLOCKS + offset;
      long row = memberLba / ROW_BLOCKS;
      Lock lock = rowLock(row).writeLock();
      lock.lock();
      try {
        beginWrite(row);
        try {
          retrying(() -> {
            writeUnit(stripe, index, memberLba, piece);
            return null;
          });
        } finally {
          endWrite(row);
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
    holdWritesAwaitingDrop(); // acknowledged only once a failed member is dropped with consent
  }

  /** Under the row lock: the new data and the stripe's recomputed parity, data first. */
  private void writeUnit(long stripe, int index, long memberLba, byte[] piece)
      throws IOException {
    int d = dataMember(stripe, index);
    int p = parityMember(stripe);
    int q = parities == 2 ? qMember(stripe) : -1;
    boolean anyParity = writable(p) || (q >= 0 && writable(q));
    if (!anyParity) {
      if (!writable(d)) {
        throw tooManyMissing();
      }
      writeMember(d, memberLba, piece);
      return;
    }
    byte[][] data = stripeData(stripe, memberLba, piece.length, index);
    data[index] = piece;
    StripeJournal.Ticket ticket = journalMissingUnits(stripe, memberLba, data);
    try {
      if (writable(d)) {
        writeMember(d, memberLba, piece);
      }
      writeParity(stripe, memberLba, data);
    } finally {
      if (ticket != null) {
        journal.release(ticket);
      }
    }
  }

  /**
   * Before a write into a stripe whose data unit(s) are missing: journals what those units hold
   * once the write is done (solved from the stripe, or the new data if the unit written is the
   * missing one), durably on every member that takes writes. Null when nothing is missing.
   */
  private StripeJournal.Ticket journalMissingUnits(long stripe, long memberLba, byte[][] data)
      throws IOException {
    if (journal == null) {
      return null;
    }
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < dataUnits; i++) {
      if (!readable(dataMember(stripe, i))) {
        missing.add(i);
      }
    }
    if (missing.isEmpty()) {
      return null;
    }
    int[] units = missing.stream().mapToInt(Integer::intValue).toArray();
    byte[][] values = new byte[units.length][];
    for (int k = 0; k < units.length; k++) {
      values[k] = data[units[k]];
    }
    journalRecords++;
    return journal.record(generation(), stripe, memberLba, units, values, writableMembers(),
        (m, lba, buf) -> {
          try {
            member(m).write(lba, buf, true);
          } catch (IOException e) {
            fail(m, e);
            throw new MemberFailed(e);
          }
        });
  }

  private List<Integer> writableMembers() {
    List<Integer> out = new ArrayList<>();
    for (int m = 0; m < n; m++) {
      if (writable(m)) {
        out.add(m);
      }
    }
    return out;
  }

  /** Stripe journal records written since the pool opened (a figure for tests and logs). */
  long journalRecords() {
    return journalRecords;
  }

  /**
   * Reads the members' stripe journals and, if the pool is degraded, makes every stripe a
   * record still guards consistent again: P (and Q) recomputed from the data units present and
   * the journalled ones. Then clears the journals (after a flush), so that no record outlives
   * the stripe state it describes.
   */
  @Override
  protected void recoverBeforeResync() throws IOException {
    journal = new StripeJournal(parities, UNIT_BLOCKS);
    List<ByteBuffer> areas = new ArrayList<>();
    for (int m = 0; m < n; m++) {
      if (!readable(m)) {
        continue;
      }
      ByteBuffer area = ByteBuffer.allocate((int) StripeJournal.AREA_BLOCKS * BLOCK_SIZE);
      try {
        member(m).read(StripeJournal.FIRST_BLOCK, area);
      } catch (IOException e) {
        fail(m, e);
        continue;
      }
      areas.add(area.clear());
    }
    List<StripeJournal.Entry> entries = journal.load(areas, inSyncSince());
    if (degraded() && !entries.isEmpty()) {
      int replayed = 0;
      for (StripeJournal.Entry e : entries) {
        if (retrying(() -> replay(e))) {
          replayed++;
        }
      }
      LOG.info("pool " + name() + " stopped uncleanly while degraded: " + replayed + " of "
          + entries.size() + " stripe journal record(s) replayed");
    }
    if (areas.stream().anyMatch(journal::anyWritten)) {
      flush();
      byte[] zeros = new byte[(int) StripeJournal.AREA_BLOCKS * BLOCK_SIZE];
      for (int m : writableMembers()) {
        try {
          member(m).write(StripeJournal.FIRST_BLOCK, ByteBuffer.wrap(zeros), true);
        } catch (IOException e) {
          fail(m, e);
        }
      }
    }
  }

  /** Recomputes the parity of one journalled stripe range; false if it cannot be solved. */
  private boolean replay(StripeJournal.Entry e) throws IOException {
    int bytes = e.values()[0].length;
    Lock lock = rowLock(e.memberLba() / ROW_BLOCKS).writeLock();
    lock.lock();
    try {
      byte[][] data = new byte[dataUnits][];
      for (int i = 0; i < dataUnits; i++) {
        byte[] journalled = e.valueOf(i);
        if (journalled != null) {
          data[i] = journalled;
        } else if (readable(dataMember(e.stripe(), i))) {
          data[i] = readUnit(dataMember(e.stripe(), i), e.memberLba(), bytes);
        } else {
          LOG.severe("pool " + name() + ": stripe " + e.stripe() + " lost data unit " + i
              + " after its journal record was written; its parity is left as it is");
          return false;
        }
      }
      writeParity(e.stripe(), e.memberLba(), data);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** P (and Q) of {@code data} to their members, where they are still writable. */
  private void writeParity(long stripe, long memberLba, byte[][] data) throws IOException {
    int p = parityMember(stripe);
    if (writable(p)) {
      writeMember(p, memberLba, p(data));
    }
    if (parities == 2 && writable(qMember(stripe))) {
      writeMember(qMember(stripe), memberLba, q(data));
    }
  }

  @Override
  protected void rebuildRow(int target, long row) throws IOException {
    byte[] rowBuf = new byte[ROW_BLOCKS * BLOCK_SIZE];
    int unitBytes = UNIT_BLOCKS * BLOCK_SIZE;
    for (int u = 0; u < ROW_BLOCKS / UNIT_BLOCKS; u++) {
      long memberLba = row * ROW_BLOCKS + (long) u * UNIT_BLOCKS;
      long stripe = memberLba / UNIT_BLOCKS;
      // A source drive failing mid-row drops that drive, not the one being rebuilt: retry.
      byte[][] data = retrying(() -> stripeData(stripe, memberLba, unitBytes, -1));
      byte[] unit;
      if (target == parityMember(stripe)) {
        unit = p(data);
      } else if (parities == 2 && target == qMember(stripe)) {
        unit = q(data);
      } else {
        unit = data[Math.floorMod(target - parityMember(stripe) - parities, n)];
      }
      System.arraycopy(unit, 0, rowBuf, u * unitBytes, unitBytes);
    }
    member(target).write(DATA_OFFSET_BLOCKS + row * ROW_BLOCKS, ByteBuffer.wrap(rowBuf), false);
  }

  /**
   * Parity is recomputed from data: with every drive in sync; or, degraded, once the stripe
   * journal has been replayed (every stripe written while a data unit was missing is
   * consistent again, and the rest are solved and rewritten as they are).
   */
  @Override
  protected boolean canResync() {
    return journal != null || !degraded();
  }

  /** Recomputes P (and Q) of every stripe of the row from its data; under the row's lock. */
  @Override
  protected void resyncRow(long row) throws IOException {
    int unitBytes = UNIT_BLOCKS * BLOCK_SIZE;
    for (int u = 0; u < ROW_BLOCKS / UNIT_BLOCKS; u++) {
      long memberLba = row * ROW_BLOCKS + (long) u * UNIT_BLOCKS;
      long stripe = memberLba / UNIT_BLOCKS;
      retrying(() -> {
        writeParity(stripe, memberLba, stripeData(stripe, memberLba, unitBytes, -1));
        return null;
      });
    }
  }
}
