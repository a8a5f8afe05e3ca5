package io.strata.engine.pool;

import static io.strata.engine.pool.MirrorPoolTest.read;
import static io.strata.engine.pool.MirrorPoolTest.stamp;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.TimeMeter;
import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Scrub: corruption injected into one member's data area (bytes flipped under the pool, as bit
 * rot or a misdirected write would) is found, and repaired where the redundancy can tell which
 * copy is right; unreadable blocks are rewritten from the others; what cannot be decided is
 * reported and left alone; the rate is a token bucket; a scrub resumes from its checkpoint.
 */
class PoolScrubTest {
  static final long SIZE = 6L << 20;
  static final int UNIT = ParityPool.UNIT_BLOCKS;
  static final int DATA = (int) Pool.DATA_OFFSET_BLOCKS;

  final List<RamDevice> drives = new ArrayList<>();

  Pool pool(Protection protection, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      drives.add(new RamDevice(SIZE));
    }
    return Pool.open("s", protection, new ArrayList<>(drives));
  }

  /** Flips bytes of member {@code m}'s data block {@code memberLba} behind the pool's back. */
  void corrupt(int m, long memberLba, int offset) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(512);
    drives.get(m).read(DATA + memberLba, b);
    b.put(offset, (byte) (b.get(offset) ^ 0x5a)).put(offset + 1, (byte) (b.get(offset + 1) ^ 0xff));
    drives.get(m).write(DATA + memberLba, b.clear(), false);
  }

  ByteBuffer memberBlock(int m, long memberLba) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(512);
    drives.get(m).read(DATA + memberLba, b);
    return b.flip();
  }

  static PoolScrub.Progress scrubNow(Pool pool, String request) {
    PoolScrub scrub = new PoolScrub(pool, request, 0, null, TimeMeter.SYSTEM_NANOTIME, null,
        PoolScrub.CHECKPOINT_ROWS);
    scrub.run();
    return scrub.progress();
  }

  @Test
  void aCleanPoolScrubsToNothingFoundAndRecordsTheResultOnTheDrives() throws Exception {
    Pool pool = pool(Protection.PARITY2, 5);
    pool.write(0, stamp(0, 4096, 1), false);
    PoolScrub.Progress p = scrubNow(pool, "r1");
    assertThat(p.state()).isEqualTo(PoolScrub.State.DONE);
    assertThat(p.rowsDone()).isEqualTo(p.rows()).isPositive();
    assertThat(p.mismatchedBlocks()).isZero();
    assertThat(PoolScrub.last(pool)).satisfies(c -> {
      assertThat(c.request()).isEqualTo("r1");
      assertThat(c.done()).isTrue();
    });
    pool.close();
  }

  @Test
  void raid6FindsAndRepairsACorruptDataUnitPAndQ() throws Exception {
    Pool pool = pool(Protection.PARITY2, 5);
    ParityPool pp = (ParityPool) pool;
    int stripeBlocks = 3 * UNIT;
    pool.write(0, stamp(0, 4 * stripeBlocks, 1), false);
    corrupt(pp.dataMember(0, 1), 5, 7); // data unit 1 of stripe 0, block 5
    corrupt(pp.parityMember(1), UNIT + 9, 100); // P of stripe 1
    corrupt(pp.qMember(2), 2 * UNIT + 20, 300); // Q of stripe 2
    ByteBuffer beforeRepair = read(pool, UNIT + 5, 1);
    assertThat(beforeRepair).as("the corruption is read as data").isNotEqualTo(stamp(UNIT + 5, 1, 1));
    PoolScrub.Progress p = scrubNow(pool, "r1");
    assertThat(p.mismatchedBlocks()).isEqualTo(3);
    assertThat(p.repairedBlocks()).isEqualTo(3);
    assertThat(p.unrepairableBlocks()).isZero();
    assertThat(read(pool, 0, 4 * stripeBlocks)).isEqualTo(stamp(0, 4 * stripeBlocks, 1));
    assertThat(scrubNow(pool, "r2").mismatchedBlocks()).as("a second scrub").isZero();
    pool.close();
  }

  @Test
  void raid5ReportsAParityMismatchButCannotTellWhichUnitIsWrong() throws Exception {
    Pool pool = pool(Protection.PARITY, 4);
    ParityPool pp = (ParityPool) pool;
    pool.write(0, stamp(0, 3 * UNIT, 1), false);
    corrupt(pp.dataMember(0, 2), 3, 0);
    ByteBuffer corrupted = memberBlock(pp.dataMember(0, 2), 3);
    PoolScrub.Progress p = scrubNow(pool, "r1");
    assertThat(p.mismatchedBlocks()).isEqualTo(1);
    assertThat(p.repairedBlocks()).isZero();
    assertThat(p.unrepairableBlocks()).isEqualTo(1);
    assertThat(memberBlock(pp.dataMember(0, 2), 3)).as("left as it was").isEqualTo(corrupted);
    pool.close();
  }

  @Test
  void aThreeWayMirrorRepairsTheOddCopyATwoWayMirrorOnlyReportsIt() throws Exception {
    Pool three = pool(Protection.MIRROR, 3);
    three.write(0, stamp(0, 64, 1), false);
    corrupt(1, 10, 50);
    PoolScrub.Progress p = scrubNow(three, "r1");
    assertThat(p.mismatchedBlocks()).isEqualTo(1);
    assertThat(p.repairedBlocks()).isEqualTo(1);
    assertThat(memberBlock(1, 10)).isEqualTo(stamp(10, 1, 1));
    three.close();
    drives.clear();
    Pool two = pool(Protection.MIRROR, 2);
    two.write(0, stamp(0, 64, 1), false);
    corrupt(0, 10, 50);
    ByteBuffer corrupted = memberBlock(0, 10);
    p = scrubNow(two, "r1");
    assertThat(p.mismatchedBlocks()).isEqualTo(1);
    assertThat(p.repairedBlocks()).isZero();
    assertThat(p.unrepairableBlocks()).isEqualTo(1);
    assertThat(memberBlock(0, 10)).isEqualTo(corrupted);
    assertThat(memberBlock(1, 10)).isEqualTo(stamp(10, 1, 1));
    two.close();
  }

  /** A drive with a bad range that fails reads until it is written (the sector is remapped). */
  static final class BadSectors extends ForwardingBlockDevice {
    volatile long from = -1;
    volatile long to = -1;

    BadSectors(BlockDevice inner) {
      super(inner);
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
      if (lba < to && lba + dst.remaining() / 512 > from) {
        throw new IOException("unrecovered read error");
      }
      inner.read(lba, dst);
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
      if (lba <= from && lba + src.remaining() / 512 >= to) {
        from = to = -1; // remapped
      }
      inner.write(lba, src, fua);
    }
  }

  @Test
  void anUnreadableCopyIsRewrittenFromTheOtherAndTwoUnreadableCopiesAreOnlyReported()
      throws Exception {
    for (int i = 0; i < 2; i++) {
      drives.add(new RamDevice(SIZE));
    }
    BadSectors a = new BadSectors(drives.get(0));
    BadSectors b = new BadSectors(drives.get(1));
    Pool pool = Pool.open("s", Protection.MIRROR, List.of(a, b));
    pool.write(0, stamp(0, 2 * Pool.ROW_BLOCKS, 1), false);
    a.from = DATA + 100;
    a.to = DATA + 101;
    PoolScrub.Progress p = scrubNow(pool, "r1");
    assertThat(p.repairedBlocks()).as("row 0 of drive 0 rewritten").isEqualTo(Pool.ROW_BLOCKS);
    assertThat(a.from).as("the bad sector was rewritten").isEqualTo(-1);
    assertThat(pool.degraded()).as("a read error in a scrub does not drop the drive").isFalse();
    a.from = b.from = DATA + Pool.ROW_BLOCKS + 7;
    a.to = b.to = DATA + Pool.ROW_BLOCKS + 8;
    p = scrubNow(pool, "r2");
    assertThat(p.unrepairableBlocks()).as("row 1: no copy readable").isEqualTo(Pool.ROW_BLOCKS);
    assertThat(p.repairedBlocks()).isZero();
    assertThat(a.from).as("nothing written").isEqualTo(b.from).isNotEqualTo(-1);
    a.from = a.to = b.from = b.to = -1;
    assertThat(read(pool, 0, 2 * Pool.ROW_BLOCKS)).isEqualTo(stamp(0, 2 * Pool.ROW_BLOCKS, 1));
    pool.close();
  }

  @Test
  void theRateIsATokenBucketOnTheBytesRead() throws Exception {
    Pool pool = pool(Protection.MIRROR, 2);
    AtomicLong slept = new AtomicLong();
    AtomicLong now = new AtomicLong(); // a clock that moves only when the scrub sleeps
    long rate = 1 << 20; // 1 MiB/s; each row reads 1 MiB from each of two drives
    PoolScrub scrub = new PoolScrub(pool, "r1", rate, null, new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        return now.get();
      }

      @Override
      public boolean isWallClockBased() {
        return false;
      }
    }, nanos -> {
      slept.addAndGet(nanos);
      now.addAndGet(nanos);
    }, PoolScrub.CHECKPOINT_ROWS);
    scrub.run();
    long rows = scrub.progress().rows();
    long bytes = rows * 2 * Pool.ROW_BLOCKS * 512L;
    // The bucket starts full (one second's worth); the rest costs bytes / rate seconds.
    assertThat(slept.get()).isEqualTo(TimeUnit.SECONDS.toNanos(bytes - rate) / rate);
    pool.close();
  }

  @Test
  void aScrubStoppedMidwayResumesFromItsCheckpointWithItsCounts() throws Exception {
    Pool pool = pool(Protection.PARITY2, 4);
    ParityPool pp = (ParityPool) pool;
    long rowBlocksData = (long) Pool.ROW_BLOCKS * 2; // two data units per stripe
    pool.write(0, stamp(0, (int) (3 * rowBlocksData), 1), false);
    corrupt(pp.dataMember(0, 0), 1, 0); // row 0
    corrupt(pp.dataMember(Pool.ROW_BLOCKS / UNIT * 2, 1), 2 * Pool.ROW_BLOCKS + 1, 0); // row 2
    // Checkpoint every row; a first run stops after two rows (as a kill would leave it).
    PoolScrub first = new PoolScrub(pool, "r1", 0, null, TimeMeter.SYSTEM_NANOTIME, null, 1);
    first.run(2);
    pool.close();
    List<BlockDevice> again = new ArrayList<>(drives);
    Pool reopened = Pool.open("s", Protection.PARITY2, again);
    ScrubCheckpoint c = PoolScrub.last(reopened);
    assertThat(c.request()).isEqualTo("r1");
    assertThat(c.done()).isFalse();
    assertThat(c.nextRow()).isEqualTo(2);
    assertThat(c.repairedBlocks()).isEqualTo(1);
    PoolScrub resumed = PoolScrub.start(reopened, "r1", 0);
    assertThat(resumed.await(60, TimeUnit.SECONDS)).isTrue();
    PoolScrub.Progress p = resumed.progress();
    assertThat(p.state()).isEqualTo(PoolScrub.State.DONE);
    assertThat(p.repairedBlocks()).as("one before the stop, one after").isEqualTo(2);
    assertThat(PoolScrub.start(reopened, "r1", 0).progress().state())
        .as("the same request again is its result, not a new scrub").isEqualTo(PoolScrub.State.DONE);
    reopened.close();
  }
}
