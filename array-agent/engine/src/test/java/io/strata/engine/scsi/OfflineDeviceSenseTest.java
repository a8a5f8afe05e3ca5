package io.strata.engine.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.DeviceOfflineException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A block layer that went offline (e.g. a flash cache that lost its SSD) reads as NOT READY. */
class OfflineDeviceSenseTest {
  @TempDir Path dir;

  /** A device whose every I/O fails as the flash cache does after losing a dirty SSD. */
  static final class OfflineDevice implements BlockDevice {
    @Override
    public int blockSize() {
      return 512;
    }

    @Override
    public long blockCount() {
      return 2048;
    }

    private static IOException offline() {
      return new DeviceOfflineException("cache SSD lost", new IOException("gone"));
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
      throw offline();
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
      throw offline();
    }

    @Override
    public void flush() throws IOException {
      throw offline();
    }

    @Override
    public void unmap(long lba, long blocks) throws IOException {
      throw offline();
    }

    @Override
    public void close() {}
  }

  @Test
  void readsAndWritesOfAnOfflineDeviceEndWithNotReadyManualInterventionRequired()
      throws Exception {
    try (ScsiHarness h = new ScsiHarness(dir, 2048, 0)) {
      h.luns.put(0, new LogicalUnit("offline", new OfflineDevice(), dir.resolve("off.pr")));
      h.target = new LogicalUnitTarget("iqn.t:x", h.luns, List.of(1, 2), null);
      h.clearUnitAttentions(ScsiHarness.A);

      ScsiResponse read = h.run("28 00 00 00 00 00 00 00 01 00");
      ScsiResponse write = h.run("2a 00 00 00 00 00 00 00 01 00", ScsiHarness.blocks(1, 1));

      for (ScsiResponse r : List.of(read, write)) {
        assertThat(r.status()).isEqualTo(ScsiSpec.CHECK_CONDITION);
        SenseData sense = ScsiHarness.sense(r);
        assertThat(sense.senseKey()).isEqualTo(ScsiSpec.NOT_READY);
        assertThat(sense.asc()).isEqualTo(0x04);
        assertThat(sense.qualifier()).isEqualTo(0x03);
      }
    }
  }
}
