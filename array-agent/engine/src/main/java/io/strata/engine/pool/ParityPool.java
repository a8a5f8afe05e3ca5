package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

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
 *
 * <p>The pool grows onto more drives by a restripe ({@link #restripe}): stripes below a durable
 * reshape position are laid out over all members, the others as before, and a background thread
 * moves the position forward batch by batch; why a kill anywhere loses nothing is in
 * docs/block-stack.md, "Growing a parity pool (restripe)".
 */
public final class ParityPool extends Pool implements io.strata.engine.block.GrowableDevice {
  /** Stripe unit: 64 KiB. */
  static final int UNIT_BLOCKS = 128;

  /** 1: P (RAID-5); 2: P and Q (RAID-6). */
  private final int parities;
  /**
   * The layout below and above the reshape position: the same geometry unless a restripe runs
   * ({@link #restripe}), then {@code from} over the members before it and {@code to} over all.
   */
  private volatile Geometry from;
  private volatile Geometry to;
  /** The reshape position: stripes below it are laid out by {@code to}; set under its row lock. */
  private volatile long restripedStripes;
  private volatile long blockCount;
  /** The pool's size before its last restripe (from the checkpoint), or -1. */
  private volatile long formerBlockCount = -1;
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
    this.parities = protection == Protection.PARITY2 ? 2 : 1;
    this.from = new Geometry(members.size(), parities);
    this.to = from;
    this.blockCount = capacity(from);
    this.qTables = new byte[MAX_MEMBERS][];
    for (int i = 0; i < MAX_MEMBERS; i++) {
      qTables[i] = Gf256.table(Gf256.power(i));
    }
  }

  /** A parity pool has at most this many drives. */
  public static final int MAX_MEMBERS = 16;

  /**
   * Where each stripe's P, Q and data units are for a number of members: P rotates from the
   * last member down, Q follows it, the data units follow them (left-symmetric).
   */
  record Geometry(int members, int parities) {
    int dataUnits() {
      return members - parities;
    }

    /** Pool blocks per stripe. */
    long perStripe() {
      return (long) UNIT_BLOCKS * dataUnits();
    }

    int parity(long stripe) {
      return (int) (members - 1 - stripe % members);
    }

    int q(long stripe) {
      return (parity(stripe) + 1) % members;
    }

    int data(long stripe, int index) {
      return (parity(stripe) + parities + index) % members;
    }
  }

  /** Stripes on each member (the same whatever the width). */
  long stripes() {
    return memberDataBlocks() / UNIT_BLOCKS;
  }

  private long capacity(Geometry g) {
    return stripes() * g.perStripe();
  }

  /** The geometry of member stripe {@code stripe} (the reshape position decides). */
  Geometry geometryOf(long stripe) {
    return stripe < restripedStripes ? to : from;
  }

  /** The geometry of pool block {@code lba}. */
  private Geometry geometryAt(long lba) {
    return layoutOf(lba, restripedStripes, from, to);
  }

  /**
   * The layout of pool block {@code lba} at reshape position {@code position}: the new one for
   * the blocks of the new stripes below it, the old one above.
   */
  static Geometry layoutOf(long lba, long position, Geometry from, Geometry to) {
    return lba < position * to.perStripe() ? to : from;
  }

  /** {@code writeIntent} false only in the test that shows the write hole without it. */
  static ParityPool openParity(String name, Protection protection, List<BlockDevice> members,
      boolean writeIntent) throws IOException {
    return openParity(name, protection, members, writeIntent, MemberDropGate.AT_ONCE);
  }

  static ParityPool openParity(String name, Protection protection, List<BlockDevice> members,
      boolean writeIntent, MemberDropGate gate) throws IOException {
    int min = protection == Protection.PARITY2 ? 4 : 3;
    if (members.size() < min || members.size() > MAX_MEMBERS) {
      throw new IllegalArgumentException("a " + protection.label() + " pool has " + min
          + " to 16 drives, not " + members.size());
    }
    ParityPool pool = new ParityPool(name, protection, members);
    pool.gate(gate);
    pool.assemble();
    pool.loadRestripe();
    if (pool.restriping()) {
      pool.restripeGate.close(); // nothing is served yet: no I/O to wait for
    }
    if (writeIntent) {
      pool.openWriteIntent();
    } else {
      pool.startPendingRebuild();
    }
    try {
      pool.resumeRestripe();
    } catch (IOException | RuntimeException e) {
      pool.stopClearingIdleRegions(); // never served: nothing may run on its drives
      throw e;
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
    return geometryOf(stripe).parity(stripe);
  }

  /** The member holding Q (RAID-6 only). */
  int qMember(long stripe) {
    return geometryOf(stripe).q(stripe);
  }

  int dataMember(long stripe, int index) {
    return geometryOf(stripe).data(stripe, index);
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
    for (int i = 0; i < data.length; i++) {
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
        if (attempt == memberCount()) {
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
    if (restripeGate.enter()) { // no restripe: one layout, no window (see InFlightGate)
      try {
        readIn(from, lba, dst);
      } finally {
        restripeGate.leave();
      }
      return;
    }
    Lock window = outsideRestripeWindow(lba, dst.remaining() / BLOCK_SIZE);
    try {
      readIn(null, lba, dst);
    } finally {
      window.unlock();
    }
  }

  /**
   * Reads pool blocks laid out by {@code g}, or (null) by the geometry each unit is in. A unit
   * never spans the reshape position: it is a whole number of stripes of either width.
   */
  private void readIn(Geometry layout, long lba, ByteBuffer dst) throws IOException {
    while (dst.hasRemaining()) {
      Geometry g = layout != null ? layout : geometryAt(lba);
      long perStripe = g.perStripe();
      long stripe = lba / perStripe;
      int index = (int) (lba % perStripe / UNIT_BLOCKS);
      int offset = (int) (lba % UNIT_BLOCKS);
      int blocks = Math.min(dst.remaining() / BLOCK_SIZE, UNIT_BLOCKS - offset);
      ByteBuffer piece = dst.duplicate().limit(dst.position() + blocks * BLOCK_SIZE).slice();
      long memberLba = stripe * UNIT_BLOCKS + offset;
      int d = g.data(stripe, index);
      retrying(() -> {
        if (readable(d)) {
          readMember(d, memberLba, piece.clear());
        } else {
          piece.clear().put(solvedUnit(g, stripe, index, memberLba, piece.capacity()));
        }
        return null;
      });
      dst.position(dst.position() + blocks * BLOCK_SIZE);
      lba += blocks;
    }
  }

  /** Data unit {@code index} of a stripe whose drive is gone, solved from the others. */
  private byte[] solvedUnit(Geometry g, long stripe, int index, long memberLba, int bytes)
      throws IOException {
    Lock lock = rowLock(memberLba / ROW_BLOCKS).writeLock();
    lock.lock(); // no write may be half done (data without parity) while we solve
    try {
      return stripeData(g, stripe, memberLba, bytes, -1)[index];
    } finally {
      lock.unlock();
    }
  }

  /**
   * The stripe's data units over {@code bytes} from {@code memberLba}: read where the drive is
   * in sync, solved from P (and Q) where it is not. Unit {@code skip} is left as zeros unless it
   * is needed to solve another (the caller overwrites it). Under the row's lock.
   */
  private byte[][] stripeData(Geometry g, long stripe, long memberLba, int bytes, int skip)
      throws IOException {
    int dataUnits = g.dataUnits();
    byte[][] data = new byte[dataUnits][];
    int missingA = -1;
    int missingB = -1;
    for (int i = 0; i < dataUnits; i++) {
      if (!readable(g.data(stripe, i))) {
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
          : readUnit(g.data(stripe, i), memberLba, bytes);
    }
    if (missingA < 0) {
      return data;
    }
    boolean hasP = readable(g.parity(stripe));
    boolean hasQ = parities == 2 && readable(g.q(stripe));
    if (missingB < 0 && hasP) {
      byte[] x = readUnit(g.parity(stripe), memberLba, bytes);
      for (int i = 0; i < dataUnits; i++) {
        if (i != missingA) {
          xorInto(x, data[i]);
        }
      }
      data[missingA] = x;
    } else if (missingB < 0 && hasQ) {
      // Q ⊕ (the others' part of Q) = g^a·Da
      byte[] x = readUnit(g.q(stripe), memberLba, bytes);
      for (int i = 0; i < dataUnits; i++) {
        if (i != missingA) {
          Gf256.mulXorInto(x, data[i], qTables[i]);
        }
      }
      Gf256.mulInPlace(x, Gf256.table(Gf256.inverse(Gf256.power(missingA))));
      data[missingA] = x;
    } else if (missingB >= 0 && hasP && hasQ) {
      solveTwo(g, stripe, memberLba, bytes, data, missingA, missingB);
    } else {
      throw tooManyMissing();
    }
    return data;
  }

  /**
   * Two lost data units a and b: Pab = Da ⊕ Db and Qab = g^a·Da ⊕ g^b·Db (P and Q with the
   * others taken out), so Da = (Qab ⊕ g^b·Pab) / (g^a ⊕ g^b) and Db = Pab ⊕ Da.
   */
  private void solveTwo(Geometry g, long stripe, long memberLba, int bytes, byte[][] data, int a,
      int b) throws IOException {
    byte[] pab = readUnit(g.parity(stripe), memberLba, bytes);
    byte[] qab = readUnit(g.q(stripe), memberLba, bytes);
    for (int i = 0; i < data.length; i++) {
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
    if (restripeGate.enter()) { // no restripe: one layout, no window (see InFlightGate)
      try {
        writeIn(from, lba, src);
      } finally {
        restripeGate.leave();
      }
    } else {
      Lock window = outsideRestripeWindow(lba, src.remaining() / BLOCK_SIZE);
      try {
        writeIn(null, lba, src);
      } finally {
        window.unlock();
      }
    }
    if (fua) {
      flush();
    }
    holdWritesAwaitingDrop(); // acknowledged only once a failed member is dropped with consent
  }

  /** Writes pool blocks laid out by {@code layout}, or (null) by the geometry each unit is in. */
  private void writeIn(Geometry layout, long lba, ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      Geometry g = layout != null ? layout : geometryAt(lba);
      long perStripe = g.perStripe();
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
            writeUnit(g, stripe, index, memberLba, piece);
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
  }

  /** Under the row lock: the new data and the stripe's recomputed parity, data first. */
  private void writeUnit(Geometry g, long stripe, int index, long memberLba, byte[] piece)
      throws IOException {
    int d = g.data(stripe, index);
    int p = g.parity(stripe);
    int q = parities == 2 ? g.q(stripe) : -1;
    boolean anyParity = writable(p) || (q >= 0 && writable(q));
    if (!anyParity) {
      if (!writable(d)) {
        throw tooManyMissing();
      }
      writeMember(d, memberLba, piece);
      return;
    }
    byte[][] data = stripeData(g, stripe, memberLba, piece.length, index);
    data[index] = piece;
    StripeJournal.Ticket ticket = journalMissingUnits(g, stripe, memberLba, data);
    try {
      if (writable(d)) {
        writeMember(d, memberLba, piece);
      }
      writeParity(g, stripe, memberLba, data);
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
  private StripeJournal.Ticket journalMissingUnits(Geometry g, long stripe, long memberLba,
      byte[][] data) throws IOException {
    if (journal == null) {
      return null;
    }
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < g.dataUnits(); i++) {
      if (!readable(g.data(stripe, i))) {
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
    for (int m = 0; m < memberCount(); m++) {
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
    for (int m = 0; m < memberCount(); m++) {
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
      Geometry g = geometryOf(e.stripe());
      byte[][] data = new byte[g.dataUnits()][];
      for (int i = 0; i < data.length; i++) {
        byte[] journalled = e.valueOf(i);
        if (journalled != null) {
          data[i] = journalled;
        } else if (readable(g.data(e.stripe(), i))) {
          data[i] = readUnit(g.data(e.stripe(), i), e.memberLba(), bytes);
        } else {
          LOG.severe("pool " + name() + ": stripe " + e.stripe() + " lost data unit " + i
              + " after its journal record was written; its parity is left as it is");
          return false;
        }
      }
      writeParity(g, e.stripe(), e.memberLba(), data);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** P (and Q) of {@code data} to their members, where they are still writable. */
  private void writeParity(Geometry g, long stripe, long memberLba, byte[][] data)
      throws IOException {
    int p = g.parity(stripe);
    if (writable(p)) {
      writeMember(p, memberLba, p(data));
    }
    if (parities == 2 && writable(g.q(stripe))) {
      writeMember(g.q(stripe), memberLba, q(data));
    }
  }

  @Override
  protected void rebuildRow(int target, long row) throws IOException {
    byte[] rowBuf = new byte[ROW_BLOCKS * BLOCK_SIZE];
    int unitBytes = UNIT_BLOCKS * BLOCK_SIZE;
    for (int u = 0; u < ROW_BLOCKS / UNIT_BLOCKS; u++) {
      long memberLba = row * ROW_BLOCKS + (long) u * UNIT_BLOCKS;
      long stripe = memberLba / UNIT_BLOCKS;
      Geometry g = geometryOf(stripe);
      if (target >= g.members()) {
        continue; // a drive the restripe has not reached yet: nothing of the pool lives here
      }
      // A source drive failing mid-row drops that drive, not the one being rebuilt: retry.
      byte[][] data = retrying(() -> stripeData(g, stripe, memberLba, unitBytes, -1));
      byte[] unit;
      if (target == g.parity(stripe)) {
        unit = p(data);
      } else if (parities == 2 && target == g.q(stripe)) {
        unit = q(data);
      } else {
        unit = data[Math.floorMod(target - g.parity(stripe) - parities, g.members())];
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
      Geometry g = geometryOf(stripe);
      retrying(() -> {
        writeParity(g, stripe, memberLba, stripeData(g, stripe, memberLba, unitBytes, -1));
        return null;
      });
    }
  }

  // The restripe onto more drives (see docs/block-stack.md, "Growing a parity pool").

  /** Stripes in one member row: a batch of the restripe never leaves its row. */
  static final int STRIPES_PER_ROW = ROW_BLOCKS / UNIT_BLOCKS;
  /**
   * Host I/O skips the window lock through it while no restripe is under way; a restripe closes
   * it and waits for the I/O that skipped the lock before it moves a stripe ({@link #drainFastIo}).
   */
  private final InFlightGate restripeGate = new InFlightGate();
  /**
   * Host I/O holds it (shared) while it runs during a restripe; the restripe (exclusive) to move
   * its window.
   */
  private final ReentrantReadWriteLock windowLock = new ReentrantReadWriteLock();
  /** Pool blocks [windowFrom, windowTo) being moved now: host I/O into them waits. */
  private volatile long windowFrom;
  private volatile long windowTo;
  private final Object windowMoved = new Object();
  /** Serializes starting a restripe. */
  private final Object restripeStart = new Object();
  private volatile Thread restriper;
  private volatile boolean stopRestripe;
  /** Why the restripe's last attempt stopped (it is tried again), or null. */
  private volatile String restripeError;
  /** The restripe's attempts that stopped on an error in a row (0 once one goes through). */
  private volatile int restripeFailures;
  /** The pause before a stopped restripe is tried again (tests shorten it). */
  private volatile Backoff restripeRetry = RESTRIPE_RETRY;
  static final Backoff RESTRIPE_RETRY =
      new Backoff(java.time.Duration.ofSeconds(1), java.time.Duration.ofMinutes(5));
  /** The most pool data the restripe moves per second (0: no limit), and its token bucket. */
  private volatile long restripeRate;
  private volatile io.github.bucket4j.Bucket restripeBucket;
  /** Guards {@link #restripeAttempting}; notified when it changes or the restripe is stopped. */
  private final Object restripeAttempt = new Object();
  /** An attempt of the restripe runs now (false while it pauses before a retry). */
  private boolean restripeAttempting;
  private long checkpointSequence;
  /** The actions to run after a restripe; its monitor orders them with the restripe's end. */
  private final List<Runnable> whenRestriped = new ArrayList<>();
  private boolean restripedSinceOpen;

  /**
   * Waits until {@code blocks} from {@code lba} are outside the restripe's window, then returns
   * the shared window lock, held: the window cannot move over the I/O until it is unlocked.
   */
  private Lock outsideRestripeWindow(long lba, long blocks) throws IOException {
    while (true) {
      Lock shared = windowLock.readLock();
      shared.lock();
      if (!inWindow(lba, blocks)) {
        return shared;
      }
      shared.unlock();
      synchronized (windowMoved) {
        while (inWindow(lba, blocks)) {
          try {
            windowMoved.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("pool " + name() + ": waiting for the restripe to"
                + " move blocks " + lba + "+" + blocks);
          }
        }
      }
    }
  }

  private boolean inWindow(long lba, long blocks) {
    return lba < windowTo && windowFrom < lba + blocks;
  }

  /** Sets the window once no host I/O runs in it (none can start in it afterwards). */
  private void setWindow(long from, long to) {
    Lock exclusive = windowLock.writeLock();
    exclusive.lock();
    try {
      windowFrom = from;
      windowTo = to;
    } finally {
      exclusive.unlock();
    }
  }

  private void clearWindow() {
    setWindow(0, 0);
    synchronized (windowMoved) {
      windowMoved.notifyAll();
    }
  }

  /** Whether a restripe is under way (running, or stopped and resumed at the next open). */
  public boolean restriping() {
    return from != to;
  }

  /** The reshape position: stripes laid out over every member so far. */
  public long restripedStripes() {
    return restriping() ? restripedStripes : stripes();
  }

  /** Member rows the restripe has rewritten so far (it ends at {@link #memberRows}). */
  public long restripeProgressRows() {
    return restripedStripes() / STRIPES_PER_ROW;
  }

  /**
   * Why the restripe's last attempt stopped on an error, or null: it is tried again by itself
   * after a pause ({@link #RESTRIPE_RETRY}), and at the next open.
   */
  public String restripeError() {
    return restripeError;
  }

  /** The restripe's attempts that stopped on an error, in a row (0: none, or one went through). */
  public int restripeFailures() {
    return restripeFailures;
  }

  /**
   * The pauses before the retries of a stopped restripe; a pause under way is measured against
   * the new ones from its start (tests stand in for the time passing with it).
   */
  void restripeRetry(Backoff backoff) {
    synchronized (restripeAttempt) {
      restripeRetry = backoff;
      restripeAttempt.notifyAll();
    }
  }

  /**
   * Makes every host I/O take the restripe window lock (true), as all did before the gate: the
   * baseline of {@code ParityPoolLockBench}; false lets it skip the lock again unless a restripe
   * is under way.
   */
  void lockEveryIo(boolean locked) {
    synchronized (restripeStart) {
      if (locked) {
        restripeGate.close();
      } else if (!restriping()) {
        restripeGate.open();
      }
    }
  }

  /** The most pool data the restripe moves per second; 0: no limit (the default). */
  public long restripeRate() {
    return restripeRate;
  }

  /**
   * Sets the most pool data a restripe moves per second (0: no limit), as an operator asks
   * (docs/block-stack.md, "Growing a parity pool"): a running restripe keeps to it from its next
   * batch on; host I/O is never paced by it.
   */
  public void restripeRate(long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("restripe rate must not be negative");
    }
    restripeBucket = bytesPerSecond == 0 ? null : io.github.bucket4j.Bucket.builder()
        .addLimit(limit -> limit.capacity(bytesPerSecond)
            .refillGreedy(bytesPerSecond, java.time.Duration.ofSeconds(1)))
        .build();
    restripeRate = bytesPerSecond;
    synchronized (restripeAttempt) {
      restripeAttempt.notifyAll(); // a pause for the old rate is measured again
    }
  }

  /**
   * After a batch of {@code bytes} of pool data moved: waits as long as the restripe rate asks,
   * or until the pool closes (the pause never holds a lock host I/O needs).
   */
  private void keepToRestripeRate(long bytes) throws InterruptedIOException {
    io.github.bucket4j.Bucket bucket = restripeBucket;
    if (bucket == null) {
      return;
    }
    long until = System.nanoTime() + bucket.consumeIgnoringRateLimits(bytes);
    synchronized (restripeAttempt) {
      for (long left = until - System.nanoTime(); left > 0 && !stopRestripe
          && restripeBucket == bucket; left = until - System.nanoTime()) {
        try {
          TimeUnit.NANOSECONDS.timedWait(restripeAttempt, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("pool " + name() + ": interrupted in the restripe's pause");
        }
      }
    }
  }

  /** The restripe gate's hook, called each time a restripe waits for host I/O (tests). */
  void beforeRestripeWaitsForIo(Runnable hook) {
    restripeGate.beforeWaiting = hook;
  }

  /**
   * Runs {@code action} whenever a restripe finishes and the pool has its new size; at once if
   * one finished since the pool opened (a restripe the open resumed may end before this call).
   */
  public void whenRestriped(Runnable action) {
    boolean finished;
    synchronized (whenRestriped) {
      whenRestriped.add(action);
      finished = restripedSinceOpen && !restriping();
    }
    if (finished) {
      action.run();
    }
  }

  /**
   * Waits until the restripe's attempt running now (or about to) ends: done, stopped by a close,
   * or stopped by an error (then it is tried again after a pause). True if the pool is done
   * restriping at the end.
   */
  public boolean awaitRestripe(long timeout, TimeUnit unit) throws InterruptedException {
    long until = System.nanoTime() + unit.toNanos(timeout);
    synchronized (restripeAttempt) {
      for (long left = unit.toNanos(timeout); restripeAttempting && left > 0;
          left = until - System.nanoTime()) {
        TimeUnit.NANOSECONDS.timedWait(restripeAttempt, left);
      }
      return !restriping();
    }
  }

  /** The size before the last restripe, where the volume metadata's header was. */
  @Override
  public List<Long> formerBlockCounts() {
    long former = formerBlockCount;
    return former > 0 && !restriping() ? List.of(former) : List.of();
  }

  /**
   * Grows the pool onto {@code added} drives while it serves I/O: they join as members at once
   * and a background restripe rewrites every stripe, from the first, over all members; the new
   * capacity ({@link #blockCount}) is there once it is done ({@link #whenRestriped}). Refused
   * while the pool is degraded, rebuilding, copying or restriping, past 16 drives, or for a pool
   * of less than two rows per drive. The restripe resumes at the pool's next open if the engine
   * stops before its end.
   */
  public void restripe(List<BlockDevice> added) throws IOException {
    synchronized (restripeStart) {
      if (added.isEmpty()) {
        throw new IllegalArgumentException("pool " + name() + ": no drive to grow onto");
      }
      if (restriping()) {
        throw new IllegalStateException("pool " + name() + " is restriping already; it grows"
            + " again once that is done");
      }
      int n = memberCount();
      int m = n + added.size();
      if (m > MAX_MEMBERS) {
        throw new IllegalArgumentException("pool " + name() + " would have " + m + " drives; a "
            + protection().label() + " pool has at most " + MAX_MEMBERS);
      }
      if (stripes() < 2L * STRIPES_PER_ROW) {
        throw new IllegalArgumentException("pool " + name() + " is too small to restripe (two"
            + " MiB per drive at least)");
      }
      checkJoining(added);
      clearBackupArea(added);
      // durable on every drive before any label says the pool has m members (see loadRestripe)
      writeCheckpoint(new RestripeCheckpoint(name(), n, m, 0, false, ++checkpointSequence),
          added);
      restripeGate.close(); // I/O from now on takes the window lock; the restripe drains the rest
      restripedStripes = 0;
      to = new Geometry(m, parities);
      try {
        addMembers(added);
      } catch (IOException | RuntimeException e) {
        to = from;
        restripeGate.open();
        throw e;
      }
      startRestriper();
    }
  }

  /**
   * At open, after the labels: a checkpoint of a restripe onto this many members that is not
   * done sets the layouts and the reshape position. One of another width that moved stripes
   * refuses the open (its drives are not all listed).
   */
  private void loadRestripe() throws IOException {
    if (createdNow()) {
      return;
    }
    int m = memberCount();
    RestripeCheckpoint c = RestripeCheckpoint.read(this);
    if (c == null) {
      return;
    }
    checkpointSequence = c.sequence();
    if (c.newMembers() == m && c.oldMembers() < m) {
      Geometry former = new Geometry(c.oldMembers(), parities);
      formerBlockCount = capacity(former);
      if (!c.done()) {
        from = former;
        restripedStripes = c.nextStripe();
        blockCount = capacity(former);
      }
    } else if (!c.done() && c.nextStripe() > 0) {
      throw new IOException("pool " + name() + " is being restriped from " + c.oldMembers()
          + " onto " + c.newMembers() + " drives, and was opened with " + m + "; it opens only"
          + " with all " + c.newMembers());
    }
  }

  /**
   * A grow stopped before every label said so: the restripe checkpoint, written before any
   * label, is on the drives unless the stop came first; then nothing moved and it starts now.
   */
  @Override
  protected void grownBeforeLabelled(int formerCount) throws IOException {
    RestripeCheckpoint c = RestripeCheckpoint.read(this);
    if (c != null && c.newMembers() == memberCount()) {
      return;
    }
    checkpointSequence = c != null ? c.sequence() : 0;
    List<BlockDevice> joining = new ArrayList<>();
    for (int m = formerCount; m < memberCount(); m++) {
      joining.add(member(m));
    }
    clearBackupArea(joining);
    writeCheckpoint(new RestripeCheckpoint(name(), formerCount, memberCount(), 0, false,
        ++checkpointSequence), List.of());
  }

  @Override
  protected boolean grewFrom(int memberCount) {
    return memberCount >= (parities == 2 ? 4 : 3) && memberCount < memberCount();
  }

  /** At open: finishes a batch whose backup says it was being written, then goes on. */
  private void resumeRestripe() throws IOException {
    if (!restriping()) {
      return;
    }
    redoBackedUpBatch("the engine stopped while it was being moved");
    startRestriper();
  }

  /**
   * Where the checkpoint's position is one of the first (backed-up) stripes and a whole backup
   * of it is on a new drive, the stripe's writes may have begun: it is written from the backup.
   */
  private void redoBackedUpBatch(String why) throws IOException {
    long a = restripedStripes;
    RestripeBackup backup = needsBackup(a) ? readBackup(a) : null;
    if (backup != null) {
      LOG.info("pool " + name() + ": rewriting stripe " + a + " from the restripe's backup ("
          + why + ")");
      writeBatch(a, a + 1, backup.data());
    }
  }

  private void startRestriper() {
    stopRestripe = false;
    restripeFailures = 0;
    restripeError = null;
    Thread t = new Thread(this::restripeUntilDone, "restripe-" + name());
    t.setDaemon(true);
    synchronized (restripeAttempt) {
      restriper = t;
      attempting(true); // before the thread runs: an awaitRestripe from now on waits for it
    }
    t.start();
  }

  /**
   * The restriper thread: attempts the restripe until it is done or the pool closes. An attempt
   * that stops on an error is recorded ({@link #restripeError}, {@link #restripeFailures}) and
   * tried again after a pause that grows with the failures in a row, from the checkpoint's
   * position, as an open would resume it: the pool serves I/O meanwhile (the old layout above the
   * position, the new one below).
   */
  private void restripeUntilDone() {
    try {
      while (!stopRestripe) {
        try {
          if (restripeFailures > 0) {
            prepareRetry();
          }
          restripeAll();
          return;
        } catch (IOException | RuntimeException e) {
          int failures = ++restripeFailures;
          restripeError = e.getMessage() == null ? e.toString() : e.getMessage();
          LOG.log(java.util.logging.Level.SEVERE, "pool " + name() + ": the restripe stopped at"
              + " stripe " + restripedStripes + " (failure " + failures + " in a row); tried"
              + " again in " + restripeRetry.pause(failures).toMillis() + " ms", e);
          attempting(false);
          if (!pauseBeforeRetry(failures)) {
            return;
          }
          attempting(true);
        }
      }
    } finally {
      synchronized (restripeAttempt) {
        // a restripe started once this one finished (a reload) has its own thread by now
        if (restriper == Thread.currentThread()) {
          restriper = null;
          restripeAttempting = false;
          restripeAttempt.notifyAll();
        }
      }
    }
  }

  private void attempting(boolean running) {
    synchronized (restripeAttempt) {
      restripeAttempting = running;
      restripeAttempt.notifyAll();
    }
  }

  /** Waits the pause after {@code failures} failures unless the pool closes first; false if it did. */
  private boolean pauseBeforeRetry(int failures) {
    long started = System.nanoTime();
    synchronized (restripeAttempt) {
      while (!stopRestripe) {
        long left = started + restripeRetry.pause(failures).toNanos() - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(restripeAttempt, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return !stopRestripe;
  }

  /**
   * Before a retry: a drive this restripe added that failed is put back in its slot and rebuilt
   * from the others (it holds nothing but the new stripes below the position, which the rebuild
   * writes again; a drive that fails again is dropped again and the retry stops once more), and
   * a backed-up stripe whose writes may have begun is redone from its backup.
   */
  private void prepareRetry() throws IOException {
    for (int m = from.members(); m < to.members(); m++) {
      if (state(m) == MemberState.FAILED) {
        LOG.info("pool " + name() + ": putting back drive " + m + ", which the restripe added"
            + " and which failed, before the restripe is tried again");
        replace(m, member(m));
      }
    }
    try {
      while (!stopRestripe && !awaitRebuild(1, TimeUnit.SECONDS)) {
        // the batches wait for the rebuild: a drive rebuilding takes no backup reads
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("pool " + name() + ": interrupted before a retry");
    }
    redoBackedUpBatch("an earlier attempt stopped while it was being moved");
  }

  /** One attempt: moves batch after batch until done (or the pool closes); throws on an error. */
  private void restripeAll() throws IOException {
    long started = System.nanoTime();
    drainFastIo();
    long total = stripes();
    while (!stopRestripe && restripedStripes < total) {
      long a = restripedStripes;
      boolean backup = needsBackup(a);
      long b = backup ? a + 1 : batchEnd(a, total, from.dataUnits(), to.dataUnits());
      moveBatch(a, b, backup);
      keepToRestripeRate((b - a) * to.perStripe() * BLOCK_SIZE);
    }
    if (!stopRestripe) {
      finishRestripe(total);
      restripeError = null;
      restripeFailures = 0;
      LOG.info(String.format("pool %s restriped onto %d drives (%d MiB per drive in %d ms)",
          name(), memberCount(), memberRows(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
    }
  }

  /**
   * Before the restripe moves a stripe: the gate is closed (by {@link #restripe}, or since the
   * open), and every host I/O that entered it before, which runs in the old layout without the
   * window lock, has left. Those that come later take the lock and respect the window.
   */
  private void drainFastIo() throws IOException {
    restripeGate.drain();
  }

  /**
   * Whether rewriting stripe {@code a} overwrites pool data not yet elsewhere: the old stripe
   * at that place holds pool blocks up to (a + 1) · old width, the new stripes below it hold
   * up to a · new width. True for the first few stripes only (a < old / (new - old) data units).
   */
  private boolean needsBackup(long a) {
    return needsBackup(a, from.dataUnits(), to.dataUnits());
  }

  static boolean needsBackup(long a, int oldUnits, int newUnits) {
    return (a + 1) * oldUnits > a * newUnits;
  }

  /**
   * The end of a batch from stripe {@code a} that needs no backup: within a's row, and no
   * further than the old stripes whose blocks are all below the new stripe a (old stripes
   * below b·new/old ... are copied; see needsBackup).
   */
  static long batchEnd(long a, long total, int oldUnits, int newUnits) {
    long rowEnd = (a / STRIPES_PER_ROW + 1) * STRIPES_PER_ROW;
    return Math.min(Math.min(rowEnd, total), a * newUnits / oldUnits);
  }

  /**
   * Moves the pool blocks of new stripes [a, b): host I/O into them waits; they are read from
   * the old layout (which keeps them in old stripes at or above b, untouched so far), backed up
   * first if the rows they go to still hold data of theirs, written over every member in the
   * new layout, flushed, and only then the reshape position moves past them, durably.
   */
  private void moveBatch(long a, long b, boolean backup) throws IOException {
    long lo = a * to.perStripe();
    long hi = b * to.perStripe();
    long oldEnd = capacity(from);
    setWindow(lo, hi);
    try {
      byte[] data = new byte[Math.toIntExact((hi - lo) * BLOCK_SIZE)];
      long readEnd = Math.min(hi, oldEnd); // past the old end: new capacity, zeros
      if (readEnd > lo) {
        readIn(from, lo, ByteBuffer.wrap(data, 0, Math.toIntExact((readEnd - lo) * BLOCK_SIZE)));
      }
      if (backup) {
        writeBackup(a, data);
      }
      writeBatch(a, b, data);
    } finally {
      clearWindow();
    }
  }

  /** Writes new stripes [a, b) of {@code data}, flushes, moves the position to b (durably). */
  private void writeBatch(long a, long b, byte[] data) throws IOException {
    long row = a / STRIPES_PER_ROW;
    Lock lock = rowLock(row).writeLock();
    lock.lock();
    try {
      beginWrite(row); // a member away meanwhile is resynced here when it returns
      try {
        writeStripes(to, a, b, data);
        flushMembers();
      } finally {
        endWrite(row);
      }
      writeCheckpoint(new RestripeCheckpoint(name(), from.members(), to.members(), b, false,
          ++checkpointSequence), List.of());
      restripedStripes = b;
    } finally {
      lock.unlock();
    }
  }

  /** Stripes [a, b) of {@code g} from the pool blocks in {@code data}, one write per member. */
  private void writeStripes(Geometry g, long a, long b, byte[] data) throws IOException {
    int unitBytes = UNIT_BLOCKS * BLOCK_SIZE;
    int count = Math.toIntExact(b - a);
    byte[][] rows = new byte[g.members()][count * unitBytes];
    for (int k = 0; k < count; k++) {
      long stripe = a + k;
      byte[][] units = new byte[g.dataUnits()][];
      for (int i = 0; i < units.length; i++) {
        int at = (k * units.length + i) * unitBytes;
        units[i] = java.util.Arrays.copyOfRange(data, at, at + unitBytes);
        System.arraycopy(units[i], 0, rows[g.data(stripe, i)], k * unitBytes, unitBytes);
      }
      System.arraycopy(p(units), 0, rows[g.parity(stripe)], k * unitBytes, unitBytes);
      if (parities == 2) {
        System.arraycopy(q(units), 0, rows[g.q(stripe)], k * unitBytes, unitBytes);
      }
    }
    for (int m = 0; m < g.members(); m++) {
      if (!writable(m)) {
        continue;
      }
      try {
        member(m).write(DATA_OFFSET_BLOCKS + a * UNIT_BLOCKS, ByteBuffer.wrap(rows[m]), false);
      } catch (IOException e) {
        fail(m, e);
      }
    }
  }

  private void flushMembers() throws IOException {
    for (int m = 0; m < memberCount(); m++) {
      if (!writable(m)) {
        continue;
      }
      try {
        member(m).flush();
      } catch (IOException e) {
        fail(m, e);
      }
    }
  }

  /** Writes {@code c}, forced, to every writable member and to {@code joining} drives. */
  private void writeCheckpoint(RestripeCheckpoint c, List<BlockDevice> joining)
      throws IOException {
    int written = 0;
    for (int m = 0; m < memberCount(); m++) {
      if (!writable(m)) {
        continue;
      }
      try {
        member(m).write(RestripeCheckpoint.BLOCK, c.encode(), true);
        written++;
      } catch (IOException e) {
        fail(m, e);
      }
    }
    for (BlockDevice d : joining) {
      d.write(RestripeCheckpoint.BLOCK, c.encode(), true);
    }
    if (written == 0) {
      throw new IOException("pool " + name() + ": no member took the restripe checkpoint");
    }
  }

  /** The backup's place on each drive the restripe adds: the last row, reached last. */
  private long backupLba() {
    return DATA_OFFSET_BLOCKS + memberDataBlocks() - ROW_BLOCKS;
  }

  /**
   * Zeroes, forced, where the backups will be on drives that join, before the checkpoint: a
   * backup found at open is then this restripe's, never one a drive kept from a former life.
   */
  private void clearBackupArea(List<BlockDevice> joining) throws IOException {
    for (BlockDevice d : joining) {
      d.write(backupLba(), ByteBuffer.allocate(ROW_BLOCKS * BLOCK_SIZE), true);
    }
  }

  /** The pool blocks of new stripe {@code a}, forced onto every new drive (the old hold them). */
  private void writeBackup(long a, byte[] data) throws IOException {
    ByteBuffer image = new RestripeBackup(from.members(), to.members(), a, data).encode();
    int written = 0;
    for (int m = from.members(); m < to.members(); m++) {
      if (!writable(m)) {
        continue;
      }
      try {
        member(m).write(backupLba(), image.duplicate(), true);
        written++;
      } catch (IOException e) {
        fail(m, e);
      }
    }
    if (written == 0) {
      throw new IOException("pool " + name() + ": no new drive took the restripe's backup of"
          + " stripe " + a);
    }
  }

  /** A whole backup of new stripe {@code a} of this restripe on a new drive, or null. */
  private RestripeBackup readBackup(long a) {
    int bytes = Math.toIntExact(to.perStripe() * BLOCK_SIZE);
    for (int m = from.members(); m < to.members(); m++) {
      if (!readable(m)) {
        continue;
      }
      ByteBuffer image = ByteBuffer.allocate(BLOCK_SIZE + bytes);
      try {
        member(m).read(backupLba(), image);
      } catch (IOException e) {
        continue; // another new drive's copy will do
      }
      RestripeBackup backup = RestripeBackup.decode(image.clear());
      if (backup != null && backup.oldMembers() == from.members()
          && backup.newMembers() == to.members() && backup.stripe() == a
          && backup.data().length == bytes) {
        return backup;
      }
    }
    return null;
  }

  /** The last batch is written: the pool is one layout again, of its new size. */
  private void finishRestripe(long total) throws IOException {
    writeCheckpoint(new RestripeCheckpoint(name(), from.members(), to.members(), total, true,
        ++checkpointSequence), List.of());
    List<Runnable> actions;
    synchronized (whenRestriped) {
      formerBlockCount = capacity(from);
      from = to;
      blockCount = capacity(to);
      restripedSinceOpen = true;
      actions = List.copyOf(whenRestriped);
    }
    restripeGate.open(); // one layout again: host I/O may skip the window lock
    for (Runnable action : actions) {
      try {
        action.run();
      } catch (RuntimeException e) {
        LOG.log(java.util.logging.Level.WARNING, "pool " + name() + ": after its restripe", e);
      }
    }
  }

  /** Stops the restripe after its batch (it resumes at the next open), then closes. */
  @Override
  public void close() throws IOException {
    stopRestripe = true;
    synchronized (restripeAttempt) {
      restripeAttempt.notifyAll(); // ends a pause before a retry
    }
    Thread t = restriper;
    if (t != null) {
      try {
        t.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    super.close();
  }
}
