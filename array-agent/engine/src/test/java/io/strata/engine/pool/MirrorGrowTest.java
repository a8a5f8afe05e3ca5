package io.strata.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.fake.FailingDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A two-way mirror grows by mirror pairs while it serves I/O: its capacity grows by a member's
 * data per pair, no block it held moves, each pair survives the loss of one of its drives, and a
 * grow an engine stop interrupted (some labels written, others not) is completed at the next open.
 */
class MirrorGrowTest {
  static final long SIZE = 8L << 20;

  static ByteBuffer stamp(long lba, int blocks, long generation) {
    return MirrorPoolTest.stamp(lba, blocks, generation);
  }

  static void writeAll(BlockDevice pool, long from, long to, long generation) throws IOException {
    for (long lba = from; lba < to; lba += 64) {
      pool.write(lba, stamp(lba, 64, generation), false);
    }
  }

  static void assertAll(BlockDevice pool, long from, long to, long generation) throws IOException {
    for (long lba = from; lba < to; lba += 64) {
      assertThat(MirrorPoolTest.read(pool, lba, 64)).as("block %d", lba)
          .isEqualTo(stamp(lba, 64, generation));
    }
  }

  /** A two-drive mirror on {@code a} and {@code b}, every block written; its size. */
  static long writtenAndClosed(RamDevice a, RamDevice b) throws IOException {
    MirrorPool pool = (MirrorPool) Pool.open("p", Protection.MIRROR, List.of(a, b));
    long half = pool.blockCount();
    writeAll(pool, 0, half, 1);
    pool.close();
    return half;
  }

  @Test
  void aPairAddedWhileAWriterWritesAddsItsCapacityAndKeepsEveryBlock() throws Exception {
    MirrorPool pool = (MirrorPool) Pool.open("p", Protection.MIRROR,
        List.of(new RamDevice(SIZE), new RamDevice(SIZE)));
    long before = pool.blockCount();
    writeAll(pool, 0, before, 1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
    Thread writer = new Thread(() -> {
      try {
        do { // the first rows, over and over, once at least
          pool.write(0, stamp(0, 64, 2), false);
          writing.countDown();
          writeAll(pool, 0, 64 * 32, 2);
        } while (!stop.get());
      } catch (Throwable t) {
        failed.set(t);
      }
    });
    writer.start();
    writing.await();
    pool.grow(List.of(new RamDevice(SIZE), new RamDevice(SIZE)));
    stop.set(true);
    writer.join();
    assertThat(failed.get()).isNull();

    assertThat(pool.memberCount()).isEqualTo(4);
    assertThat(pool.blockCount()).isEqualTo(2 * before);
    assertThat(pool.states()).containsOnly(MemberState.ONLINE);
    assertAll(pool, 0, 64 * 32, 2);
    assertAll(pool, 64 * 32, before, 1);
    writeAll(pool, before, 2 * before, 3); // the new capacity takes writes
    assertAll(pool, before, 2 * before, 3);
    assertThat(pool.formerBlockCounts()).containsExactly(before);
  }

  /** A request that spans two pairs reads and writes each part on its own pair. */
  @Test
  void aRequestAcrossTwoPairsReadsAndWritesEachPart() throws Exception {
    MirrorPool pool = (MirrorPool) Pool.open("p", Protection.MIRROR,
        List.of(new RamDevice(SIZE), new RamDevice(SIZE)));
    long half = pool.blockCount();
    pool.grow(List.of(new RamDevice(SIZE), new RamDevice(SIZE)));
    writeAll(pool, 0, 2 * half, 1);

    pool.write(half - 32, stamp(half - 32, 64, 2), false);

    assertThat(MirrorPoolTest.read(pool, half - 32, 64)).isEqualTo(stamp(half - 32, 64, 2));
    assertThat(MirrorPoolTest.read(pool, half - 64, 32)).as("before the request")
        .isEqualTo(stamp(half - 64, 32, 1));
    assertThat(MirrorPoolTest.read(pool, half + 32, 32)).as("after it")
        .isEqualTo(stamp(half + 32, 32, 1));
  }

  @Test
  void eachPairSurvivesTheLossOfOneOfItsDrivesButNotOfBoth() throws Exception {
    FailingDevice a = new FailingDevice(new RamDevice(SIZE));
    FailingDevice b = new FailingDevice(new RamDevice(SIZE));
    FailingDevice c = new FailingDevice(new RamDevice(SIZE));
    FailingDevice d = new FailingDevice(new RamDevice(SIZE));
    MirrorPool pool = (MirrorPool) Pool.open("p", Protection.MIRROR, List.of(a, b));
    long half = pool.blockCount();
    pool.grow(List.of(c, d));
    writeAll(pool, 0, 2 * half, 1);

    a.pull();
    d.pull(); // one drive of each pair: every block still has a copy
    assertAll(pool, 0, 2 * half, 1);
    writeAll(pool, 0, 2 * half, 2);
    assertAll(pool, 0, 2 * half, 2);
    assertThat(pool.states()).containsExactly(MemberState.FAILED, MemberState.ONLINE,
        MemberState.ONLINE, MemberState.FAILED);

    c.pull(); // the second pair's last copy
    assertThatThrownBy(() -> pool.read(half, ByteBuffer.allocate(512)))
        .isInstanceOf(IOException.class);
    assertAll(pool, 0, half, 2); // the first pair's blocks are still there
  }

  @Test
  void aGrowStoppedAfterTheNewLabelsOnlyIsCompletedWhenThePoolOpensAgain() throws Exception {
    RamDevice a = new RamDevice(SIZE);
    RamDevice b = new RamDevice(SIZE);
    long half = writtenAndClosed(a, b);
    // what the old members held before the grow: their labels as they were
    ByteBuffer labelA = MirrorPoolTest.read(a, 0, 1);
    ByteBuffer labelB = MirrorPoolTest.read(b, 0, 1);
    RamDevice c = new RamDevice(SIZE);
    RamDevice d = new RamDevice(SIZE);
    MirrorPool grown = (MirrorPool) Pool.open("p", Protection.MIRROR, List.of(a, b));
    grown.grow(List.of(c, d));
    grown.close();
    a.write(0, labelA, true); // the engine stopped before the old members' labels were rewritten
    b.write(0, labelB, true);

    MirrorPool reopened = (MirrorPool) Pool.open("p", Protection.MIRROR, List.of(a, b, c, d));
    assertThat(reopened.blockCount()).isEqualTo(2 * half);
    assertThat(reopened.states()).containsOnly(MemberState.ONLINE);
    assertAll(reopened, 0, half, 1);
    reopened.close();
    assertThat(Superblock.readFrom(a).memberCount()).isEqualTo(4); // completed on every label
  }

  @Test
  void aLayoutWithNewDrivesTheLabelsDoNotKnowYetOpensGrown() throws Exception {
    RamDevice a = new RamDevice(SIZE);
    RamDevice b = new RamDevice(SIZE);
    long half = writtenAndClosed(a, b);

    MirrorPool reopened = (MirrorPool) Pool.open("p", Protection.MIRROR,
        List.of(a, b, new RamDevice(SIZE), new RamDevice(SIZE)));
    assertThat(reopened.blockCount()).isEqualTo(2 * half);
    assertAll(reopened, 0, half, 1);
  }

  @Test
  void whatCannotGrowIsRefusedWithTheReasonAndThePoolIsUnchanged() throws Exception {
    MirrorPool three = (MirrorPool) Pool.open("p", Protection.MIRROR,
        List.of(new RamDevice(SIZE), new RamDevice(SIZE), new RamDevice(SIZE)));
    assertThatThrownBy(() -> three.grow(List.of(new RamDevice(SIZE), new RamDevice(SIZE))))
        .hasMessageContaining("three-way mirror; it cannot grow");

    MirrorPool two = (MirrorPool) Pool.open("q", Protection.MIRROR,
        List.of(new RamDevice(SIZE), new RamDevice(SIZE)));
    long before = two.blockCount();
    assertThatThrownBy(() -> two.grow(List.of(new RamDevice(SIZE))))
        .hasMessageContaining("an even number of drives, not 1");
    assertThatThrownBy(() -> two.grow(List.of(new RamDevice(SIZE), new RamDevice(SIZE / 2))))
        .hasMessageContaining("smaller than the pool's members");
    RamDevice foreign = new RamDevice(SIZE);
    Pool.open("other", Protection.MIRROR, List.of(foreign, new RamDevice(SIZE))).close();
    assertThatThrownBy(() -> two.grow(List.of(new RamDevice(SIZE), foreign)))
        .hasMessageContaining("belongs to pool 'other'");
    assertThat(two.memberCount()).isEqualTo(2);
    assertThat(two.blockCount()).isEqualTo(before);
  }
}
