package io.strata.engine.pool;

import static io.strata.engine.pool.MirrorPoolTest.read;
import static io.strata.engine.pool.MirrorPoolTest.stamp;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.fake.FailingDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What every parity pool must do, run by {@link ParityPoolTest} (RAID-5) and
 * {@link DoubleParityPoolTest} (RAID-6): read and write with as many drives lost as its
 * protection allows, rebuild their replacements while a writer keeps writing, and then lose as
 * many other drives, everything coming from the rebuilt ones.
 */
abstract class ParityPoolContract {
  /** Pieces of 40 blocks cross stripe units and stripes: partial-unit updates happen. */
  static final int PIECE = 40;

  private final Protection protection;
  private final int drives;
  private final List<Integer> lostFirst;
  private final List<Integer> lostAfterRebuild;
  private final long writerSeed;

  /**
   * @param lostFirst the drives lost, then replaced and rebuilt under load
   * @param lostAfterRebuild other original drives lost once the rebuild is done
   */
  ParityPoolContract(Protection protection, int drives, List<Integer> lostFirst,
      List<Integer> lostAfterRebuild, long writerSeed) {
    this.protection = protection;
    this.drives = drives;
    this.lostFirst = lostFirst;
    this.lostAfterRebuild = lostAfterRebuild;
    this.writerSeed = writerSeed;
  }

  /** A new blank member that a test can pull. */
  abstract FailingDevice newDrive(String name) throws IOException;

  static void writeAll(Pool pool, long[] generation, long g) throws IOException {
    for (int k = 0; k < generation.length; k++) {
      pool.write((long) k * PIECE, stamp((long) k * PIECE, PIECE, g), false);
      generation[k] = g;
    }
  }

  /** Reads 64 pieces at a time (fewer, larger reads), compares piece by piece. */
  static void assertAll(Pool pool, long[] generation, String what) throws IOException {
    for (int first = 0; first < generation.length; first += 64) {
      int pieces = Math.min(64, generation.length - first);
      ByteBuffer got = read(pool, (long) first * PIECE, pieces * PIECE);
      for (int k = first; k < first + pieces; k++) {
        int at = (k - first) * PIECE * 512;
        assertThat(got.slice(at, PIECE * 512)).as("%s: piece %d", what, k)
            .isEqualTo(stamp((long) k * PIECE, PIECE, generation[k]));
      }
    }
  }

  /** Rewrites random pieces with ever newer generations until stopped. */
  static final class BackgroundWriter extends Thread {
    private final Pool pool;
    private final long[] generation;
    private final Random random;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> error = new AtomicReference<>();

    BackgroundWriter(Pool pool, long[] generation, long seed) {
      super("background-writer");
      this.pool = pool;
      this.generation = generation;
      this.random = new Random(seed);
    }

    @Override
    public void run() {
      try {
        while (!stop.get()) {
          int k = random.nextInt(generation.length);
          long g;
          synchronized (generation) {
            g = ++generation[k];
          }
          pool.write((long) k * PIECE, stamp((long) k * PIECE, PIECE, g), false);
        }
      } catch (Throwable t) {
        error.set(t);
      }
    }

    /** Stops, and returns what made it stop early (null: nothing). */
    Throwable stopWriting() throws InterruptedException {
      stop.set(true);
      join();
      return error.get();
    }
  }

  @Test
  void lostDrivesAreServedFromParityThenRebuiltUnderLoadAndThenOthersCanGo() throws Exception {
    List<FailingDevice> d = new ArrayList<>();
    for (int i = 0; i < drives; i++) {
      d.add(newDrive("d" + i));
    }
    Pool pool = Pool.open(protection.name().toLowerCase(), protection, new ArrayList<>(d));
    int redundancy = protection == Protection.PARITY2 ? 2 : 1;
    long rowBlocks = (d.get(0).blockCount() - Pool.DATA_OFFSET_BLOCKS) / Pool.ROW_BLOCKS
        * Pool.ROW_BLOCKS;
    assertThat(pool.blockCount()).as("%d drives of data", drives - redundancy)
        .isEqualTo((drives - redundancy) * rowBlocks);
    long[] generation = new long[(int) (pool.blockCount() / PIECE)];
    writeAll(pool, generation, 1);

    lostFirst.forEach(i -> d.get(i).pull());
    String lost = "drives " + lostFirst + " lost";
    assertAll(pool, generation, lost);
    for (int k = 0; k < generation.length; k += 4) { // degraded writes, data or parity lost
      pool.write((long) k * PIECE, stamp((long) k * PIECE, PIECE, 2), false);
      generation[k] = 2;
    }
    assertAll(pool, generation, lost + ", after degraded writes");

    BackgroundWriter writer = new BackgroundWriter(pool, generation, writerSeed);
    writer.start();
    for (int i : lostFirst) {
      pool.replace(i, newDrive("d" + i + "-new")); // a second one is rebuilt after the first
    }
    assertThat(pool.awaitRebuild(120, TimeUnit.SECONDS)).isTrue();
    assertThat(writer.stopWriting()).isNull();
    assertThat(pool.states()).containsOnly(MemberState.ONLINE);

    lostAfterRebuild.forEach(i -> d.get(i).pull());
    assertAll(pool, generation, "after the rebuild, drives " + lostAfterRebuild + " lost");
    pool.close();
  }
}
