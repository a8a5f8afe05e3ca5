package io.strata.engine.pool;

import static io.strata.engine.pool.MirrorPoolTest.read;
import static io.strata.engine.pool.MirrorPoolTest.stamp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.fake.FailingDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RAID-5/6 write hole: a partial-stripe write cut off by a crash between its data and its
 * parity, a restart, then a drive lost. The stripe's other, acknowledged data must still read
 * back, reconstructed; without the write-intent bitmap it does not (the control cases), which
 * shows the scenario really opens the hole.
 */
class WriteHoleTest {
  static final long SIZE = 6L << 20;
  static final int UNIT = ParityPool.UNIT_BLOCKS;

  /** Drives of one array, in memory, surviving "restarts". */
  final List<RamDevice> drives = new ArrayList<>();

  ParityPool open(Protection protection, List<? extends BlockDevice> members, boolean intent)
      throws IOException {
    return ParityPool.openParity("hole", protection, new ArrayList<>(members), intent);
  }

  /**
   * Writes generation 1 over the first stripe, then a small write of generation 2 at the start
   * of unit 0 that the power cuts after {@code landedWrites} member writes (the data first, then
   * P, then Q); restarts and returns the new pool over pullable drives.
   */
  ParityPool crashMidWriteAndRestart(Protection protection, int driveCount, int landedWrites,
      boolean intent, List<FailingDevice> pullable) throws IOException {
    for (int i = 0; i < driveCount; i++) {
      drives.add(new RamDevice(SIZE));
    }
    PowerCut power = new PowerCut();
    List<BlockDevice> wrapped = new ArrayList<>();
    for (RamDevice d : drives) {
      wrapped.add(power.wrap(d));
    }
    ParityPool pool = open(protection, wrapped, intent);
    int stripeBlocks = UNIT * (driveCount - (protection == Protection.PARITY2 ? 2 : 1));
    pool.write(0, stamp(0, stripeBlocks, 1), false); // acknowledged
    power.afterDataWrites(landedWrites);
    assertThatThrownBy(() -> pool.write(0, stamp(0, 8, 2), false))
        .isInstanceOf(PowerCut.PowerLost.class);
    assertThat(power.off()).isTrue();
    try {
      pool.close(); // stops the dead pool's background thread
    } catch (PowerCut.PowerLost expected) {
      // its last flush meets the cut power too
    }
    // Restart: a new pool over the same drives; the old one is dead (every I/O fails).
    for (RamDevice d : drives) {
      pullable.add(new FailingDevice(d));
    }
    return open(protection, pullable, intent);
  }

  /** Unit 0's first 8 blocks hold the old or the new write, never a mix or garbage. */
  static void assertInterruptedWriteIsAllOrNothing(ParityPool pool) throws IOException {
    assertThat(read(pool, 0, 8)).isIn(stamp(0, 8, 1), stamp(0, 8, 2));
  }

  @Test
  void raid5DataWithoutParityIsResyncedAtRestartSoALostDriveReconstructsCorrectly()
      throws Exception {
    List<FailingDevice> d = new ArrayList<>();
    ParityPool pool = crashMidWriteAndRestart(Protection.PARITY, 4, 1, true, d);
    d.get(pool.dataMember(0, 1)).pull(); // the drive of the stripe's acknowledged unit 1
    assertThat(read(pool, UNIT, UNIT)).as("unit 1, reconstructed from data and parity")
        .isEqualTo(stamp(UNIT, UNIT, 1));
    assertThat(read(pool, 2 * UNIT, UNIT)).isEqualTo(stamp(2 * UNIT, UNIT, 1));
    assertInterruptedWriteIsAllOrNothing(pool);
    pool.close();
  }

  @Test
  void raid5WithoutTheBitmapReconstructsGarbage() throws Exception {
    List<FailingDevice> d = new ArrayList<>();
    ParityPool pool = crashMidWriteAndRestart(Protection.PARITY, 4, 1, false, d);
    d.get(pool.dataMember(0, 1)).pull();
    assertThat(read(pool, UNIT, 8)).as("the hole: stale parity").isNotEqualTo(stamp(UNIT, 8, 1));
    pool.close();
  }

  @Test
  void raid6DataWithoutPAndQIsResyncedSoTwoLostDataDrivesReconstructCorrectly()
      throws Exception {
    List<FailingDevice> d = new ArrayList<>();
    ParityPool pool = crashMidWriteAndRestart(Protection.PARITY2, 5, 1, true, d);
    d.get(pool.dataMember(0, 1)).pull();
    d.get(pool.dataMember(0, 2)).pull();
    assertThat(read(pool, UNIT, 2 * UNIT)).as("units 1 and 2, solved from P and Q")
        .isEqualTo(stamp(UNIT, 2 * UNIT, 1));
    assertInterruptedWriteIsAllOrNothing(pool);
    pool.close();
  }

  @Test
  void raid6DataAndPWithoutQIsResyncedSoADataDriveAndPReconstructFromQ() throws Exception {
    List<FailingDevice> d = new ArrayList<>();
    ParityPool pool = crashMidWriteAndRestart(Protection.PARITY2, 5, 2, true, d);
    d.get(pool.dataMember(0, 1)).pull();
    d.get(pool.parityMember(0)).pull();
    assertThat(read(pool, UNIT, UNIT)).as("unit 1, solved from Q")
        .isEqualTo(stamp(UNIT, UNIT, 1));
    assertInterruptedWriteIsAllOrNothing(pool);
    pool.close();
  }

  @Test
  void raid6WithoutTheBitmapReconstructsGarbageFromAStaleQ() throws Exception {
    List<FailingDevice> d = new ArrayList<>();
    ParityPool pool = crashMidWriteAndRestart(Protection.PARITY2, 5, 2, false, d);
    d.get(pool.dataMember(0, 1)).pull();
    d.get(pool.parityMember(0)).pull();
    assertThat(read(pool, UNIT, 8)).as("the hole: stale Q").isNotEqualTo(stamp(UNIT, 8, 1));
    pool.close();
  }

  @Test
  void aCleanStopLeavesNothingToResyncAndATornBitmapBlockCountsAsDirty() throws Exception {
    for (int i = 0; i < 3; i++) {
      drives.add(new RamDevice(SIZE));
    }
    ParityPool pool = open(Protection.PARITY, drives, true);
    pool.write(0, stamp(0, 16, 1), false);
    WriteIntentBitmap bitmapOfRunningPool = new WriteIntentBitmap(pool, 4);
    assertThat(bitmapOfRunningPool.load()).as("dirty on the drives while the write is recent")
        .containsExactly(0L);
    pool.close();
    ParityPool reopened = open(Protection.PARITY, drives, true);
    assertThat(new WriteIntentBitmap(reopened, 4).load()).as("after a clean stop").isEmpty();
    // Tear the bitmap block of one drive: its checksum no longer matches.
    ByteBuffer block = ByteBuffer.allocate(512);
    drives.get(1).read(WriteIntentBitmap.FIRST_BLOCK, block);
    block.put(100, (byte) 1);
    drives.get(1).write(WriteIntentBitmap.FIRST_BLOCK, block.clear(), true);
    assertThat(new WriteIntentBitmap(reopened, 4).load()).containsExactly(0L);
    reopened.close();
  }

  /**
   * Mirrors have the same hole in another form: a write the crash left on one copy only. Reads
   * rotate over the copies, so without a resync the block would read new, old, new: a value
   * the host already read (and may have acted on) would go back.
   */
  @Test
  void mirrorCopiesACrashLeftDifferentAreMadeEqualAtRestart() throws Exception {
    for (int i = 0; i < 2; i++) {
      drives.add(new RamDevice(SIZE));
    }
    PowerCut power = new PowerCut();
    Pool pool = Pool.open("m", Protection.MIRROR, List.of(power.wrap(drives.get(0)),
        power.wrap(drives.get(1))));
    pool.write(0, stamp(0, 64, 1), false);
    power.afterDataWrites(1); // the first copy takes the write, the second does not
    assertThatThrownBy(() -> pool.write(0, stamp(0, 64, 2), false))
        .isInstanceOf(PowerCut.PowerLost.class);
    try {
      pool.close();
    } catch (PowerCut.PowerLost expected) {
      // the dead pool's last flush
    }
    Pool restarted = Pool.open("m", Protection.MIRROR, new ArrayList<>(drives));
    ByteBuffer first = read(restarted, 0, 64);
    assertThat(first).isIn(stamp(0, 64, 1), stamp(0, 64, 2));
    for (int k = 0; k < 4; k++) { // reads rotate over both copies
      assertThat(read(restarted, 0, 64)).as("read %d", k).isEqualTo(first);
    }
    restarted.close();
  }
}
