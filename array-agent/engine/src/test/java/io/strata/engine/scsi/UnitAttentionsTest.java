package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiHarness.A;
import static io.strata.engine.scsi.ScsiHarness.B;
import static io.strata.engine.scsi.ScsiHarness.sense;
import static io.strata.engine.scsi.ScsiSpec.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.block.BlockDevice;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnitAttentionsTest {
  @TempDir Path dir;

  private static final String TUR = "00 00 00 00 00 00";

  /** An in-memory device whose size a test can change, as an online resize would. */
  static final class GrowableDevice implements BlockDevice {
    volatile long blocks = 64;

    @Override
    public int blockSize() {
      return 512;
    }

    @Override
    public long blockCount() {
      return blocks;
    }

    @Override
    public void read(long lba, ByteBuffer dst) {
      dst.position(dst.limit());
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) {
      src.position(src.limit());
    }

    @Override
    public void flush() {}

    @Override
    public void unmap(long lba, long blocks) {}

    @Override
    public void close() {}
  }

  @Test
  void capacityChangeIsReportedOnceToEveryNexus() throws Exception {
    GrowableDevice dev = new GrowableDevice();
    LogicalUnitTarget target =
        new LogicalUnitTarget("iqn.t:x", Map.of(0, new LogicalUnit("grow", dev, null)));
    try (ScsiHarness h = new ScsiHarness(dir, 8)) {
      h.target = target;
      h.luns.put(0, null); // so that clearUnitAttentions visits LUN 0 of this target
      h.clearUnitAttentions(A);
      h.clearUnitAttentions(B);
      dev.blocks = 128;
      assertThat(sense(h.run(A, 0, TUR, new byte[0])).ascq())
          .isEqualTo(ASC_CAPACITY_DATA_HAS_CHANGED);
      assertThat(sense(h.run(B, 0, TUR, new byte[0])).ascq())
          .isEqualTo(ASC_CAPACITY_DATA_HAS_CHANGED);
      assertThat(h.run(A, 0, TUR, new byte[0]).status()).isEqualTo(GOOD);
    }
  }

  @Test
  void addingALunTellsEveryNexusThatReportLunsChangedAndReportLunsClearsIt() throws Exception {
    try (ScsiHarness h = new ScsiHarness(dir, 64, 0, 1)) {
      h.clearUnitAttentions(A);
      h.target.putLogicalUnit(7, h.luns.get(1));
      ScsiResponse r = h.run(A, 0, "a0 00 00 00 00 00 00 00 01 00 00 00", new byte[0]);
      assertThat(r.status()).isEqualTo(GOOD);
      assertThat(h.run(A, 0, TUR, new byte[0]).status()).isEqualTo(GOOD);
      assertThat(sense(h.run(A, 1, TUR, new byte[0])).ascq())
          .isEqualTo(ASC_REPORTED_LUNS_DATA_HAS_CHANGED);
    }
  }

  @Test
  void aMaskingChangeTellsOnlyTheInitiatorsWhoseLunsChanged() throws Exception {
    try (ScsiHarness h = new ScsiHarness(dir, 64, 0, 1)) {
      h.clearUnitAttentions(A);
      h.clearUnitAttentions(B);
      java.util.function.BiPredicate<String, Integer> before = (i, l) -> l == 0;
      java.util.function.BiPredicate<String, Integer> after =
          (i, l) -> l == 0 || i.equals(A.initiatorName());
      assertThat(h.target.lunMaskingChanged(before, after)).containsExactly(A.initiatorName());
      assertThat(sense(h.run(A, 0, TUR, new byte[0])).ascq())
          .isEqualTo(ASC_REPORTED_LUNS_DATA_HAS_CHANGED);
      assertThat(h.run(B, 0, TUR, new byte[0]).status()).as("B sees what it saw").isEqualTo(GOOD);
    }
  }

  @Test
  void aRollbackTellsEveryNexusOfThatLunThatTheMediumMayHaveChanged() throws Exception {
    try (ScsiHarness h = new ScsiHarness(dir, 64, 0, 1)) {
      h.clearUnitAttentions(A);
      h.target.mediumChanged(0);
      assertThat(sense(h.run(A, 0, TUR, new byte[0])).ascq())
          .isEqualTo(ScsiSpec.ASC_MEDIUM_MAY_HAVE_CHANGED);
      assertThat(h.run(A, 1, TUR, new byte[0]).status()).isEqualTo(GOOD);
    }
  }

  @Test
  void aNexusThatLogsInAgainSeesPowerOnAgain() throws Exception {
    try (ScsiHarness h = new ScsiHarness(dir, 64, 0)) {
      h.clearUnitAttentions(A);
      h.target.nexusClosed(A);
      h.target.nexusOpened(A);
      assertThat(sense(h.run(A, 0, TUR, new byte[0])).ascq()).isEqualTo(ASC_POWER_ON_RESET);
    }
  }

  @Test
  void targetResetReachesEveryLun() throws Exception {
    try (ScsiHarness h = new ScsiHarness(dir, 64, 0, 1)) {
      h.clearUnitAttentions(A);
      h.target.targetReset(A);
      assertThat(sense(h.run(A, 0, TUR, new byte[0])).ascq()).isEqualTo(ASC_POWER_ON_RESET);
      assertThat(sense(h.run(A, 1, TUR, new byte[0])).ascq()).isEqualTo(ASC_POWER_ON_RESET);
    }
  }
}
