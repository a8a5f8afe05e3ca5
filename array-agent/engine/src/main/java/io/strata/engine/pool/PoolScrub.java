package io.strata.engine.pool;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A scrub: a background read-and-compare of every row of a redundant pool, at a rate the operator
 * sets, that repairs from the redundancy where it can tell which copy is right.
 *
 * <ul>
 *   <li><b>Mirror</b>: every copy of each block is compared. Copies that disagree are repaired
 *       where a majority agrees (three-way mirror); two copies that disagree cannot be decided
 *       (the stack keeps no data checksums) and are reported, left as they are.
 *   <li><b>RAID-5</b>: P is recomputed from the data and compared; a mismatch cannot say which
 *       unit is wrong, so it is reported, not repaired.
 *   <li><b>RAID-6</b>: P and Q are recomputed; a mismatch in P only (or Q only) is a wrong P (Q),
 *       rewritten; a mismatch in both whose syndromes point at one data unit (Qd = g^z·Pd for
 *       every byte) is that unit, corrected by Pd; anything else is reported.
 *   <li>A member that cannot read a unit (a bad sector) has it rewritten from the others where
 *       the redundancy allows (md does the same: the drive remaps the sector on the write); a
 *       unit no copy can give is reported as unrepairable and nothing is written.
 * </ul>
 *
 * <p>Each row is checked under its row's exclusive lock, so no write is half done in it. Rows a
 * degraded pool cannot check (a member missing or rebuilding) are skipped and counted. The rate
 * is enforced with a token bucket (Bucket4j) on the bytes read. Progress is kept in a {@link
 * ScrubCheckpoint} on the members every few rows and at the end, so a scrub interrupted by a
 * crash resumes where it was, and the finished one stays as the pool's last result.
 */
public final class PoolScrub {
  private static final Logger LOG = Logger.getLogger(PoolScrub.class.getName());
  /** Rows between two checkpoints: 16 MiB of each member. */
  static final int CHECKPOINT_ROWS = 16;

  /** Where a scrub stands. */
  public enum State { RUNNING, DONE, STOPPED, FAILED }

  /** What the status file and the control plane see. */
  public record Progress(String request, State state, long rowsDone, long rows,
      long mismatchedBlocks, long repairedBlocks, long unrepairableBlocks, long skippedRows,
      long rateBytesPerSecond, long startedMillis, long finishedMillis, String error) {}

  /** How the scrub waits for its rate (tests pass one that records and returns). */
  @FunctionalInterface
  public interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  private final Pool pool;
  private final String request;
  private final long rows;
  private final TimeMeter clock;
  private final Sleeper sleeper;
  private final int checkpointRows;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private volatile Bucket bucket;
  private volatile long rate;
  private volatile long nextRow;
  private volatile long mismatched;
  private volatile long repaired;
  private volatile long unrepairable;
  private volatile long skippedRows;
  private volatile State state = State.RUNNING;
  private volatile String error;
  private final long startedMillis;
  private volatile long finishedMillis;
  private long sequence;
  private Thread thread;

  PoolScrub(Pool pool, String request, long bytesPerSecond, ScrubCheckpoint resumeFrom,
      TimeMeter clock, Sleeper sleeper, int checkpointRows) {
    if (pool.protection() == Protection.NONE) {
      throw new IllegalArgumentException("pool " + pool.name() + " has no redundancy to scrub");
    }
    if (request.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
        > ScrubCheckpoint.MAX_REQUEST_BYTES) {
      throw new IllegalArgumentException("scrub request id is too long");
    }
    this.pool = pool;
    this.request = request;
    this.rows = pool.memberDataBlocks() / Pool.ROW_BLOCKS;
    this.clock = clock;
    this.sleeper = sleeper != null ? sleeper
        : nanos -> stopping.await(nanos, TimeUnit.NANOSECONDS);
    this.checkpointRows = checkpointRows;
    if (resumeFrom != null) {
      nextRow = resumeFrom.nextRow();
      mismatched = resumeFrom.mismatchedBlocks();
      repaired = resumeFrom.repairedBlocks();
      unrepairable = resumeFrom.unrepairableBlocks();
      skippedRows = resumeFrom.skippedRows();
      startedMillis = resumeFrom.startedMillis();
      sequence = resumeFrom.sequence();
      if (resumeFrom.done()) {
        state = State.DONE;
        finishedMillis = resumeFrom.finishedMillis();
      }
    } else {
      startedMillis = System.currentTimeMillis();
    }
    rate(bytesPerSecond);
  }

  /**
   * Starts (or resumes, or finds finished) the scrub of {@code pool} for {@code request}: a
   * checkpoint of the same request on the pool resumes from its row, or is the result if it
   * finished; any other request starts from the first row. {@code bytesPerSecond} 0 is
   * unlimited.
   */
  public static PoolScrub start(Pool pool, String request, long bytesPerSecond) {
    ScrubCheckpoint last = ScrubCheckpoint.read(pool);
    PoolScrub scrub = new PoolScrub(pool, request, bytesPerSecond,
        last != null && last.request().equals(request) ? last : null, TimeMeter.SYSTEM_NANOTIME,
        null, CHECKPOINT_ROWS);
    if (scrub.state == State.RUNNING) {
      Thread t = new Thread(scrub::run, "scrub-" + pool.name());
      t.setDaemon(true);
      scrub.thread = t;
      t.start();
    }
    return scrub;
  }

  /** The pool's last scrub as its checkpoint says (running or finished), or null. */
  public static ScrubCheckpoint last(Pool pool) {
    return ScrubCheckpoint.read(pool);
  }

  public String request() {
    return request;
  }

  /** Changes the rate of the running scrub (0: unlimited). */
  public void rate(long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("scrub rate must not be negative");
    }
    this.rate = bytesPerSecond;
    this.bucket = bytesPerSecond == 0 ? null : Bucket.builder()
        .addLimit(limit -> limit.capacity(bytesPerSecond)
            .refillGreedy(bytesPerSecond, Duration.ofSeconds(1)))
        .withCustomTimePrecision(clock)
        .build();
  }

  public Progress progress() {
    return new Progress(request, state, nextRow, rows, mismatched, repaired, unrepairable,
        skippedRows, rate, startedMillis, finishedMillis, error);
  }

  /** Stops the scrub (its checkpoint stays: a later start of the same request resumes). */
  public void stop() {
    stopping.countDown();
    Thread t = thread;
    if (t != null) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for the scrub to end; true if it did. */
  public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
    Thread t = thread;
    if (t != null) {
      t.join(unit.toMillis(timeout));
      return !t.isAlive();
    }
    return true;
  }

  /** The scrub's loop; in the calling thread for tests. */
  void run() {
    run(Long.MAX_VALUE);
  }

  /**
   * The loop, left after {@code maxRows} rows as a crash would leave it (tests: the checkpoint
   * then says where it was).
   */
  void run(long maxRows) {
    long left = maxRows;
    try {
      // Never interrupted (an interrupt during file I/O would close the drive's channel).
      while (nextRow < rows) {
        if (left-- == 0) {
          return;
        }
        if (stopping.getCount() == 0) {
          state = State.STOPPED;
          checkpoint(false);
          return;
        }
        throttle(scrubRow(nextRow));
        nextRow++;
        if (nextRow % checkpointRows == 0 && nextRow < rows) {
          checkpoint(false);
        }
      }
      finishedMillis = System.currentTimeMillis();
      state = State.DONE;
      checkpoint(true);
      LOG.info(String.format("pool %s: scrub %s done: %d rows, %d block(s) mismatched, %d"
          + " repaired, %d unrepairable, %d row(s) skipped (degraded)", pool.name(), request,
          rows, mismatched, repaired, unrepairable, skippedRows));
    } catch (IOException | RuntimeException e) {
      error = e.getMessage();
      state = State.FAILED;
      LOG.log(Level.WARNING, "pool " + pool.name() + ": scrub " + request + " stopped at row "
          + nextRow, e);
    } catch (InterruptedException e) {
      state = State.STOPPED;
    }
  }

  private void checkpoint(boolean done) throws IOException {
    new ScrubCheckpoint(request, done, nextRow, rows, mismatched, repaired, unrepairable,
        skippedRows, rate, startedMillis, finishedMillis, ++sequence).write(pool);
  }

  private void throttle(long bytesRead) throws InterruptedException {
    Bucket b = bucket;
    if (b != null && bytesRead > 0) {
      long wait = b.consumeIgnoringRateLimits(bytesRead);
      if (wait > 0) {
        sleeper.sleepNanos(wait);
      }
    }
  }

  /** Checks one member row; returns the bytes read. */
  long scrubRow(long row) throws IOException {
    Lock lock = pool.rowLock(row).writeLock();
    lock.lock();
    try {
      return pool.protection() == Protection.MIRROR ? mirrorRow(row) : parityRow(row);
    } finally {
      lock.unlock();
    }
  }

  private static final int ROW_BYTES = Pool.ROW_BLOCKS * Pool.BLOCK_SIZE;
  private static final int BS = Pool.BLOCK_SIZE;

  /** Reads {@code bytes} of member {@code m} at data block {@code memberLba}; null if it fails. */
  private byte[] readOrNull(int m, long memberLba, int bytes) {
    byte[] buf = new byte[bytes];
    try {
      pool.member(m).read(Pool.DATA_OFFSET_BLOCKS + memberLba, ByteBuffer.wrap(buf));
      return buf;
    } catch (IOException e) {
      LOG.warning("pool " + pool.name() + ": scrub could not read drive " + m + " at data block "
          + memberLba + ": " + e.getMessage());
      return null;
    }
  }

  /** Rewrites a member's blocks from the redundancy; a member that cannot take it is failed. */
  private void repair(int m, long row, long memberLba, byte[] data) throws IOException {
    pool.beginWrite(row);
    try {
      pool.member(m).write(Pool.DATA_OFFSET_BLOCKS + memberLba, ByteBuffer.wrap(data), false);
    } catch (IOException e) {
      pool.fail(m, e);
    } finally {
      pool.endWrite(row);
    }
  }

  /** A mirror's row: each set of copies (one, or each pair of a grown pool) on its own. */
  private long mirrorRow(long row) throws IOException {
    int copies = pool instanceof MirrorPool mirror ? mirror.copies() : pool.memberCount();
    long bytes = 0;
    for (int set = 0; set < pool.memberCount(); set += copies) {
      bytes += mirrorSetRow(row, set, copies);
    }
    return bytes;
  }

  private long mirrorSetRow(long row, int set, int copies) throws IOException {
    int n = pool.memberCount();
    long memberLba = row * Pool.ROW_BLOCKS;
    byte[][] copy = new byte[n][]; // null outside the set
    List<Integer> unreadable = new ArrayList<>();
    int readableCount = 0;
    for (int m = set; m < set + copies; m++) {
      if (!pool.readable(m)) {
        continue;
      }
      readableCount++;
      copy[m] = readOrNull(m, memberLba, ROW_BYTES);
      if (copy[m] == null) {
        unreadable.add(m);
      }
    }
    if (readableCount < 2) {
      skippedRows++;
      return (long) readableCount * ROW_BYTES;
    }
    byte[] good = new byte[ROW_BYTES];
    boolean allDecided = true;
    boolean[] changed = new boolean[n];
    for (int b = 0; b < Pool.ROW_BLOCKS; b++) {
      int from = b * BS;
      int majority = majorityCopy(copy, from, readableCount);
      boolean agree = allAgree(copy, from);
      if (!agree) {
        mismatched++;
      }
      if (majority < 0) {
        allDecided = false;
        unrepairable++;
        continue;
      }
      System.arraycopy(copy[majority], from, good, from, BS);
      for (int m = 0; m < n; m++) {
        if (copy[m] != null && !Arrays.equals(copy[m], from, from + BS, good, from, from + BS)) {
          System.arraycopy(good, from, copy[m], from, BS);
          changed[m] = true;
          repaired++;
        }
      }
    }
    for (int m = 0; m < n; m++) {
      if (changed[m]) {
        repair(m, row, memberLba, copy[m]);
      }
    }
    for (int m : unreadable) {
      if (allDecided) {
        repair(m, row, memberLba, good);
        repaired += Pool.ROW_BLOCKS;
      }
    }
    return (long) readableCount * ROW_BYTES;
  }

  /**
   * The member whose version of the block at {@code from} more than half of the readable copies
   * hold (unreadable copies count against), or -1.
   */
  private static int majorityCopy(byte[][] copy, int from, int readableCount) {
    for (int m = 0; m < copy.length; m++) {
      if (copy[m] == null) {
        continue;
      }
      int same = 0;
      for (byte[] other : copy) {
        if (other != null && Arrays.equals(copy[m], from, from + BS, other, from, from + BS)) {
          same++;
        }
      }
      int present = (int) Arrays.stream(copy).filter(c -> c != null).count();
      if (same == present && present < readableCount) {
        return m; // every copy that could be read agrees: the unreadable one is rewritten
      }
      if (2 * same > readableCount) {
        return m;
      }
    }
    return -1;
  }

  private static boolean allAgree(byte[][] copy, int from) {
    byte[] first = null;
    for (byte[] c : copy) {
      if (c == null) {
        continue;
      }
      if (first == null) {
        first = c;
      } else if (!Arrays.equals(first, from, from + BS, c, from, from + BS)) {
        return false;
      }
    }
    return true;
  }

  private long parityRow(long row) throws IOException {
    ParityPool p = (ParityPool) pool;
    if (p.restriping()) {
      skippedRows++; // the stripes are being rewritten onto more drives; scrub again after
      return 0;
    }
    int n = pool.memberCount();
    int parities = pool.protection() == Protection.PARITY2 ? 2 : 1;
    int dataUnits = n - parities;
    int unitBytes = ParityPool.UNIT_BLOCKS * BS;
    for (int m = 0; m < n; m++) {
      if (!pool.readable(m)) {
        skippedRows++;
        return 0;
      }
    }
    long bytesRead = 0;
    for (int u = 0; u < Pool.ROW_BLOCKS / ParityPool.UNIT_BLOCKS; u++) {
      long memberLba = row * Pool.ROW_BLOCKS + (long) u * ParityPool.UNIT_BLOCKS;
      long stripe = memberLba / ParityPool.UNIT_BLOCKS;
      byte[][] unit = new byte[n][];
      List<Integer> unreadable = new ArrayList<>();
      for (int m = 0; m < n; m++) {
        unit[m] = readOrNull(m, memberLba, unitBytes);
        bytesRead += unitBytes;
        if (unit[m] == null) {
          unreadable.add(m);
        }
      }
      int pm = p.parityMember(stripe);
      int qm = parities == 2 ? p.qMember(stripe) : -1;
      if (unreadable.size() > 1) {
        unrepairable += (long) unreadable.size() * ParityPool.UNIT_BLOCKS;
        continue;
      }
      if (unreadable.size() == 1) {
        int lost = unreadable.get(0);
        unit[lost] = lost == qm ? q(p, stripe, unit, dataUnits)
            : xorOfOthers(unit, lost, qm);
        repair(lost, row, memberLba, unit[lost]);
        repaired += ParityPool.UNIT_BLOCKS;
      }
      byte[][] data = new byte[dataUnits][];
      for (int i = 0; i < dataUnits; i++) {
        data[i] = unit[p.dataMember(stripe, i)];
      }
      byte[] pd = xorOfOthers(unit, -1, qm); // P ⊕ P' (zero where P is right)
      byte[] qd = parities == 2 ? q(p, stripe, unit, dataUnits) : null;
      if (qd != null) {
        xorInto(qd, unit[qm]); // Q' ⊕ Q
      }
      boolean[] changed = new boolean[n];
      for (int b = 0; b < ParityPool.UNIT_BLOCKS; b++) {
        int from = b * BS;
        boolean pBad = !zero(pd, from);
        boolean qBad = qd != null && !zero(qd, from);
        if (!pBad && !qBad) {
          continue;
        }
        mismatched++;
        if (qd == null) {
          unrepairable++; // RAID-5: data or P, no way to tell
        } else if (pBad && !qBad) {
          xorRange(unit[pm], pd, from);
          changed[pm] = true;
          repaired++;
        } else if (!pBad) {
          xorRange(unit[qm], qd, from);
          changed[qm] = true;
          repaired++;
        } else {
          int z = badDataUnit(pd, qd, from, dataUnits);
          if (z < 0) {
            unrepairable++;
          } else {
            int dm = p.dataMember(stripe, z);
            xorRange(unit[dm], pd, from);
            changed[dm] = true;
            repaired++;
          }
        }
      }
      for (int m = 0; m < n; m++) {
        if (changed[m]) {
          repair(m, row, memberLba, unit[m]);
        }
      }
    }
    return bytesRead;
  }

  /** The XOR of every unit but {@code skip} and Q: a lost data unit or P, or P ⊕ P' if none. */
  private static byte[] xorOfOthers(byte[][] unit, int skip, int qm) {
    byte[] acc = new byte[unit[0] == null ? unit[1].length : unit[0].length];
    for (int m = 0; m < unit.length; m++) {
      if (m != skip && m != qm) {
        xorInto(acc, unit[m]);
      }
    }
    return acc;
  }

  /** Q of the stripe's data units. */
  private static byte[] q(ParityPool p, long stripe, byte[][] unit, int dataUnits) {
    byte[] q = new byte[unit[p.dataMember(stripe, 0)].length];
    for (int i = 0; i < dataUnits; i++) {
      Gf256.mulXorInto(q, unit[p.dataMember(stripe, i)], Gf256.table(Gf256.power(i)));
    }
    return q;
  }

  /**
   * The data unit z that one corruption E of it explains: Pd = E and Qd = g^z·E in every byte of
   * the block; -1 if none does.
   */
  private static int badDataUnit(byte[] pd, byte[] qd, int from, int dataUnits) {
    for (int z = 0; z < dataUnits; z++) {
      int gz = Gf256.power(z);
      boolean fits = true;
      for (int j = from; j < from + BS && fits; j++) {
        fits = Gf256.mul(gz, pd[j] & 0xff) == (qd[j] & 0xff);
      }
      if (fits) {
        return z;
      }
    }
    return -1;
  }

  private static boolean zero(byte[] b, int from) {
    for (int j = from; j < from + BS; j++) {
      if (b[j] != 0) {
        return false;
      }
    }
    return true;
  }

  private static void xorInto(byte[] acc, byte[] other) {
    for (int j = 0; j < acc.length; j++) {
      acc[j] ^= other[j];
    }
  }

  private static void xorRange(byte[] acc, byte[] delta, int from) {
    for (int j = from; j < from + BS; j++) {
      acc[j] ^= delta[j];
    }
  }
}
