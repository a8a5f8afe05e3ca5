package io.strata.engine.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.drive.FileBlockDevice;
import io.strata.engine.tier.TierConfig;
import io.strata.engine.tier.TieredDevice;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented combination: the flash cache above a tiered device, both moving data. */
class FlashCacheOverTieredDeviceTest {
  static final int BS = 512;

  @TempDir Path dir;

  @Test
  void cacheOverTiersReadsTheLastWriteWhileDestagerAndMoverRun() throws Exception {
    int extent = 64 * 1024;
    long hddBytes = 64L * extent;
    FileBlockDevice hdd = FileBlockDevice.open(dir.resolve("hdd"), hddBytes, BS);
    FileBlockDevice tierSsd = FileBlockDevice.open(dir.resolve("tier-ssd"), 9L * extent, BS);
    FileBlockDevice cacheSsd = FileBlockDevice.open(dir.resolve("cache-ssd"),
        3 * 4096 + 6L * (64 * 1024 + 64), BS);
    TieredDevice tiers = TieredDevice.open(tierSsd, hdd, TierConfig.defaults()
        .withExtentSize(extent).withHeatHalfLife(Duration.ofMillis(300)).withReserve(0)
        .withMoveRate(64L << 20).withMover(true, Duration.ofMillis(5)));
    byte[] model = new byte[(int) hddBytes];
    try (FlashCache cache = FlashCache.open(cacheSsd, tiers,
        CacheConfig.defaults().withDestage(0.0, 2, 4))) {
      int blocks = (int) (hddBytes / BS);
      Random random = new Random(11);
      for (int op = 0; op < 1000; op++) {
        int len = 1 + random.nextInt(32);
        int hot = (op / 300) * 9 % 50 * (extent / BS);
        int lba = random.nextInt(3) == 0 ? random.nextInt(blocks - len)
            : hot + random.nextInt(6 * extent / BS);
        if (random.nextInt(3) == 0) {
          byte[] data = new byte[len * BS];
          random.nextBytes(data);
          cache.write(lba, ByteBuffer.wrap(data), false);
          System.arraycopy(data, 0, model, lba * BS, data.length);
        } else {
          ByteBuffer got = ByteBuffer.allocate(len * BS);
          cache.read(lba, got);
          assertThat(got.array()).as("op %d", op)
              .isEqualTo(Arrays.copyOfRange(model, lba * BS, (lba + len) * BS));
        }
      }
      cache.detach();
      assertThat(tiers.counters().promotions()).isPositive();
      ByteBuffer all = ByteBuffer.allocate((int) hddBytes);
      tiers.read(0, all);
      assertThat(all.array()).isEqualTo(model);
    }
  }
}
