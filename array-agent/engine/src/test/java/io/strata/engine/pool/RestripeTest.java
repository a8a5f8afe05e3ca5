package io.strata.engine.pool;

import static io.strata.engine.pool.MirrorPoolTest.read;
import static io.strata.engine.pool.MirrorPoolTest.stamp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * A RAID-5/6 pool grows onto more drives by a background restripe: every block keeps its data
 * while host I/O goes on, every stripe ends with right parity over all members, the new capacity
 * is there at the end, and an engine killed at any point (within a batch or between two) opens
 * again from its drives with nothing lost and finishes the restripe.
 */
class RestripeTest {
  static final long SIZE = 4L << 20;
  static final int CHUNK = 64;
  static final int UNIT = ParityPool.UNIT_BLOCKS;

  static List<RamDevice> drives(int count, long size) {
    List<RamDevice> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(new RamDevice(size));
    }
    return out;
  }

  static List<BlockDevice> wrapped(List<RamDevice> ram, PowerCut power) {
    List<BlockDevice> out = new ArrayList<>();
    ram.forEach(d -> out.add(power.wrap(d)));
    return out;
  }

  /** Lets a pool whose drives lost power go (its threads stop), as the dead process would. */
  static void dead(ParityPool pool) {
    try {
      pool.close();
    } catch (IOException | PowerCut.PowerLost expected) {
      // its drives are off
    }
  }

  static ParityPool open(Protection protection, List<? extends BlockDevice> drives)
      throws IOException {
    return ParityPool.openParity("rs", protection, new ArrayList<>(drives), true);
  }

  static void writeAll(BlockDevice pool, long blocks, long generation) throws IOException {
    for (long lba = 0; lba < blocks; lba += CHUNK) {
      pool.write(lba, stamp(lba, CHUNK, generation), false);
    }
  }

  static void assertChunks(BlockDevice pool, long[] generations) throws IOException {
    for (int c = 0; c < generations.length; c++) {
      long lba = (long) c * CHUNK;
      assertThat(read(pool, lba, CHUNK)).as("blocks %d+%d", lba, CHUNK)
          .isEqualTo(stamp(lba, CHUNK, generations[c]));
    }
  }

  /** P (and Q) of every stripe, read from the drives, match the stripe's data units. */
  static void assertParity(ParityPool pool, List<? extends BlockDevice> drives)
      throws IOException {
    int parities = pool.protection() == Protection.PARITY2 ? 2 : 1;
    int dataUnits = pool.memberCount() - parities;
    int bytes = UNIT * Pool.BLOCK_SIZE;
    for (long s = 0; s < pool.stripes(); s++) {
      long at = Pool.DATA_OFFSET_BLOCKS + s * UNIT;
      byte[] p = new byte[bytes];
      byte[] q = new byte[bytes];
      for (int i = 0; i < dataUnits; i++) {
        byte[] unit = unit(drives.get(pool.dataMember(s, i)), at, bytes);
        for (int k = 0; k < bytes; k++) {
          p[k] ^= unit[k];
        }
        Gf256.mulXorInto(q, unit, Gf256.table(Gf256.power(i)));
      }
      assertThat(unit(drives.get(pool.parityMember(s)), at, bytes)).as("P of stripe %d", s)
          .isEqualTo(p);
      if (parities == 2) {
        assertThat(unit(drives.get(pool.qMember(s)), at, bytes)).as("Q of stripe %d", s)
            .isEqualTo(q);
      }
    }
  }

  /**
   * Opens the pool on {@code ram}, waits for its restripe to end, and checks that every block
   * holds what {@link #writeAll} wrote at generation 1 over {@code oldBlocks} and every parity.
   */
  static ParityPool finishedWithFirstData(Protection protection, List<RamDevice> ram,
      long oldBlocks) throws IOException, InterruptedException {
    ParityPool pool = open(protection, ram);
    assertThat(pool.awaitRestripe(2, TimeUnit.MINUTES)).isTrue();
    assertThat(pool.restriping()).isFalse();
    long[] generations = new long[(int) (oldBlocks / CHUNK)];
    Arrays.fill(generations, 1);
    assertChunks(pool, generations);
    assertParity(pool, ram);
    return pool;
  }

  private static byte[] unit(BlockDevice d, long lba, int bytes) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    d.read(lba, b);
    return b.array();
  }

  // ---- the address mapping and the order of the batches (the crash-safety argument) ----

  @Property(tries = 300)
  void everyBatchOverwritesOnlyRowsWhoseDataIsCopiedOrBackedUp(
      @ForAll @IntRange(min = 3, max = 15) int oldMembers,
      @ForAll @IntRange(min = 1, max = 13) int added,
      @ForAll @IntRange(min = 1, max = 2) int parities,
      @ForAll @IntRange(min = 32, max = 400) int total) {
    int newMembers = Math.min(16, oldMembers + added);
    if (newMembers <= oldMembers || oldMembers - parities < 2) {
      return;
    }
    int oldUnits = oldMembers - parities;
    int newUnits = newMembers - parities;
    long oldPer = (long) oldUnits * UNIT;
    long newPer = (long) newUnits * UNIT;
    long a = 0;
    while (a < total) {
      boolean backup = ParityPool.needsBackup(a, oldUnits, newUnits);
      long b = backup ? a + 1 : ParityPool.batchEnd(a, total, oldUnits, newUnits);
      assertThat(b).as("progress from %d", a).isGreaterThan(a);
      assertThat((b - 1) / ParityPool.STRIPES_PER_ROW).as("one row")
          .isEqualTo(a / ParityPool.STRIPES_PER_ROW);
      // the old stripes [a, b) it overwrites hold pool blocks below b·oldPer: those below a·newPer
      // are in the new stripes already written; the others must be in this batch, backed up
      long overwrittenEnd = b * oldPer;
      if (backup) {
        assertThat(a).as("backups only in the first row (the backup lives in the last)")
            .isLessThan(ParityPool.STRIPES_PER_ROW);
        assertThat(overwrittenEnd).isLessThanOrEqualTo(b * newPer);
      } else {
        assertThat(overwrittenEnd).as("batch [%d, %d) overwrites nothing uncopied", a, b)
            .isLessThanOrEqualTo(a * newPer);
        // and what it reads (old stripes of blocks [a·newPer, b·newPer)) is at or above b
        assertThat(a * newPer / oldPer).isGreaterThanOrEqualTo(b);
      }
      a = b;
    }
  }

  @Property(tries = 500)
  void blocksAboveThePositionStayInOldStripesAboveIt(
      @ForAll @IntRange(min = 3, max = 15) int oldMembers,
      @ForAll @IntRange(min = 1, max = 13) int added,
      @ForAll @IntRange(min = 1, max = 2) int parities,
      @ForAll @LongRange(min = 0, max = 10_000) long position,
      @ForAll @LongRange(min = 0, max = 10_000_000) long lba) {
    int newMembers = Math.min(16, oldMembers + added);
    if (newMembers <= oldMembers || oldMembers - parities < 1) {
      return;
    }
    ParityPool.Geometry from = new ParityPool.Geometry(oldMembers, parities);
    ParityPool.Geometry to = new ParityPool.Geometry(newMembers, parities);
    ParityPool.Geometry g = ParityPool.layoutOf(lba, position, from, to);
    long stripe = lba / g.perStripe();
    if (g == to) {
      assertThat(stripe).as("a block in the new layout is in a stripe already moved")
          .isLessThan(position);
    } else {
      assertThat(stripe).as("a block in the old layout is in a stripe not yet overwritten")
          .isGreaterThanOrEqualTo(position);
    }
    int index = (int) (lba % g.perStripe() / UNIT);
    int member = g.data(stripe, index);
    assertThat(member).isBetween(0, g.members() - 1)
        .isNotEqualTo(g.parity(stripe));
    if (parities == 2) {
      assertThat(member).isNotEqualTo(g.q(stripe));
    }
  }

  // ---- whole restripes ----

  @Test
  void raid5GrowsByTwoDrivesWhileAWriterWritesAndKeepsEveryBlock() throws Exception {
    growsWhileWriting(Protection.PARITY, 3, 2);
  }

  @Test
  void raid6GrowsByOneDriveWhileAWriterWritesAndKeepsEveryBlock() throws Exception {
    growsWhileWriting(Protection.PARITY2, 4, 1);
  }

  @Test
  void raid5WithSeveralBackedUpStripesGrowsByOne() throws Exception {
    growsWhileWriting(Protection.PARITY, 6, 1); // four data units onto five: stripes 0-4 backed up
  }

  private void growsWhileWriting(Protection protection, int before, int added)
      throws Exception {
    List<RamDevice> ram = drives(before + added, 8L << 20);
    ParityPool pool = open(protection, ram.subList(0, before));
    long oldBlocks = pool.blockCount();
    writeAll(pool, oldBlocks, 1);
    long[] generations = new long[(int) (oldBlocks / CHUNK)];
    Arrays.fill(generations, 1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    AtomicInteger duringRestripe = new AtomicInteger();
    java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
    Thread writer = new Thread(() -> {
      Random random = new Random(7);
      long generation = 2;
      try {
        do {
          int c = random.nextInt(generations.length);
          boolean restriping = pool.restriping();
          pool.write((long) c * CHUNK, stamp((long) c * CHUNK, CHUNK, generation), false);
          generations[c] = generation++;
          if (restriping && pool.restriping()) {
            duringRestripe.incrementAndGet();
          }
          writing.countDown();
        } while (!stop.get());
      } catch (Throwable t) {
        failed.set(t);
        writing.countDown();
      }
    });
    AtomicInteger grown = new AtomicInteger();
    pool.whenRestriped(grown::incrementAndGet);
    writer.start();
    writing.await();
    pool.restripe(new ArrayList<>(ram.subList(before, before + added)));
    assertThat(pool.memberCount()).isEqualTo(before + added);
    assertThat(pool.awaitRestripe(2, TimeUnit.MINUTES)).isTrue();
    stop.set(true);
    writer.join();
    assertThat(failed.get()).isNull();
    assertThat(pool.restripeError()).isNull();

    int parities = protection == Protection.PARITY2 ? 2 : 1;
    assertThat(pool.restriping()).isFalse();
    assertThat(grown.get()).isEqualTo(1);
    assertThat(pool.blockCount())
        .isEqualTo(oldBlocks / (before - parities) * (before + added - parities));
    assertThat(pool.formerBlockCounts()).containsExactly(oldBlocks);
    assertChunks(pool, generations);
    assertParity(pool, ram);
    // the new capacity takes writes and reads them back
    long newBlocks = pool.blockCount();
    pool.write(newBlocks - CHUNK, stamp(newBlocks - CHUNK, CHUNK, 9), false);
    assertThat(read(pool, newBlocks - CHUNK, CHUNK)).isEqualTo(stamp(newBlocks - CHUNK, CHUNK, 9));
    pool.close();

    ParityPool again = open(protection, ram);
    assertThat(again.restriping()).isFalse();
    assertThat(again.blockCount()).isEqualTo(newBlocks);
    assertThat(again.formerBlockCounts()).containsExactly(oldBlocks);
    assertChunks(again, generations);
    assertParity(again, ram);
    again.close();
  }

  @Test
  void aRestripeStoppedBetweenBatchesByCloseResumesAtTheNextOpen() throws Exception {
    List<RamDevice> ram = drives(5, SIZE);
    ParityPool pool = open(Protection.PARITY, ram.subList(0, 4));
    long oldBlocks = pool.blockCount();
    writeAll(pool, oldBlocks, 1);
    pool.restripe(new ArrayList<>(ram.subList(4, 5)));
    pool.close(); // the restripe stops after its batch, wherever it is
    finishedWithFirstData(Protection.PARITY, ram, oldBlocks).close();
  }

  /**
   * Kills the restripe (every drive stops at once, as the engine's process dies) after each
   * number of data writes in turn, within the backed-up first stripes and the batches after them,
   * then opens the pool from its drives: every block reads back as written and the restripe ends.
   */
  @Test
  void aRestripeKilledAtAnyWriteLosesNothingAndFinishesAtTheNextOpen() throws Exception {
    killedAtEveryWrite(Protection.PARITY, 4, 1, 90);
    killedAtEveryWrite(Protection.PARITY2, 5, 2, 40);
  }

  private void killedAtEveryWrite(Protection protection, int before, int added, int writes)
      throws Exception {
    List<RamDevice> base = drives(before + added, SIZE);
    ParityPool first = open(protection, base.subList(0, before));
    long oldBlocks = first.blockCount();
    writeAll(first, oldBlocks, 1);
    first.close();
    for (int k = 0; k < writes; k++) {
      List<RamDevice> ram = new ArrayList<>();
      base.forEach(d -> ram.add(d.copy()));
      PowerCut power = new PowerCut();
      List<BlockDevice> wrapped = wrapped(ram, power);
      ParityPool pool = open(protection, wrapped.subList(0, before));
      power.afterDataWrites(k);
      try {
        pool.restripe(new ArrayList<>(wrapped.subList(before, before + added)));
      } catch (PowerCut.PowerLost expected) {
        // killed while the new drives were prepared, before the checkpoint or the labels
      }
      pool.awaitRestripe(2, TimeUnit.MINUTES);
      boolean killed = power.off();
      dead(pool);
      // a second kill, in the restart's own restripe, for every third point
      if (k % 3 == 0 && killed) {
        PowerCut again = new PowerCut();
        List<BlockDevice> rewrapped = wrapped(ram, again);
        again.afterDataWrites(k / 3 + 1);
        try {
          ParityPool restarted = open(protection, rewrapped);
          restarted.awaitRestripe(2, TimeUnit.MINUTES);
          dead(restarted);
        } catch (PowerCut.PowerLost expected) {
          // killed during the open's own redo of a backed-up stripe
        }
      }
      ParityPool reopened = finishedWithFirstData(protection, ram, oldBlocks);
      assertThat(reopened.memberCount()).as("killed after %d writes", k).isEqualTo(before + added);
      reopened.close();
      if (!killed) {
        break; // the restripe finished before the k-th write: every point was tried
      }
    }
  }

  /**
   * The engine stopped after the new drives were listed but before the restripe's checkpoint
   * reached any drive: the pool opens with the new drives (the labels say fewer) and restripes
   * from the first stripe.
   */
  @Test
  void aPoolOpenedWithMoreDrivesThanItsLabelsSayRestripesOntoThem() throws Exception {
    List<RamDevice> ram = drives(5, SIZE);
    ParityPool pool = open(Protection.PARITY, ram.subList(0, 3));
    long oldBlocks = pool.blockCount();
    writeAll(pool, oldBlocks, 1);
    pool.close();
    ParityPool grown = finishedWithFirstData(Protection.PARITY, ram, oldBlocks);
    assertThat(grown.blockCount()).isEqualTo(oldBlocks * 2);
    grown.close();
  }

  /**
   * A new drive that held a backup of another restripe of the same widths (a drive's former
   * life) and a kill before this restripe's own backup of stripe 0: the old backup is never
   * taken for this pool's stripe 0.
   */
  @Test
  void aBackupFromADrivesFormerLifeIsNeverTakenForThisPools() throws Exception {
    for (int cutAfter = 0; cutAfter < 2; cutAfter++) {
      List<RamDevice> ram = drives(4, SIZE);
      ParityPool pool = open(Protection.PARITY, ram.subList(0, 3));
      long oldBlocks = pool.blockCount();
      writeAll(pool, oldBlocks, 1);
      pool.close();
      byte[] foreign = new byte[(int) (3 * UNIT * Pool.BLOCK_SIZE)];
      Arrays.fill(foreign, (byte) 0x5a);
      long backupLba = Pool.DATA_OFFSET_BLOCKS + (SIZE / 512 - Pool.DATA_OFFSET_BLOCKS)
          / Pool.ROW_BLOCKS * Pool.ROW_BLOCKS - Pool.ROW_BLOCKS;
      ram.get(3).write(backupLba, new RestripeBackup(3, 4, 0, foreign).encode(), true);

      PowerCut power = new PowerCut();
      List<BlockDevice> wrapped = wrapped(ram, power);
      ParityPool cut = open(Protection.PARITY, wrapped.subList(0, 3));
      power.afterDataWrites(cutAfter);
      try {
        cut.restripe(List.of(wrapped.get(3)));
      } catch (PowerCut.PowerLost expected) {
        // killed while the new drive was prepared
      }
      cut.awaitRestripe(2, TimeUnit.MINUTES);
      assertThat(power.off()).isTrue();
      dead(cut);
      finishedWithFirstData(Protection.PARITY, ram, oldBlocks).close();
    }
  }

  @Test
  void aRestripeStoppedPartWayRefusesToOpenWithoutItsNewDrives() throws Exception {
    List<RamDevice> ram = drives(4, SIZE);
    ParityPool pool = open(Protection.PARITY, ram.subList(0, 3));
    writeAll(pool, pool.blockCount(), 1);
    PowerCut power = new PowerCut();
    List<BlockDevice> wrapped = wrapped(ram, power);
    pool.close();
    ParityPool cut = open(Protection.PARITY, wrapped.subList(0, 3));
    power.afterDataWrites(30);
    cut.restripe(List.of(wrapped.get(3)));
    cut.awaitRestripe(2, TimeUnit.MINUTES);
    assertThat(power.off()).isTrue();
    dead(cut);
    assertThatThrownBy(() -> open(Protection.PARITY, ram.subList(0, 3)))
        .isInstanceOf(IOException.class);
  }

  @Test
  void aDegradedOrRestripingPoolDoesNotGrow() throws Exception {
    List<RamDevice> ram = drives(6, SIZE);
    ParityPool pool = open(Protection.PARITY, ram.subList(0, 3));
    pool.restripe(List.of(ram.get(3)));
    if (pool.restriping()) {
      assertThatThrownBy(() -> pool.restripe(List.of(ram.get(4))))
          .isInstanceOf(IllegalStateException.class);
    }
    pool.awaitRestripe(2, TimeUnit.MINUTES);
    assertThatThrownBy(() -> pool.restripe(drives(13, SIZE).stream()
        .map(d -> (BlockDevice) d).toList())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 16");
    pool.close();
  }
}
