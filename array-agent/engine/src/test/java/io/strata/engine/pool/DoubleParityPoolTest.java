package io.strata.engine.pool;

import static io.strata.engine.pool.MirrorPoolTest.read;
import static io.strata.engine.pool.MirrorPoolTest.stamp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.fake.FailingDevice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RAID-6 ({@code parity2}): P and Q, any two drives lost (every pair), a third one reported; two
 * replaced drives rebuilt under load is {@link ParityPoolContract}'s case.
 */
class DoubleParityPoolTest extends ParityPoolContract {
  static final long SIZE = 3L << 20;

  DoubleParityPoolTest() {
    super(Protection.PARITY2, 5, List.of(1, 3), List.of(0, 2), 6);
  }

  @Override
  FailingDevice newDrive(String name) {
    return new FailingDevice(new RamDevice(SIZE));
  }

  static List<FailingDevice> pullable(List<RamDevice> drives) {
    List<FailingDevice> list = new ArrayList<>();
    for (RamDevice d : drives) {
      list.add(new FailingDevice(d));
    }
    return list;
  }

  static Pool open(List<? extends BlockDevice> members) throws IOException {
    return Pool.open("r6", Protection.PARITY2, new ArrayList<>(members));
  }

  @Test
  void everyPairOfLostDrivesReadsBackAndTakesWrites() throws Exception {
    List<RamDevice> drives = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      drives.add(new RamDevice(SIZE));
    }
    Pool pool = open(drives);
    assertThat(pool.blockCount()).as("three of five drives hold data")
        .isEqualTo(3 * ((SIZE >> 9) - Pool.DATA_OFFSET_BLOCKS));
    long[] written = new long[(int) (pool.blockCount() / PIECE)];
    writeAll(pool, written, 1);
    pool.close();
    // With five drives each pair is, stripe by stripe, two data units, data and P, data and Q,
    // or P and Q: every way of solving is used.
    for (int a = 0; a < 5; a++) {
      for (int b = a + 1; b < 5; b++) {
        List<RamDevice> copies = new ArrayList<>();
        for (RamDevice d : drives) {
          copies.add(d.copy());
        }
        List<FailingDevice> members = pullable(copies);
        Pool degraded = open(members);
        members.get(a).pull();
        members.get(b).pull();
        String lost = "drives " + a + " and " + b + " lost";
        long[] generation = written.clone();
        assertAll(degraded, generation, lost);
        for (int k = (a + b) % 3; k < generation.length; k += 3) {
          degraded.write((long) k * PIECE, stamp((long) k * PIECE, PIECE, 2), false);
          generation[k] = 2;
        }
        assertAll(degraded, generation, lost + ", after degraded writes");
        assertThat(degraded.degraded()).isTrue();
        degraded.close();
      }
    }
  }

  @Test
  void theLayoutNamesParity2OrRaid6() {
    assertThat(Protection.parse("parity2")).isEqualTo(Protection.PARITY2);
    assertThat(Protection.parse(" RAID6 ")).isEqualTo(Protection.PARITY2);
    assertThat(Protection.parse("raid5")).isEqualTo(Protection.PARITY);
    assertThat(Protection.parse("Mirror")).isEqualTo(Protection.MIRROR);
    assertThatThrownBy(() -> Protection.parse("raid7"))
        .hasMessage("protection 'raid7' is not one of none, mirror (raid1), parity (raid5),"
            + " parity2 (raid6)");
  }

  @Test
  void aThirdLostDriveIsReportedNotReadAsGarbage() throws Exception {
    List<RamDevice> drives = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      drives.add(new RamDevice(SIZE));
    }
    List<FailingDevice> members = pullable(drives);
    Pool pool = open(members);
    pool.write(0, stamp(0, 1024, 1), false);
    members.get(0).pull();
    members.get(1).pull();
    assertThat(read(pool, 0, 1024)).isEqualTo(stamp(0, 1024, 1));
    members.get(2).pull();
    assertThatThrownBy(() -> read(pool, 0, 1024)).isInstanceOf(IOException.class);
    pool.close();
    assertThatThrownBy(() -> Pool.open("small", Protection.PARITY2,
        List.of(new RamDevice(SIZE), new RamDevice(SIZE), new RamDevice(SIZE))))
        .hasMessageContaining("parity2 pool has 4 to 16 drives");
  }
}
