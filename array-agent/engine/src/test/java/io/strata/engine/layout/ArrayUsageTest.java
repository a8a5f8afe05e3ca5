package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.stats.PoolUsage;
import io.strata.engine.tier.Tier;
import io.strata.engine.tier.TieredDevice;
import io.strata.engine.volume.MetadataState;
import io.strata.engine.volume.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the engine reports its pools hold (the stats file's {@code pools}, which become the
 * usage samples' used-by-tier figures): written space by the tier it lives on, before and after
 * the mover moves it, the space only snapshots hold, and the cache and tier SSDs; and a pinned
 * volume's new writes land on its tier at once.
 */
class ArrayUsageTest {
  static final long MIB = 1 << 20;
  @TempDir Path dir;

  /** An HDD pool with an SSD tier and a flash cache, and a plain SSD pool. */
  Path write(String vTier) throws IOException {
    return write(vTier, false);
  }

  Path write(String vTier, boolean snapshotOfW) throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {"drives": [{"name": "h", "path": "h.img", "media": "HDD", "size": "40M"},
                    {"name": "t", "path": "t.img", "media": "SSD", "size": "16M"},
                    {"name": "c", "path": "c.img", "media": "SSD", "size": "8M"},
                    {"name": "s", "path": "s.img", "media": "SSD", "size": "24M"}],
         "pools": [{"name": "p", "drives": ["h"], "tiering": {"drive": "t", "moveRate": "64M"},
                    "cache": {"drive": "c", "mode": "write-through"}},
                   {"name": "q", "drives": ["s"]}],
         "volumes": [{"name": "v", "pool": "p", "size": "8M"%s},
                     {"name": "w", "pool": "p", "size": "8M"},
                     {"name": "x", "pool": "q", "size": "100M"}],
         "snapshots": [%s],
         "luns": [{"lun": 0, "volume": "v"}]}
        """.formatted(vTier == null ? "" : ", \"tier\": \"" + vTier + "\"",
            snapshotOfW ? "{\"name\": \"w1\", \"volume\": \"w\"}" : ""));
    return file;
  }

  static void fill(Volume v, long extent, int value) throws IOException {
    byte[] b = new byte[4096];
    Arrays.fill(b, (byte) value);
    v.write(extent * MetadataState.EXTENT_BLOCKS, ByteBuffer.wrap(b), true);
  }

  static PoolUsage pool(ArrayStack stack, String name) {
    return stack.usage().stream().filter(u -> u.pool().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void usedSpaceIsReportedByTierAndFollowsTheMover() throws Exception {
    Path file = write("SSD");
    try (LayoutService service = LayoutService.open(file, "iqn.2026-11.io.strata:t.usage")) {
      ArrayStack stack = service.stack();
      PoolUsage empty = pool(stack, "p");
      assertThat(empty.usedBytes()).isZero();
      assertThat(empty.media()).isEqualTo("HDD");
      assertThat(empty.tiered()).isTrue();
      assertThat(empty.volumeBytes()).isEqualTo(16 * MIB);
      assertThat(empty.capacityBytes()).isPositive().isLessThanOrEqualTo(40 * MIB);
      assertThat(empty.cacheBytes()).isEqualTo(8 * MIB);
      assertThat(empty.ssdTierBytes()).isEqualTo(16 * MIB);

      Volume v = stack.storeOf("v").open("v");
      Volume w = stack.storeOf("w").open("w");
      Volume x = stack.storeOf("x").open("x");
      fill(v, 0, 1);
      fill(v, 3, 1);
      fill(w, 0, 2);
      fill(x, 0, 3);
      fill(x, 50, 3);
      PoolUsage written = pool(stack, "p");
      assertThat(written.ssdUsedBytes()).as("the pinned volume's two new extents, on SSD at once")
          .isEqualTo(2 * MIB);
      assertThat(written.hddUsedBytes()).as("the unpinned one's extent, at home on HDD")
          .isEqualTo(MIB);
      assertThat(written.snapshotBytes()).isZero();
      PoolUsage ssdPool = pool(stack, "q");
      assertThat(ssdPool.media()).isEqualTo("SSD");
      assertThat(ssdPool.tiered()).isFalse();
      assertThat(ssdPool.ssdUsedBytes()).isEqualTo(2 * MIB);
      assertThat(ssdPool.hddUsedBytes()).isZero();
      assertThat(ssdPool.volumeBytes()).as("thin: provisioned beyond capacity")
          .isEqualTo(100 * MIB).isGreaterThan(ssdPool.capacityBytes());

      write("SSD", true);
      service.reload();
      assertThat(pool(stack, "p").snapshotBytes()).as("the new snapshot shares w's extent")
          .isZero();
      fill(w, 0, 4); // redirect-on-write: the snapshot keeps the old extent
      assertThat(pool(stack, "p").snapshotBytes()).isEqualTo(MIB);
      assertThat(pool(stack, "p").hddUsedBytes()).isEqualTo(2 * MIB);

      // Pin v to HDD instead: the mover demotes its extents, and the report follows.
      write("HDD", true);
      service.reload();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (pool(stack, "p").ssdUsedBytes() > 0 && System.nanoTime() < deadline) {
        stack.tieredDevice("p").runMoverOnce();
        Thread.sleep(100);
      }
      PoolUsage moved = pool(stack, "p");
      assertThat(moved.ssdUsedBytes()).isZero();
      assertThat(moved.hddUsedBytes()).isEqualTo(4 * MIB);
      assertThat(moved.usedBytes()).isEqualTo(written.usedBytes() + MIB);
    }
  }

  @Test
  void aPinnedVolumesNewExtentLandsOnItsTierBeforeAnyRefreshOrMove() throws Exception {
    Path file = write("SSD");
    try (LayoutService service = LayoutService.open(file, "iqn.2026-11.io.strata:t.usage")) {
      ArrayStack stack = service.stack();
      TieredDevice tiered = stack.tieredDevice("p");
      Volume v = stack.storeOf("v").open("v");
      Volume w = stack.storeOf("w").open("w");
      fill(v, 5, 7);
      fill(w, 5, 8);
      long pv = stack.storeOf("v").mappedPhysicalExtents("v")[0];
      long pw = stack.storeOf("w").mappedPhysicalExtents("w")[0];
      assertThat(tiered.tierOfBlock(pv * MetadataState.EXTENT_BLOCKS)).isEqualTo(Tier.SSD);
      assertThat(tiered.pinnedTier(pv * MetadataState.EXTENT_BYTES / MIB)).isEqualTo(Tier.SSD);
      assertThat(tiered.tierOfBlock(pw * MetadataState.EXTENT_BLOCKS)).isEqualTo(Tier.HDD);
      ByteBuffer back = ByteBuffer.allocate(4096);
      v.read(5L * MetadataState.EXTENT_BLOCKS, back);
      assertThat(back.get(0)).isEqualTo((byte) 7);
      ByteBuffer rest = ByteBuffer.allocate(4096);
      v.read(5L * MetadataState.EXTENT_BLOCKS + 8, rest);
      assertThat(rest.array()).as("the rest of the new extent reads zeros, not the slot's past")
          .containsOnly(0);
    }
    try (LayoutService again = LayoutService.open(file, "iqn.2026-11.io.strata:t.usage")) {
      ByteBuffer back = ByteBuffer.allocate(4096);
      again.stack().storeOf("v").open("v").read(5L * MetadataState.EXTENT_BLOCKS, back);
      assertThat(back.get(0)).as("the placement was durable: the data is found after a restart")
          .isEqualTo((byte) 7);
      assertThat(again.stack().tieredDevice("p")
          .tierOfBlock(again.stack().storeOf("v").mappedPhysicalExtents("v")[0]
              * MetadataState.EXTENT_BLOCKS)).isEqualTo(Tier.SSD);
    }
  }
}
