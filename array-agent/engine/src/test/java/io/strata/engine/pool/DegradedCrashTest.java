package io.strata.engine.pool;

import static io.strata.engine.pool.MirrorPoolTest.read;
import static io.strata.engine.pool.MirrorPoolTest.stamp;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * A RAID-5/6 pool that is degraded (a drive missing) and crashes in the middle of a write: at the
 * next start, still degraded, every acknowledged block must read back, including those that live
 * on the missing drive and are solved from parity. The stripe journal makes that so; without it
 * (the write-intent bitmap cannot resync a stripe whose data unit is missing) the missing unit
 * of a half-written stripe is solved from stale parity.
 */
class DegradedCrashTest {
  static final long SIZE = 6L << 20;
  static final int UNIT = ParityPool.UNIT_BLOCKS;

  /** Opens the pool over {@code drives} with the members in {@code missing} absent. */
  static ParityPool open(Protection protection, List<? extends BlockDevice> drives,
      Set<Integer> missing) throws IOException {
    List<BlockDevice> members = new ArrayList<>();
    for (int i = 0; i < drives.size(); i++) {
      members.add(missing.contains(i) ? null : drives.get(i));
    }
    return ParityPool.openParity("deg", protection, members, true);
  }

  /** A small write to unit 0 of stripe 0, cut after {@code landed} member writes. */
  static List<RamDevice> crashWhileDegraded(Protection protection, int driveCount,
      Set<Integer> missing, int unit, int landed) throws IOException {
    List<RamDevice> drives = new ArrayList<>();
    for (int i = 0; i < driveCount; i++) {
      drives.add(new RamDevice(SIZE));
    }
    ParityPool healthy = open(protection, drives, Set.of());
    int stripeBlocks = UNIT * (driveCount - (protection == Protection.PARITY2 ? 2 : 1));
    healthy.write(0, stamp(0, stripeBlocks, 1), false);
    healthy.close();
    PowerCut power = new PowerCut();
    List<BlockDevice> wrapped = new ArrayList<>();
    drives.forEach(d -> wrapped.add(power.wrap(d)));
    ParityPool degraded = open(protection, wrapped, missing);
    power.afterDataWrites(landed);
    try {
      degraded.write((long) unit * UNIT, stamp((long) unit * UNIT, 8, 2), false);
    } catch (PowerCut.PowerLost expected) {
      // the crash
    }
    assertThat(power.off()).as("the power was cut mid-write").isTrue();
    try {
      degraded.close();
    } catch (PowerCut.PowerLost expected) {
      // the dead pool's last flush
    }
    return drives;
  }

  @Test
  void raid5DataWithoutParityWhileAnotherDataDriveIsMissing() throws Exception {
    List<RamDevice> d = new ArrayList<>();
    ParityPool probe = open(Protection.PARITY, ramDrives(4, d), Set.of());
    int lost = probe.dataMember(0, 1);
    probe.close();
    List<RamDevice> drives = crashWhileDegraded(Protection.PARITY, 4, Set.of(lost), 0, 1);
    ParityPool restarted = open(Protection.PARITY, drives, Set.of(lost));
    assertThat(restarted.degraded()).isTrue();
    assertThat(read(restarted, UNIT, UNIT)).as("unit 1, on the missing drive, solved from P")
        .isEqualTo(stamp(UNIT, UNIT, 1));
    assertThat(read(restarted, 0, 8)).isIn(stamp(0, 8, 1), stamp(0, 8, 2));
    restarted.close();
  }

  @Test
  void raid6DataAndPWithoutQWhileTwoDataDrivesAreMissing() throws Exception {
    List<RamDevice> d = new ArrayList<>();
    ParityPool probe = open(Protection.PARITY2, ramDrives(5, d), Set.of());
    Set<Integer> lost = Set.of(probe.dataMember(0, 1), probe.dataMember(0, 2));
    probe.close();
    for (int landed = 1; landed <= 2; landed++) {
      List<RamDevice> drives = crashWhileDegraded(Protection.PARITY2, 5, lost, 0, landed);
      ParityPool restarted = open(Protection.PARITY2, drives, lost);
      assertThat(read(restarted, UNIT, 2 * UNIT)).as("units 1 and 2 solved, %d landed", landed)
          .isEqualTo(stamp(UNIT, 2 * UNIT, 1));
      assertThat(read(restarted, 0, 8)).isIn(stamp(0, 8, 1), stamp(0, 8, 2));
      restarted.close();
    }
  }

  @Test
  void aWriteToTheMissingUnitItselfReadsOldOrNewAndTheOthersStay() throws Exception {
    List<RamDevice> d = new ArrayList<>();
    ParityPool probe = open(Protection.PARITY2, ramDrives(5, d), Set.of());
    int lost = probe.dataMember(0, 1);
    probe.close();
    List<RamDevice> drives = crashWhileDegraded(Protection.PARITY2, 5, Set.of(lost), 1, 1);
    Set<Integer> alsoP = new TreeSet<>(Set.of(lost));
    ParityPool restarted = open(Protection.PARITY2, drives, Set.of(lost));
    ByteBuffer unit1 = read(restarted, UNIT, 8);
    assertThat(unit1).isIn(stamp(UNIT, 8, 1), stamp(UNIT, 8, 2));
    restarted.close();
    // Whichever it reads, P and Q agree on it: losing P as well still reads the same.
    alsoP.add(restarted.parityMember(0));
    ParityPool withoutP = open(Protection.PARITY2, drives, alsoP);
    assertThat(read(withoutP, UNIT, 8)).isEqualTo(unit1);
    assertThat(read(withoutP, 0, UNIT)).isEqualTo(stamp(0, UNIT, 1));
    withoutP.close();
  }

  /**
   * Random parity pools with random drives missing, random writes, the power cut after a random
   * number of member writes of a random write; after the restart (still degraded) every block
   * holds its last acknowledged write, or the write in flight.
   */
  @Property(tries = 40)
  void everyAcknowledgedBlockSurvivesACrashWhileDegraded(@ForAll long seed) throws Exception {
    Random random = new Random(seed);
    Protection protection = random.nextBoolean() ? Protection.PARITY : Protection.PARITY2;
    int parities = protection == Protection.PARITY2 ? 2 : 1;
    int driveCount = parities + 2 + random.nextInt(3);
    List<RamDevice> drives = new ArrayList<>();
    ParityPool healthy = open(protection, ramDrives(driveCount, drives), Set.of());
    int region = 6 * UNIT * (driveCount - parities); // six stripes
    long[] acked = new long[region];
    long[] inFlight = new long[region];
    Arrays.fill(acked, 1);
    healthy.write(0, stampRun(0, region, acked), false);
    healthy.close();
    Set<Integer> missing = new TreeSet<>();
    int lose = 1 + random.nextInt(parities);
    while (missing.size() < lose) {
      missing.add(random.nextInt(driveCount));
    }
    PowerCut power = new PowerCut();
    List<BlockDevice> wrapped = new ArrayList<>();
    drives.forEach(d -> wrapped.add(power.wrap(d)));
    ParityPool degraded = open(protection, wrapped, missing);
    int before = random.nextInt(12);
    long gen = 1;
    for (int w = 0; ; w++) {
      if (w == before) {
        power.afterDataWrites(random.nextInt(4));
      }
      int blocks = 1 + random.nextInt(2 * UNIT);
      int lba = random.nextInt(region - blocks);
      gen++;
      for (int b = 0; b < blocks; b++) {
        inFlight[lba + b] = gen;
      }
      try {
        degraded.write(lba, stampGen(lba, blocks, gen), false);
      } catch (PowerCut.PowerLost cut) {
        break;
      }
      System.arraycopy(inFlight, lba, acked, lba, blocks);
    }
    try {
      degraded.close();
    } catch (PowerCut.PowerLost expected) {
      // the dead pool's last flush
    }
    ParityPool restarted = open(protection, drives, missing);
    ByteBuffer all = read(restarted, 0, region);
    for (int b = 0; b < region; b++) {
      ByteBuffer block = all.duplicate().position(b * 512).limit(b * 512 + 512).slice();
      assertThat(block).as("%s of %d drives, %s missing: block %d", protection, driveCount,
              missing, b)
          .isIn(stamp(b, 1, acked[b]), stamp(b, 1, inFlight[b]));
    }
    restarted.close();
  }

  static List<RamDevice> ramDrives(int count, List<RamDevice> into) {
    for (int i = 0; i < count; i++) {
      into.add(new RamDevice(SIZE));
    }
    return into;
  }

  static ByteBuffer stampGen(long lba, int blocks, long gen) {
    return stamp(lba, blocks, gen);
  }

  static ByteBuffer stampRun(int lba, int blocks, long[] gens) {
    ByteBuffer b = ByteBuffer.allocate(blocks * 512);
    for (int i = 0; i < blocks; i++) {
      b.put(stamp(lba + i, 1, gens[lba + i]));
    }
    return b.flip();
  }
}
