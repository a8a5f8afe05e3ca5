package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiHarness.A;
import static io.strata.engine.scsi.ScsiHarness.sense;
import static io.strata.engine.scsi.ScsiSpec.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.OutOfSpaceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the block stack's devices make the SCSI layer answer: read-only snapshots, full pools. */
class ProvisioningSenseTest {
  @TempDir Path dir;
  static final String WRITE10_ONE_BLOCK = "2a 00 00 00 00 00 00 00 01 00";
  static final String READ10_ONE_BLOCK = "28 00 00 00 00 00 00 00 01 00";

  /** A device that is read-only (a snapshot) or whose pool is full. */
  static final class Device implements BlockDevice {
    final boolean readOnly;
    final boolean full;

    Device(boolean readOnly, boolean full) {
      this.readOnly = readOnly;
      this.full = full;
    }

    @Override
    public int blockSize() {
      return 512;
    }

    @Override
    public long blockCount() {
      return 64;
    }

    @Override
    public boolean readOnly() {
      return readOnly;
    }

    @Override
    public void read(long lba, ByteBuffer dst) {
      dst.position(dst.limit());
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
      if (readOnly) {
        throw new AssertionError("the SCSI layer must not write a read-only device");
      }
      if (full) {
        throw new OutOfSpaceException("pool is full");
      }
      src.position(src.limit());
    }

    @Override
    public void flush() {}

    @Override
    public void unmap(long lba, long blocks) {}

    @Override
    public void close() {}
  }

  ScsiHarness harness(BlockDevice dev) throws Exception {
    ScsiHarness h = new ScsiHarness(dir, 8);
    h.target = new LogicalUnitTarget("iqn.t:x", Map.of(0, new LogicalUnit("v", dev, null)));
    h.luns.put(0, null);
    h.clearUnitAttentions(A);
    return h;
  }

  @Test
  void aReadOnlyDeviceAnswersWritesWithWriteProtectedAndStillReads() throws Exception {
    try (ScsiHarness h = harness(new Device(true, false))) {
      ScsiResponse w = h.run(A, 0, WRITE10_ONE_BLOCK, new byte[512]);
      assertThat(sense(w).senseKey()).isEqualTo(DATA_PROTECT);
      assertThat(sense(w).ascq()).isEqualTo(ASC_WRITE_PROTECTED);
      assertThat(h.run(A, 0, READ10_ONE_BLOCK, new byte[0]).status()).isEqualTo(GOOD);
      assertThat(h.run(A, 0, "35 00 00 00 00 00 00 00 00 00", new byte[0]).status())
          .as("SYNCHRONIZE CACHE is harmless").isEqualTo(GOOD);
    }
  }

  @Test
  void aFullPoolAnswersSpaceAllocationFailed() throws Exception {
    try (ScsiHarness h = harness(new Device(false, true))) {
      ScsiResponse w = h.run(A, 0, WRITE10_ONE_BLOCK, new byte[512]);
      assertThat(sense(w).senseKey()).isEqualTo(DATA_PROTECT);
      assertThat(sense(w).ascq()).isEqualTo(ASC_SPACE_ALLOCATION_FAILED_WRITE_PROTECT);
    }
  }
}
