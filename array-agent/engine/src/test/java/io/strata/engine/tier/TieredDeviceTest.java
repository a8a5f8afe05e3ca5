package io.strata.engine.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import io.strata.engine.block.LbaStatus;
import io.strata.engine.drive.FileBlockDevice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TieredDeviceTest {
  static final int BS = 512;
  static final int EXTENT = 64 * 1024;
  static final int EB = EXTENT / BS;
  static final long HDD_BYTES = 64L * EXTENT;
  /** Map area rounded to one extent, then 8 slots. */
  static final long SSD_BYTES = 9L * EXTENT;
  static final long SECOND = 1_000_000_000L;

  @TempDir Path dir;
  long now = 0;
  TieredDevice dev;
  FileBlockDevice hddFile;
  HookedDevice hookedHdd;

  /** 64 KiB extents, half-life 10 s, 1 MiB/s (16 extents/s), reserve 25%, no thread. */
  static TierConfig manual() {
    return TierConfig.defaults().withExtentSize(EXTENT).withHeatHalfLife(Duration.ofSeconds(10))
        .withReserve(0.25).withMoveRate(16L * EXTENT).withMover(false, Duration.ofSeconds(1));
  }

  TieredDevice open(TierConfig config) throws IOException {
    return open(config, false);
  }

  /** With {@code hookHdd}, the HDD is reached through {@link #hookedHdd}. */
  TieredDevice open(TierConfig config, boolean hookHdd) throws IOException {
    FileBlockDevice ssd = FileBlockDevice.open(dir.resolve("ssd"), SSD_BYTES, BS);
    hddFile = FileBlockDevice.open(dir.resolve("hdd"), HDD_BYTES, BS);
    BlockDevice hdd = hddFile;
    if (hookHdd) {
      hookedHdd = new HookedDevice(hddFile);
      hdd = hookedHdd;
    }
    dev = TieredDevice.open(ssd, hdd, config, () -> now);
    return dev;
  }

  @AfterEach
  void closeDevice() throws IOException {
    if (dev != null) {
      dev.close();
    }
  }

  static ByteBuffer filled(int blocks, int value) {
    byte[] b = new byte[blocks * BS];
    Arrays.fill(b, (byte) value);
    return ByteBuffer.wrap(b);
  }

  static byte[] read(BlockDevice d, long lba, int blocks) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(blocks * BS);
    d.read(lba, b);
    return b.array();
  }

  void heatUp(long extent, int ios) throws IOException {
    for (int i = 0; i < ios; i++) {
      read(dev, extent * EB, 1);
    }
  }

  @Test
  void aHotExtentIsPromotedOffTheRequestPathAndKeepsItsData() throws IOException {
    open(manual());
    dev.write(5 * EB, filled(EB, 0x55), false);
    heatUp(5, 10);
    assertThat(dev.tierOf(5)).isEqualTo(Tier.HDD); // requests never move anything

    now += SECOND;
    assertThat(dev.runMoverOnce()).isEqualTo(1);

    assertThat(dev.tierOf(5)).isEqualTo(Tier.SSD);
    assertThat(read(dev, 5 * EB, EB)).isEqualTo(filled(EB, 0x55).array());
    dev.write(5 * EB + 3, filled(1, 0x66), false); // now lands on the SSD
    assertThat(read(hddFile, 5 * EB + 3, 1)).isEqualTo(filled(1, 0x55).array());
    assertThat(read(dev, 5 * EB + 3, 1)).isEqualTo(filled(1, 0x66).array());
    assertThat(dev.counters().ssdIos()).isGreaterThan(0);
  }

  @Test
  void theMapSurvivesACrashAndATornMapWriteMeansTheMoveDidNotHappen() throws IOException {
    open(manual());
    dev.write(5 * EB, filled(EB, 0x55), false);
    heatUp(5, 10);
    now += SECOND;
    dev.runMoverOnce();
    dev.write(5 * EB, filled(1, 0x77), false);
    // Crash (nothing closed), reopen the same files: the extent is still on the SSD.
    dev = null;
    open(manual());
    assertThat(dev.tierOf(5)).isEqualTo(Tier.SSD);
    assertThat(read(dev, 5 * EB, 1)).isEqualTo(filled(1, 0x77).array());
    dev.close();
    dev = null;

    // Now tear the newer copy of map page 0 (copy B, written by the promotion).
    try (FileChannel raw = FileChannel.open(dir.resolve("ssd"), StandardOpenOption.WRITE)) {
      raw.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), 2 * 4096 + 100);
    }
    open(manual());
    assertThat(dev.tierOf(5)).isEqualTo(Tier.HDD);
  }

  @Test
  void aCorruptSuperblockIsRefused() throws IOException {
    FileBlockDevice raw = FileBlockDevice.open(dir.resolve("ssd"), SSD_BYTES, BS);
    raw.write(0, filled(1, 9), true);
    raw.close();
    assertThatThrownBy(() -> open(manual())).isInstanceOf(TierMapException.class);
  }

  @Test
  void theMoverKeepsToItsRateLimit() throws IOException {
    open(manual().withMoveRate(2L * EXTENT)); // two extents per second
    for (long e = 10; e < 16; e++) {
      heatUp(e, 5);
    }
    now += SECOND;
    assertThat(dev.runMoverOnce()).isEqualTo(2);
    now += SECOND / 2;
    assertThat(dev.runMoverOnce()).isEqualTo(1);
    now += SECOND / 2;
    assertThat(dev.runMoverOnce()).isEqualTo(1);
    assertThat(dev.counters().promotions()).isEqualTo(4);
  }

  @Test
  void theMoverLeavesTheSsdReserveFree() throws IOException {
    open(manual());
    int slots = dev.counters().slots();
    for (long e = 0; e < 20; e++) {
      heatUp(e, 5);
    }
    now += SECOND;
    dev.runMoverOnce();
    assertThat(slots).isEqualTo(8);
    assertThat(dev.counters().usedSlots()).isEqualTo(6); // 25% of 8 kept free
  }

  @Test
  void coldExtentsAreDemotedWhenHotterOnesAppearAndHeatDecays() throws IOException {
    open(manual());
    for (long e = 0; e < 6; e++) {
      heatUp(e, 4);
    }
    now += SECOND;
    dev.runMoverOnce();
    assertThat(dev.tierOf(0)).isEqualTo(Tier.SSD);
    now += 60 * SECOND; // six half-lives: the old heat is almost gone
    assertThat(dev.runMoverOnce()).isZero(); // nothing hotter yet, nothing moves
    for (long e = 30; e < 36; e++) {
      heatUp(e, 4);
    }
    now += SECOND;
    dev.runMoverOnce();
    assertThat(dev.heatOf(0)).isLessThan(0.1);
    for (long e = 30; e < 36; e++) {
      assertThat(dev.tierOf(e)).isEqualTo(Tier.SSD);
    }
    assertThat(dev.counters().demotions()).isEqualTo(6);
  }

  @Test
  void pinnedRangesGoToTheirTierWhateverTheirHeat() throws IOException {
    open(manual());
    dev.write(40 * EB, filled(EB, 0x40), false);
    heatUp(7, 20);
    dev.pin(40L * EB, 2L * EB, Tier.SSD); // a cold "volume" of two extents
    dev.pin(7L * EB, EB, Tier.HDD); // a hot one kept down
    now += SECOND;
    dev.runMoverOnce();
    assertThat(dev.tierOf(40)).isEqualTo(Tier.SSD);
    assertThat(dev.tierOf(41)).isEqualTo(Tier.SSD);
    assertThat(dev.tierOf(7)).isEqualTo(Tier.HDD);
    assertThat(read(dev, 40 * EB, 1)).isEqualTo(filled(1, 0x40).array());
    dev.unpin(7L * EB, EB);
    now += SECOND;
    dev.runMoverOnce();
    assertThat(dev.tierOf(7)).isEqualTo(Tier.SSD);
  }

  @Test
  void aWriteThatRacesAMoveIsNotLost() throws IOException {
    open(manual(), true);
    HookedDevice hdd = hookedHdd;
    dev.write(3 * EB, filled(EB, 0x01), false);
    heatUp(3, 10);
    // While the mover copies extent 3 off the HDD, a client writes into it.
    hdd.onRead = () -> {
      try {
        dev.write(3 * EB + 10, filled(2, 0x02), false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    now += SECOND;
    dev.runMoverOnce();
    assertThat(dev.tierOf(3)).isEqualTo(Tier.SSD);
    assertThat(read(dev, 3 * EB + 10, 2)).isEqualTo(filled(2, 0x02).array());
    assertThat(read(dev, 3 * EB + 9, 1)).isEqualTo(filled(1, 0x01).array());
  }

  @Test
  void unmapAndStatusFollowTheExtentToItsTier() throws IOException {
    open(manual());
    dev.write(5 * EB, filled(EB, 0x55), false);
    heatUp(5, 10);
    now += SECOND;
    dev.runMoverOnce();
    dev.unmap(5 * EB + 8, 8);
    assertThat(read(dev, 5 * EB + 8, 8)).isEqualTo(new byte[8 * BS]);
    assertThat(dev.status(5 * EB + 8)).isEqualTo(new LbaStatus(5 * EB + 8, 8, false));
    assertThat(dev.status(5 * EB)).isEqualTo(new LbaStatus(5 * EB, 8, true));
  }

  @Test
  void randomIoWithTheBackgroundMoverRunningReadsTheLastWrite() throws Exception {
    FileBlockDevice ssd = FileBlockDevice.open(dir.resolve("ssd"), SSD_BYTES, BS);
    hddFile = FileBlockDevice.open(dir.resolve("hdd"), HDD_BYTES, BS);
    dev = TieredDevice.open(ssd, hddFile, manual().withReserve(0).withHeatHalfLife(
        Duration.ofMillis(200)).withMoveRate(64L << 20).withMover(true, Duration.ofMillis(5)));
    int blocks = (int) (HDD_BYTES / BS);
    byte[] model = new byte[(int) HDD_BYTES];
    Random random = new Random(7);
    long deadline = System.nanoTime() + 3 * SECOND;
    int ops = 0;
    while (System.nanoTime() < deadline || ops < 2000) {
      int len = 1 + random.nextInt(64);
      // A hot spot that wanders, so the mover keeps promoting and demoting.
      int hotBase = (ops / 500) * 7 % 56 * EB;
      int lba = random.nextInt(4) == 0 ? random.nextInt(blocks - len)
          : hotBase + random.nextInt(8 * EB - len);
      if (random.nextBoolean()) {
        byte[] data = new byte[len * BS];
        random.nextBytes(data);
        dev.write(lba, ByteBuffer.wrap(data), false);
        System.arraycopy(data, 0, model, lba * BS, data.length);
      } else {
        assertThat(read(dev, lba, len)).as("op %d", ops)
            .isEqualTo(Arrays.copyOfRange(model, lba * BS, (lba + len) * BS));
      }
      ops++;
    }
    assertThat(dev.counters().promotions()).isGreaterThan(0);
    assertThat(read(dev, 0, blocks)).isEqualTo(model);
  }

  /** Passes through to a file device and runs a hook once, inside the first read. */
  static final class HookedDevice extends ForwardingBlockDevice {
    volatile Runnable onRead;

    HookedDevice(BlockDevice inner) {
      super(inner);
    }

    @Override
    public void read(long lba, ByteBuffer dst) throws IOException {
      Runnable hook = onRead;
      onRead = null;
      inner.read(lba, dst);
      if (hook != null) {
        hook.run(); // after the copy read: the copy is now stale
      }
    }
  }
}
