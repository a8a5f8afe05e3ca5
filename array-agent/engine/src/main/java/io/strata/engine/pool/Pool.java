package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A pool: one {@link BlockDevice} made from a set of drives with a {@link Protection} level.
 *
 * <p>Every member keeps a {@link Superblock} in its first megabyte; the pool's data starts at
 * {@link #DATA_OFFSET_BLOCKS} on each member. A member that fails an I/O is dropped (its label
 * rewritten on the others before the I/O that noticed is answered), reads continue from the
 * redundancy, and {@link #replace} puts a new drive in its place and rebuilds it in the
 * background, one {@link #ROW_BLOCKS}-block row at a time, while I/O continues: a row being
 * rebuilt is locked against writes (and a write against its rebuild) so that a rebuild never
 * copies data older than a write that raced it.
 */
public abstract class Pool implements BlockDevice {
  private static final Logger LOG = Logger.getLogger(Pool.class.getName());
  public static final int BLOCK_SIZE = 512;
  /** The first MiB of every member holds the label. */
  public static final long DATA_OFFSET_BLOCKS = 2048;
  /** Rebuild and locking granularity on each member: 1 MiB. */
  public static final int ROW_BLOCKS = 2048;
  private static final int ROW_LOCKS = 256;

  private final String name;
  private final Protection protection;
  /** Replaced (never shrunk) when the pool grows ({@link #addMembers}); read without the monitor. */
  private volatile BlockDevice[] members;
  private MemberState[] states;
  private final ReentrantReadWriteLock[] rowLocks = new ReentrantReadWriteLock[ROW_LOCKS];
  private long generation;
  private long inSyncMask;
  /** See {@link Superblock#bitmapCoversSince}; NEVER until a write-intent bitmap is kept. */
  private long bitmapCoversSince = Superblock.NEVER;
  /** Who decides whether a failed member may be dropped; set before assembly. */
  private MemberDropGate gate = MemberDropGate.AT_ONCE;
  /** Members that failed and await a drop (not read, not written; the pool's writes held). */
  private boolean[] suspended;
  /** Why each suspended member failed. */
  private IOException[] suspendedCause;
  private volatile int suspendedCount;
  /** Per member: whether its pending rebuild may copy only the bitmap's regions. */
  private boolean[] bitmapRebuild;
  /** Rows the rebuilds of this pool copied (a figure for logs and tests). */
  private volatile long rowsRebuilt;
  private volatile Thread rebuilder;
  private volatile long rebuildProgressRows;
  private volatile boolean closed;
  /** Whether this open labelled the members: the pool was made now (see {@link #createdNow}). */
  private boolean createdNow;
  /** Set by {@link #openWriteIntent} (redundant pools); null otherwise. */
  private WriteIntentBitmap intent;
  private Thread cleaner;
  private final CountDownLatch stopCleaner = new CountDownLatch(1);
  /** A dirty region's bit is cleared after this long without writes (md's default too). */
  static final long CLEAR_AFTER_IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);

  protected Pool(String name, Protection protection, List<BlockDevice> members) {
    this.name = name;
    this.protection = protection;
    this.members = members.toArray(new BlockDevice[0]);
    this.states = new MemberState[members.size()];
    this.suspended = new boolean[members.size()];
    this.suspendedCause = new IOException[members.size()];
    this.bitmapRebuild = new boolean[members.size()];
    for (int i = 0; i < ROW_LOCKS; i++) {
      rowLocks[i] = new ReentrantReadWriteLock();
    }
  }

  /**
   * Reads or writes the labels: a pool whose present members carry no label is new and gets
   * labelled; otherwise the newest label decides which members are in sync and the others
   * (stale or blank drives put in place of a lost one) are rebuilt in the background.
   */
  protected final void assemble() throws IOException {
    Superblock newest = null;
    Superblock[] labels = new Superblock[members.length];
    for (int i = 0; i < members.length; i++) {
      if (members[i] == null) {
        continue;
      }
      Superblock label = Superblock.readFrom(members[i]);
      if (label != null && (!label.poolName().equals(name) || label.memberIndex() != i
          || label.memberCount() != members.length && !grewFrom(label.memberCount())
          || label.protection() != protection)) {
        throw new IOException("drive " + i + " of pool " + name + " belongs to pool '"
            + label.poolName() + "' as member " + label.memberIndex() + " of "
            + label.memberCount() + " (" + label.protection() + "); refusing to overwrite it");
      }
      if (label == null) {
        refuseServiceDrive(i, members[i]);
      }
      labels[i] = label;
      if (label != null && (newest == null || label.generation() > newest.generation())) {
        newest = label;
      }
    }
    if (newest == null) {
      for (int i = 0; i < members.length; i++) {
        if (members[i] == null) {
          throw new IOException("new pool " + name + " is missing drive " + i);
        }
        states[i] = MemberState.ONLINE;
      }
      generation = 1;
      inSyncMask = (1L << members.length) - 1;
      writeLabels();
      createdNow = true;
      return;
    }
    generation = newest.generation();
    inSyncMask = newest.inSyncMask();
    bitmapCoversSince = newest.bitmapCoversSince();
    int grownFrom = newest.memberCount();
    for (int i = 0; i < members.length; i++) {
      if (i >= grownFrom) {
        joinGrown(i, labels[i]); // a grow the engine stopped in before every label said so
      } else if (members[i] == null) {
        states[i] = MemberState.FAILED;
        inSyncMask &= ~(1L << i);
      } else if (newest.inSync(i) && labels[i] != null && !gate.outdated(i)) {
        states[i] = MemberState.ONLINE;
      } else {
        // Stale, blank, or outdated by the control plane (whose word beats a label we can see:
        // the label that dropped it may be on a drive we cannot reach). Never read until synced.
        states[i] = MemberState.REBUILDING;
        inSyncMask &= ~(1L << i);
        bitmapRebuild[i] = bitmapVouchesFor(labels[i]);
        pendingRebuild = true;
      }
    }
    if (grownFrom < members.length) {
      grownBeforeLabelled(grownFrom);
    }
    int online = count(MemberState.ONLINE);
    if (!holdsEveryBlock(false)) {
      throw new IOException("pool " + name + " has only " + online + " of " + members.length
          + " drives in sync; " + protection + " needs " + (members.length - redundancy()));
    }
    if (inSyncMask != newest.inSyncMask()) {
      generation++;
      writeLabels();
    }
  }

  /** Set by {@link #assemble} when a member needs a rebuild; started once the bitmap is read. */
  private boolean pendingRebuild;

  /**
   * Starts the rebuild {@link #assemble} found necessary: after {@link #openWriteIntent} for a
   * pool with a bitmap (a member the bitmap vouches for is resynced in its regions only).
   */
  protected final void startPendingRebuild() {
    if (pendingRebuild) {
      pendingRebuild = false;
      startRebuild();
    }
  }

  /**
   * Whether the write-intent bitmap vouches for a member carrying {@code label}: it is this
   * pool's label (checked by the caller) and the member left at a generation (its events count)
   * since which every write has kept its region's bit set.
   */
  private boolean bitmapVouchesFor(Superblock label) {
    return label != null && label.generation() >= bitmapCoversSince;
  }

  /**
   * A drive with no pool label may be labelled (new pool) or rebuilt (replacement), unless it
   * is another pool's flash cache or SSD tier: labelling it would destroy that pool's cached
   * (possibly dirty) lines or tier map, and that pool could not open again.
   */
  private void refuseServiceDrive(int index, BlockDevice member) throws IOException {
    DriveLabel found = DriveLabel.of(member);
    if (!found.admitsMemberOf(name)) {
      throw new IOException("drive " + index + " of pool " + name + " is " + found.describe()
          + "; refusing to overwrite it");
    }
  }

  /**
   * After {@link #assemble}: reads the members' write-intent bitmap, makes the members agree
   * again in every region that was being written when the pool last stopped (a crash between
   * the members' writes leaves one mirror copy, or a stripe's parity, behind the others), and
   * keeps the bitmap from then on. Returns when the pool may serve I/O.
   */
  protected final void openWriteIntent() throws IOException {
    intent = new WriteIntentBitmap(this, memberDataBlocks() / ROW_BLOCKS);
    List<Long> dirty = intent.load();
    recoverBeforeResync();
    if (!dirty.isEmpty()) {
      resync(dirty);
    }
    Thread t = new Thread(this::clearIdleRegions, "write-intent-" + name);
    t.setDaemon(true);
    cleaner = t;
    t.start();
    synchronized (this) {
      if (allInSync()) {
        writeLabels(); // from now on the bitmap vouches for members in sync at this generation
      }
    }
    startPendingRebuild();
  }

  /** Every member ONLINE and none awaiting a drop; under the monitor. */
  private boolean allInSync() {
    return count(MemberState.ONLINE) == members.length && suspendedCount == 0;
  }

  private void resync(List<Long> dirtyRegions) throws IOException {
    long rows = memberDataBlocks() / ROW_BLOCKS;
    if (!canResync()) {
      LOG.severe("pool " + name + " stopped uncleanly with writes in flight and is degraded: "
          + dirtyRegions.size() + " region(s) of " + intent.rowsPerBit() + " MiB per drive"
          + " cannot be resynced; a lost drive's blocks there may reconstruct wrongly");
    } else {
      long started = System.nanoTime();
      long done = 0;
      for (long first : dirtyRegions) {
        for (long row = first; row < Math.min(rows, first + intent.rowsPerBit()); row++) {
          ReentrantReadWriteLock.WriteLock lock = rowLock(row).writeLock();
          lock.lock();
          try {
            resyncRow(row);
          } finally {
            lock.unlock();
          }
          done++;
        }
      }
      LOG.info(String.format("pool %s stopped uncleanly: %d MiB row(s) written at the time"
          + " resynced in %d ms", name, done,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
    }
    intent.clearIdle(0);
  }

  /**
   * After the write-intent bitmap is read and before its dirty regions are resynced: a pool
   * with a journal of its own replays it here (a degraded parity pool: {@link StripeJournal}).
   */
  protected void recoverBeforeResync() throws IOException {}

  /** The label generation now (a stripe journal record carries it). */
  final synchronized long generation() {
    return generation;
  }

  /**
   * The generation since which every member was last in sync, as the labels said when the pool
   * opened (0 when they never were while a bitmap was kept): journal records older than it
   * belong to a degraded spell that is over.
   */
  final synchronized long inSyncSince() {
    return bitmapCoversSince == Superblock.NEVER ? 0 : bitmapCoversSince;
  }

  /** Whether {@link #resyncRow} can make the members agree with the members now in sync. */
  protected abstract boolean canResync();

  /** Makes the members agree on row {@code row} after a crash; under the row's lock. */
  protected abstract void resyncRow(long row) throws IOException;

  /** Before a write to member row {@code row}: marks its region dirty (durably) if needed. */
  protected final void beginWrite(long row) throws IOException {
    if (intent != null) {
      intent.begin(row);
    }
  }

  /** After the write to {@code row}, done or failed. */
  protected final void endWrite(long row) {
    if (intent != null) {
      intent.end(row);
    }
  }

  private void clearIdleRegions() {
    // Never interrupted (an interrupt during file I/O would close the drive's channel).
    while (true) {
      try {
        if (stopCleaner.await(CLEAR_AFTER_IDLE_NANOS / 5, TimeUnit.NANOSECONDS)) {
          return;
        }
        intent.clearIdle(CLEAR_AFTER_IDLE_NANOS);
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "pool " + name + ": clearing write-intent bits", e);
      }
    }
  }

  /** Clears every idle region's bit now, as the cleaner does after 5 s (tests). */
  final void clearIdleRegionsNow() throws IOException {
    intent.clearIdle(0);
  }

  /** How many members may be lost without losing data. */
  protected abstract int redundancy();

  /** Rebuilds the row {@code row} of member {@code target} from the others; under the row lock. */
  protected abstract void rebuildRow(int target, long row) throws IOException;

  /** Data blocks each member contributes (after the label area). */
  protected final long memberDataBlocks() {
    long min = Long.MAX_VALUE;
    for (BlockDevice m : members) {
      if (m != null) {
        min = Math.min(min, m.blockCount());
      }
    }
    return (min - DATA_OFFSET_BLOCKS) / ROW_BLOCKS * ROW_BLOCKS;
  }

  /**
   * Whether this open made the pool (its members carried no label): what its blocks held before
   * belongs to no volume of it, so its volume metadata starts empty.
   */
  public final boolean createdNow() {
    return createdNow;
  }

  public final String name() {
    return name;
  }

  public final Protection protection() {
    return protection;
  }

  public final int memberCount() {
    return members.length;
  }

  public final synchronized MemberState state(int member) {
    return states[member];
  }

  public final synchronized List<MemberState> states() {
    return List.of(states.clone());
  }

  /** Whether any member is missing, failed or not yet rebuilt. */
  public final synchronized boolean degraded() {
    return !allInSync();
  }

  private int count(MemberState s) {
    int n = 0;
    for (MemberState m : states) {
      if (m == s) {
        n++;
      }
    }
    return n;
  }

  @Override
  public final int blockSize() {
    return BLOCK_SIZE;
  }

  protected final BlockDevice member(int i) {
    return members[i];
  }

  /** Block {@code block} of the label area of every readable member (one that fails is left out). */
  final List<ByteBuffer> labelBlocks(long block) {
    List<ByteBuffer> out = new ArrayList<>();
    for (int m = 0; m < memberCount(); m++) {
      if (!readable(m)) {
        continue;
      }
      ByteBuffer b = ByteBuffer.allocate(BLOCK_SIZE);
      try {
        member(m).read(block, b);
      } catch (IOException e) {
        continue; // another member's copy will do
      }
      out.add(b);
    }
    return out;
  }

  /** Whether member {@code i} serves reads. */
  protected final synchronized boolean readable(int i) {
    return states[i] == MemberState.ONLINE && !suspended[i];
  }

  /** Whether member {@code i} takes writes (in sync or being rebuilt). */
  protected final synchronized boolean writable(int i) {
    return states[i] != MemberState.FAILED && !suspended[i];
  }

  /**
   * A member's I/O failed. Where the gate allows it (no HA, consent given, an outdated member),
   * the member is dropped at once ({@link #drop}). Otherwise it is suspended: no longer read or
   * written, listed as awaiting a drop, and every write of the pool waits in {@link
   * #holdWritesAwaitingDrop} before it is acknowledged. Throws when too few members are left.
   */
  protected final synchronized void fail(int i, IOException cause) throws IOException {
    if (states[i] == MemberState.FAILED || suspended[i]) {
      return;
    }
    if (gate.verdict(i) == MemberDropGate.Verdict.DROP) {
      drop(i, cause);
      return;
    }
    suspend(i, "failed", cause);
    if (!holdsEveryBlock(true)) {
      throw new IOException("pool " + name + " lost more drives than " + protection
          + " survives", cause);
    }
  }

  /** Member {@code i} awaits consent to be dropped: not read or written; writes held. */
  private void suspend(int i, String what, IOException cause) {
    LOG.log(Level.WARNING, "pool " + name + ": drive " + i + " " + what + "; the pool's writes"
        + " are held until the drop is consented (HA)", cause);
    suspended[i] = true;
    suspendedCause[i] = cause;
    suspendedCount++;
    gate.awaiting(awaitingDropSet());
  }

  /** The members awaiting a drop now. */
  public final synchronized java.util.SortedSet<Integer> awaitingDrop() {
    return java.util.Collections.unmodifiableSortedSet(awaitingDropSet());
  }

  private java.util.TreeSet<Integer> awaitingDropSet() {
    java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
    for (int i = 0; i < members.length; i++) {
      if (suspended[i]) {
        out.add(i);
      }
    }
    return out;
  }

  /**
   * Asks the gate again about every member awaiting a drop (after a reload): a consented one is
   * dropped now, and the writes waiting for it go on; if the engine may no longer drop (demoted),
   * they fail. Returns whether any member was dropped.
   */
  public final synchronized boolean reconsiderDrops() {
    boolean dropped = false;
    for (int i = 0; i < members.length; i++) {
      if (suspended[i] && gate.verdict(i) == MemberDropGate.Verdict.DROP) {
        try {
          unsuspendAndDrop(i);
        } catch (IOException e) {
          LOG.log(Level.SEVERE, "pool " + name + ": dropping drive " + i, e);
        }
        dropped = true;
      }
    }
    notifyAll();
    return dropped;
  }

  private void unsuspendAndDrop(int i) throws IOException {
    suspended[i] = false;
    suspendedCount--;
    IOException cause = suspendedCause[i];
    suspendedCause[i] = null;
    gate.awaiting(awaitingDropSet());
    drop(i, cause);
  }

  /**
   * Before a write (or flush) of this pool is acknowledged: waits while a member awaits a drop.
   * Returns once every such member has been dropped with consent; throws when the engine may no
   * longer drop (demoted) or the pool closes, so that the write is never acknowledged.
   */
  protected final void holdWritesAwaitingDrop() throws IOException {
    if (suspendedCount == 0) {
      return;
    }
    synchronized (this) {
      while (suspendedCount > 0) {
        for (int i = 0; i < members.length; i++) {
          if (!suspended[i]) {
            continue;
          }
          MemberDropGate.Verdict verdict = gate.verdict(i);
          if (verdict == MemberDropGate.Verdict.DROP) {
            unsuspendAndDrop(i);
          } else if (verdict == MemberDropGate.Verdict.REFUSE) {
            throw new IOException("pool " + name + ": drive " + i + " failed and this engine may"
                + " not drop it (it is no longer the active one): the write is not acknowledged",
                suspendedCause[i]);
          }
        }
        if (suspendedCount == 0) {
          return;
        }
        if (closed) {
          throw new IOException("pool " + name + " closed while a write waited for consent to"
              + " drop a drive: the write is not acknowledged");
        }
        try {
          wait(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("pool " + name + ": interrupted while a"
              + " write waited for consent to drop a drive");
        }
      }
    }
  }

  /** Drops member {@code i}: FAILED, recorded durably on the others. Under the monitor. */
  private void drop(int i, IOException cause) throws IOException {
    if (states[i] == MemberState.FAILED) {
      return;
    }
    LOG.log(Level.SEVERE, "pool " + name + ": drive " + i + " failed; continuing degraded", cause);
    states[i] = MemberState.FAILED;
    inSyncMask &= ~(1L << i);
    generation++;
    writeLabels();
    if (!holdsEveryBlock(false)) {
      throw new IOException("pool " + name + " lost more drives than " + protection
          + " survives", cause);
    }
  }

  /**
   * Whether the members in sync (and, with {@code withoutSuspended}, not awaiting a drop) still
   * hold every block of the pool; under the monitor. A pool whose members each hold a part of
   * the data with their own copies (mirror pairs) says so per part ({@link
   * #holdsEveryBlock(boolean[])}).
   */
  private boolean holdsEveryBlock(boolean withoutSuspended) {
    boolean[] usable = new boolean[members.length];
    for (int i = 0; i < members.length; i++) {
      usable[i] = states[i] == MemberState.ONLINE && !(withoutSuspended && suspended[i]);
    }
    return holdsEveryBlock(usable);
  }

  /** Whether the {@code usable} members hold every block; by default at most {@link #redundancy} lost. */
  protected boolean holdsEveryBlock(boolean[] usable) {
    int n = 0;
    for (boolean u : usable) {
      n += u ? 1 : 0;
    }
    return n >= usable.length - redundancy();
  }

  /**
   * Whether a label saying the pool had {@code memberCount} members belongs to this pool grown
   * since ({@link #addMembers}); only pools that grow say yes.
   */
  protected boolean grewFrom(int memberCount) {
    return false;
  }

  /**
   * At open, before the labels are rewritten to say so: the newest label said the pool had
   * {@code formerCount} members and it has more (a grow the engine stopped in). A pool that
   * must record something durably before that (a parity pool's restripe) does it here.
   */
  protected void grownBeforeLabelled(int formerCount) throws IOException {}

  /**
   * At open, member {@code i} is past the member count of the newest label: the engine stopped
   * during {@link #addMembers} after some new members were labelled and before the old ones were.
   * No volume used the new members yet (the pool's new capacity is used only once every label
   * says so), so they join as they are; a missing one fails the open.
   */
  private void joinGrown(int i, Superblock label) throws IOException {
    if (members[i] == null) {
      throw new IOException("pool " + name + " was growing and is missing its new drive " + i);
    }
    if (label == null) {
      refuseServiceDrive(i, members[i]);
    }
    states[i] = MemberState.ONLINE;
    inSyncMask |= 1L << i;
    LOG.info("pool " + name + ": new member " + i + " joins (a grow that an engine stop interrupted)");
  }

  /**
   * Adds {@code added} as members {@code memberCount()..}: labelled (the new ones first, so that
   * a stop half way leaves labels {@link #assemble} completes the grow from) and in sync at once,
   * since nothing of the pool lives on them yet. The subclass makes their capacity part of the
   * pool afterwards. Refused while the pool is degraded, rebuilding or copying a member, or when
   * a new drive is smaller than the members or carries a pool, cache or tier label.
   */
  protected final synchronized void addMembers(List<BlockDevice> added) throws IOException {
    checkJoining(added);
    int n = members.length;
    int m = n + added.size();
    BlockDevice[] grown = java.util.Arrays.copyOf(members, m);
    extendArrays(m);
    generation++;
    for (int i = n; i < m; i++) {
      grown[i] = added.get(i - n);
      states[i] = MemberState.ONLINE;
      inSyncMask |= 1L << i;
      new Superblock(name, protection, m, i, generation, inSyncMask, bitmapCoversSince)
          .writeTo(grown[i]);
    }
    members = grown;
    writeLabels();
    LOG.info("pool " + name + " grew from " + n + " to " + m + " drives");
  }

  /**
   * Refuses, before anything is written to them, drives that cannot join: see {@link
   * #addMembers}.
   */
  protected final synchronized void checkJoining(List<BlockDevice> added) throws IOException {
    if (closed) {
      throw new IOException("pool " + name + " is closed");
    }
    if (!allInSync() || rebuilder != null || copier != null) {
      throw new IllegalStateException("pool " + name + " grows only while every member is in"
          + " sync (no failed, rebuilding or replaced member); try again once it is");
    }
    int n = members.length;
    if (n + added.size() > 64) {
      throw new IllegalArgumentException("pool " + name + " would have " + (n + added.size())
          + " drives; a pool has at most 64");
    }
    long need = memberDataBlocks() + DATA_OFFSET_BLOCKS;
    for (int k = 0; k < added.size(); k++) {
      BlockDevice d = added.get(k);
      if (d.blockCount() < need) {
        throw new IllegalArgumentException("new drive " + (n + k) + " of pool " + name
            + " is smaller than the pool's members (" + need * BLOCK_SIZE + " bytes needed)");
      }
      Superblock label = Superblock.readFrom(d);
      if (label != null) {
        throw new IllegalArgumentException("new drive " + (n + k) + " of pool " + name
            + " belongs to pool '" + label.poolName() + "'; refusing to overwrite it");
      }
      refuseServiceDrive(n + k, d);
    }
  }

  private void extendArrays(int m) {
    states = java.util.Arrays.copyOf(states, m);
    suspended = java.util.Arrays.copyOf(suspended, m);
    suspendedCause = java.util.Arrays.copyOf(suspendedCause, m);
    bitmapRebuild = java.util.Arrays.copyOf(bitmapRebuild, m);
  }

  /** Rewrites the label of every member still writable; under this pool's monitor. */
  private void writeLabels() throws IOException {
    if (intent != null && allInSync()) {
      // Every member is in sync at this generation and no bit is cleared while one is not: a
      // member that leaves from here on misses only writes the bitmap still marks.
      bitmapCoversSince = generation;
    }
    IOException first = null;
    for (int i = 0; i < members.length; i++) {
      if (members[i] == null || states[i] == MemberState.FAILED || suspended[i]) {
        continue;
      }
      try {
        new Superblock(name, protection, members.length, i, generation, inSyncMask,
            bitmapCoversSince).writeTo(members[i]);
      } catch (IOException e) {
        first = first == null ? e : first;
        if (gate.verdict(i) == MemberDropGate.Verdict.DROP) {
          states[i] = MemberState.FAILED;
          inSyncMask &= ~(1L << i);
        } else {
          // A label write is I/O like any other: in an HA array it is not a drop either.
          suspend(i, "failed a label write", e);
        }
      }
    }
    if (first != null && !holdsEveryBlock(true)) {
      throw first;
    }
  }

  /**
   * Puts {@code drive} in place of member {@code i} (which should have failed) and rebuilds it
   * in the background; reads and writes continue meanwhile. A second replacement while a rebuild
   * runs (RAID-6) is rebuilt after the first.
   *
   * <p>A drive that returns (a remote drive reconnecting) and whose own label shows it left this
   * slot at a generation the write-intent bitmap vouches for is resynced only in the regions
   * the bitmap marks; any other drive (blank, another pool's, gone too long) in full.
   */
  public final void replace(int i, BlockDevice drive) throws IOException {
    if (drive.blockCount() < memberDataBlocks() + DATA_OFFSET_BLOCKS) {
      throw new IllegalArgumentException("replacement drive is smaller than the pool's members");
    }
    Superblock label = ownLabel(i, drive);
    BlockDevice old;
    synchronized (this) {
      if (suspended[i]) {
        throw new IllegalStateException("drive " + i + " of pool " + name
            + " awaits consent to be dropped");
      }
      if (states[i] == MemberState.REBUILDING) {
        throw new IllegalStateException("drive " + i + " of pool " + name
            + " is already being rebuilt");
      }
      if (states[i] == MemberState.ONLINE && !degraded()) {
        throw new IllegalStateException("drive " + i + " of pool " + name + " has not failed");
      }
      old = members[i];
      members[i] = drive;
      states[i] = MemberState.REBUILDING;
      inSyncMask &= ~(1L << i);
      bitmapRebuild[i] = intent != null && bitmapVouchesFor(label);
      generation++;
      writeLabels();
    }
    if (old != null && old != drive) {
      try {
        old.close();
      } catch (IOException e) {
        LOG.fine("closing the replaced drive: " + e.getMessage());
      }
    }
    startRebuild();
  }

  /**
   * Replaces member {@code i} while keeping the pool's redundancy: a healthy member is copied
   * onto {@code drive} in the background (reads and writes continue; see {@link CopyingMember})
   * and only then swapped out and closed, with the incoming drive labelled in its slot in a new
   * generation. A member that has failed (or is being rebuilt) has nothing to copy from: it is
   * {@link #replace}d, and {@code drive} rebuilt from the others. If the outgoing drive fails
   * during the copy, the incoming one is rebuilt from the others instead; if the incoming one
   * fails, the copy stops and the member keeps its drive. An engine that stops mid-copy finds
   * the incoming drive blank at its next start and rebuilds it in full.
   */
  public final void copyOnto(int i, BlockDevice drive) throws IOException {
    if (drive.blockCount() < memberDataBlocks() + DATA_OFFSET_BLOCKS) {
      throw new IllegalArgumentException("replacement drive is smaller than the pool's members");
    }
    CopyingMember copying;
    synchronized (this) {
      if (states[i] != MemberState.ONLINE || suspended[i] || redundancy() == 0) {
        copying = null;
      } else if (copier != null) {
        throw new IllegalStateException("pool " + name + " is copying a drive already");
      } else {
        copying = new CopyingMember(members[i], drive);
        members[i] = copying;
        copyProgressRows = 0;
        copyTarget = i;
        Thread t = new Thread(() -> copyMember(i, copying), "copy-" + name + "-" + i);
        t.setDaemon(true);
        copier = t;
        t.start();
      }
    }
    if (copying == null) {
      replace(i, drive);
    }
  }

  /** The copy started by {@link #copyOnto}, while it runs; null otherwise. */
  private volatile Thread copier;
  private volatile int copyTarget = -1;
  private volatile long copyProgressRows;

  private void copyMember(int i, CopyingMember copying) {
    long rows = memberDataBlocks() / ROW_BLOCKS;
    long started = System.nanoTime();
    ByteBuffer buf = ByteBuffer.allocate(ROW_BLOCKS * BLOCK_SIZE);
    boolean rebuildInstead = false;
    IOException incomingFailed = null;
    try {
      for (long row = 0; row < rows && !closed; row++) {
        ReentrantReadWriteLock.WriteLock lock = rowLock(row).writeLock();
        lock.lock();
        try {
          if (!stillCopying(i, copying)) {
            break;
          }
          long memberLba = DATA_OFFSET_BLOCKS + row * ROW_BLOCKS;
          try {
            copying.outgoing().read(memberLba, buf.clear());
          } catch (IOException e) {
            fail(i, e); // the outgoing drive failed: rebuild the incoming one from the others
            break;
          }
          try {
            copying.incoming().write(memberLba, buf.flip(), false);
          } catch (IOException e) {
            incomingFailed = e;
            break;
          }
        } finally {
          lock.unlock();
        }
        rowsRebuilt++;
        copyProgressRows = row + 1;
      }
      if (!closed && incomingFailed == null && stillCopying(i, copying)) {
        try {
          copying.incoming().flush();
        } catch (IOException e) {
          incomingFailed = e;
        }
      }
      if (incomingFailed != null) {
        LOG.log(Level.WARNING, "pool " + name + ": the drive replacing member " + i
            + " failed; the member keeps its drive", incomingFailed);
      }
      synchronized (this) {
        if (closed) {
          return; // the incoming drive carries no label: the next start rebuilds it in full
        }
        if (incomingFailed == null && stillCopying(i, copying)) {
          members[i] = copying.incoming();
          generation++;
          writeLabels();
          LOG.info(String.format("pool %s: drive %d copied onto its replacement (%d MiB in %d"
              + " ms)", name, i, rows, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
        } else if (members[i] == copying && incomingFailed == null
            && copying.incomingFailure() == null) {
          rebuildInstead = true; // the outgoing drive failed
        } else if (members[i] == copying) {
          members[i] = copying.outgoing(); // the incoming drive failed: keep the member's own
          closeQuietly(copying.incoming());
          return;
        }
      }
      if (rebuildInstead) {
        replace(i, copying.incoming());
      } else {
        closeQuietly(copying.outgoing());
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.SEVERE, "pool " + name + ": copying drive " + i + " failed", e);
    } finally {
      synchronized (this) {
        copier = null;
        copyTarget = -1;
        notifyAll();
      }
    }
  }

  private synchronized boolean stillCopying(int i, CopyingMember copying) {
    return members[i] == copying && states[i] == MemberState.ONLINE && !suspended[i]
        && copying.incomingFailure() == null;
  }

  private static void closeQuietly(BlockDevice d) {
    try {
      d.close();
    } catch (IOException e) {
      LOG.fine("closing a drive: " + e.getMessage());
    }
  }

  /** The member a running {@link #copyOnto} copies, or -1. */
  public final int copyTarget() {
    return copyTarget;
  }

  /** Rows of the running copy done so far. */
  public final long copyProgressRows() {
    return copyProgressRows;
  }

  /** Rows each member holds: what a rebuild or a copy goes through. */
  public final long memberRows() {
    return memberDataBlocks() / ROW_BLOCKS;
  }

  /** Waits until no copy runs; true if none runs at the end. */
  public final synchronized boolean awaitCopy(long timeout, TimeUnit unit)
      throws InterruptedException {
    return awaitWhile(() -> copier != null, timeout, unit);
  }

  /** Waits on this pool's monitor (held) while {@code running}; true if it stopped in time. */
  private boolean awaitWhile(java.util.function.BooleanSupplier running, long timeout,
      TimeUnit unit) throws InterruptedException {
    long until = System.nanoTime() + unit.toNanos(timeout);
    while (running.getAsBoolean()) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** {@code drive}'s label if it is this pool's member {@code i}'s, else null. */
  private Superblock ownLabel(int i, BlockDevice drive) {
    try {
      Superblock label = Superblock.readFrom(drive);
      if (label != null && label.poolName().equals(name) && label.memberIndex() == i
          && label.memberCount() == members.length && label.protection() == protection) {
        return label;
      }
    } catch (IOException e) {
      LOG.fine("reading the label of the drive put in slot " + i + ": " + e.getMessage());
    }
    return null;
  }

  /** Rows copied by this pool's rebuilds and resyncs of returning members so far. */
  public final long rowsRebuilt() {
    return rowsRebuilt;
  }

  /** Starts the rebuild thread unless it runs: it rebuilds every REBUILDING member in turn. */
  private synchronized void startRebuild() {
    if (rebuilder != null) {
      return;
    }
    Thread t = new Thread(this::rebuildAll, "rebuild-" + name);
    t.setDaemon(true);
    rebuilder = t;
    t.start();
  }

  private void rebuildAll() {
    try {
      while (!closed) {
        int target = -1;
        synchronized (this) {
          for (int i = 0; i < members.length && target < 0; i++) {
            if (states[i] == MemberState.REBUILDING) {
              target = i;
            }
          }
          if (target < 0) {
            // Under the same monitor as the check: a replace() from now on starts a new thread.
            rebuilder = null;
            notifyAll();
            return;
          }
          rebuildProgressRows = 0;
        }
        rebuild(target);
      }
    } finally {
      synchronized (this) {
        if (rebuilder == Thread.currentThread()) {
          rebuilder = null; // closed, or an unexpected error
          notifyAll();
        }
      }
    }
  }

  private void rebuild(int target) {
    long rows = memberDataBlocks() / ROW_BLOCKS;
    long started = System.nanoTime();
    BlockDevice drive;
    boolean fromBitmap;
    synchronized (this) {
      drive = members[target];
      fromBitmap = bitmapRebuild[target];
      bitmapRebuild[target] = false;
    }
    // The regions marked now (outside the pool's monitor: the bitmap's lock comes first). No bit
    // is cleared while this member is out of sync, and every write from now on reaches it (it is
    // writable while it rebuilds).
    java.util.BitSet marked = fromBitmap && intent != null ? intent.markedRegions() : null;
    long copied = 0;
    try {
      for (long row = 0; row < rows && !closed; row++) {
        if (marked != null && !marked.get((int) (row / intent.rowsPerBit()))) {
          continue;
        }
        ReentrantReadWriteLock.WriteLock lock = rowLock(row).writeLock();
        lock.lock();
        try {
          if (!stillRebuilding(target, drive)) {
            return; // it failed (and may have been replaced: the next pass starts over)
          }
          rebuildRow(target, row);
        } finally {
          lock.unlock();
        }
        copied++;
        rowsRebuilt++;
        rebuildProgressRows = row + 1;
      }
      if (closed) {
        return;
      }
      drive.flush();
      synchronized (this) {
        if (!stillRebuilding(target, drive)) {
          return;
        }
        states[target] = MemberState.ONLINE;
        inSyncMask |= 1L << target;
        generation++;
        writeLabels();
      }
      LOG.info(String.format("pool %s: drive %d %s (%d MiB in %d ms)", name, target,
          marked != null ? "resynced from the write-intent bitmap" : "rebuilt in full", copied,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
    } catch (IOException e) {
      LOG.log(Level.SEVERE, "pool " + name + ": rebuilding drive " + target + " failed", e);
      try {
        fail(target, e);
      } catch (IOException ignored) {
        // the pool reports its own state
      }
    }
  }

  private synchronized boolean stillRebuilding(int target, BlockDevice drive) {
    return members[target] == drive && states[target] == MemberState.REBUILDING
        && !suspended[target];
  }

  /** Rows a rebuild of one member copies: what {@link #rebuildProgressRows} counts up to. */
  public final long rebuildRows() {
    return memberDataBlocks() / ROW_BLOCKS;
  }

  /** Rows of the running rebuild done so far. */
  public final long rebuildProgressRows() {
    return rebuildProgressRows;
  }

  /** Waits until no rebuild runs; true if none runs at the end. */
  public final synchronized boolean awaitRebuild(long timeout, TimeUnit unit)
      throws InterruptedException {
    return awaitWhile(() -> rebuilder != null, timeout, unit);
  }

  /** The lock of the member row that holds member block {@code memberLba}. */
  protected final ReentrantReadWriteLock rowLock(long row) {
    return rowLocks[(int) (row % ROW_LOCKS)];
  }

  @Override
  public void flush() throws IOException {
    for (int i = 0; i < members.length; i++) {
      if (!writable(i)) {
        continue;
      }
      try {
        members[i].flush();
      } catch (IOException e) {
        fail(i, e);
      }
    }
    holdWritesAwaitingDrop();
  }

  /** The pool does not deallocate (the volume layer above does): it writes zeros. */
  @Override
  public void unmap(long lba, long blocks) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
    long perChunk = zeros.capacity() / BLOCK_SIZE;
    for (long done = 0; done < blocks; done += perChunk) {
      long n = Math.min(perChunk, blocks - done);
      write(lba + done, zeros.clear().limit((int) (n * BLOCK_SIZE)), false);
    }
  }

  protected final void checkRange(long lba, int bytes) {
    if (bytes % BLOCK_SIZE != 0) {
      throw new IllegalArgumentException(bytes + " bytes is not a whole number of blocks");
    }
    long blocks = bytes / BLOCK_SIZE;
    if (lba < 0 || lba > blockCount() || blocks > blockCount() - lba) {
      throw new IllegalArgumentException("blocks " + lba + "+" + blocks + " outside pool " + name
          + " of " + blockCount() + " blocks");
    }
  }

  /**
   * Stops the thread that clears idle write-intent bits: before a clean stop, or when an open
   * fails after it started (the pool is never served; its bits stay set for the next open).
   */
  protected final void stopClearingIdleRegions() {
    Thread c = cleaner;
    if (c != null) {
      stopCleaner.countDown();
      try {
        c.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A clean stop leaves no region dirty, so the next start resyncs nothing. */
  @Override
  public void close() throws IOException {
    Thread c = cleaner;
    if (c != null) {
      stopClearingIdleRegions();
      try {
        intent.clearIdle(0);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "pool " + name + ": write-intent bits left set at close", e);
      }
    }
    closed = true;
    synchronized (this) {
      notifyAll(); // writes held for a drop fail now
    }
    Thread copy = copier;
    if (copy != null) {
      try {
        copy.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Thread t = rebuilder;
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    IOException first = null;
    for (BlockDevice m : members) {
      if (m == null) {
        continue;
      }
      try {
        m.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** Opens a pool of {@code protection} over {@code members} (null = a missing drive). */
  public static Pool open(String name, Protection protection, List<BlockDevice> members)
      throws IOException {
    return open(name, protection, members, MemberDropGate.AT_ONCE);
  }

  /**
   * As {@link #open(String, Protection, List)}, asking {@code gate} before dropping a member
   * whose I/O failed (an HA array's engine). A pool without redundancy drops nothing.
   */
  public static Pool open(String name, Protection protection, List<BlockDevice> members,
      MemberDropGate gate) throws IOException {
    List<BlockDevice> copy = new ArrayList<>(members);
    return switch (protection) {
      case NONE -> ConcatPool.open(name, copy);
      case MIRROR -> MirrorPool.open(name, copy, gate);
      case PARITY, PARITY2 -> ParityPool.openParity(name, protection, copy, true, gate);
    };
  }

  /** Sets the gate; before {@link #assemble}. */
  final void gate(MemberDropGate gate) {
    this.gate = gate;
  }
}
