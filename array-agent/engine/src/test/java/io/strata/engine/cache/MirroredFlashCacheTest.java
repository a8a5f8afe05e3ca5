package io.strata.engine.cache;

import static io.strata.engine.fake.Bytes.pattern;
import static io.strata.engine.fake.Bytes.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.DeviceOfflineException;
import io.strata.engine.drive.FileBlockDevice;
import io.strata.engine.fake.FailingDevice;
import io.strata.engine.pool.MemberState;
import io.strata.engine.pool.Pool;
import io.strata.engine.pool.Protection;
import io.strata.engine.tier.Tier;
import io.strata.engine.tier.TierConfig;
import io.strata.engine.tier.TieredDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write-back flash cache (and an SSD tier) on a RAID-1 of two SSDs, as an HA array's pools
 * have them (one SSD on each engine node, docs/high-availability.md point 2): dirty lines are on
 * both copies, so either SSD (and its node) may be lost without losing an acknowledged write;
 * while a copy is missing the cache writes through.
 */
class MirroredFlashCacheTest {
  static final int BS = 512;
  static final int LINE = 64 * 1024;
  static final int LINE_BLOCKS = LINE / BS;
  /** 1 MiB of pool label, then 3 MiB of mirrored data: about 45 cache lines. */
  static final long SSD_BYTES = 4L << 20;
  static final long BACKING_BYTES = 8L << 20;

  @TempDir Path dir;
  final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        // a test pulled a device, or closed it already
      }
    }
  }

  private FailingDevice ssd(String name) throws IOException {
    return ssd(name, SSD_BYTES);
  }

  private FailingDevice ssd(String name, long bytes) throws IOException {
    FailingDevice d = new FailingDevice(FileBlockDevice.open(dir.resolve(name), bytes, BS));
    open.add(d);
    return d;
  }

  private FileBlockDevice backing() throws IOException {
    FileBlockDevice b = FileBlockDevice.open(dir.resolve("hdd"), BACKING_BYTES, BS);
    open.add(b);
    return b;
  }

  /** A mirror of the given SSDs (null: one this node cannot reach), as PoolServices builds it. */
  private Pool mirror(BlockDevice first, BlockDevice second) throws IOException {
    Pool mirror = Pool.open("p0/cache", Protection.MIRROR, Arrays.asList(first, second));
    open.add(mirror);
    return mirror;
  }

  private FlashCache cacheOn(Pool mirror, BlockDevice backing) throws IOException {
    FlashCache cache = FlashCache.open(mirror, backing,
        CacheConfig.defaults().withBackgroundDestage(false)); // only the test destages
    cache.writeBackOnlyWhile(() -> !mirror.degraded());
    open.add(cache);
    return cache;
  }

  /** A write-back cache on a mirror of two SSDs the test can pull, over a backing file. */
  private record Rig(FailingDevice s1, FailingDevice s2, Pool mirror, FileBlockDevice hdd,
      FlashCache cache) {}

  private Rig rig() throws IOException {
    FailingDevice s1 = ssd("s1");
    FailingDevice s2 = ssd("s2");
    Pool mirror = mirror(s1, s2);
    FileBlockDevice hdd = backing();
    return new Rig(s1, s2, mirror, hdd, cacheOn(mirror, hdd));
  }

  @Test
  void everyAcknowledgedWriteSurvivesTheLossOfTheFirstSsd() throws Exception {
    Pool mirror = mirror(ssd("s1"), ssd("s2"));
    FileBlockDevice hdd = backing();
    FlashCache cache = cacheOn(mirror, hdd);
    assertThat(cache.writingBack()).isTrue();
    for (int i = 0; i < 10; i++) {
      cache.write((long) i * 3 * LINE_BLOCKS, pattern(i, LINE), false);
    }
    cache.write(7, pattern(99, 8 * BS), false); // a partial line, over line 0
    assertThat(cache.counters().dirtyLines()).isEqualTo(10);
    assertThat(read(hdd, 3 * LINE_BLOCKS, LINE)).as("not destaged: only on the SSDs")
        .isNotEqualTo(pattern(1, LINE).array());
    cache.close(); // keeps its dirty lines on the SSDs (the active node stops here)
    hdd = backing();

    // The first SSD is lost entirely, with its node: the other node opens the second alone.
    Files.write(dir.resolve("s1"), pattern(7, (int) SSD_BYTES).array());
    Pool survivor = mirror(null, ssd("s2"));
    assertThat(survivor.states()).containsExactly(MemberState.FAILED, MemberState.ONLINE);
    FlashCache again = cacheOn(survivor, hdd);
    assertThat(again.counters().dirtyLines()).as("the dirty lines, from the second copy")
        .isEqualTo(10);
    assertThat(again.writingBack()).as("one copy: write-through").isFalse();
    byte[] line0 = pattern(0, LINE).array();
    System.arraycopy(pattern(99, 8 * BS).array(), 0, line0, 7 * BS, 8 * BS);
    assertThat(read(again, 0, LINE)).isEqualTo(line0);
    for (int i = 1; i < 10; i++) {
      assertThat(read(again, (long) i * 3 * LINE_BLOCKS, LINE)).isEqualTo(pattern(i, LINE).array());
    }
    again.destageAll();
    assertThat(read(hdd, 3 * LINE_BLOCKS, LINE)).isEqualTo(pattern(1, LINE).array());

    // The damaged first SSD, put back, is rebuilt from the second: write-back again.
    survivor.replace(0, ssd("s1"));
    assertThat(survivor.awaitRebuild(20, TimeUnit.SECONDS)).isTrue();
    assertThat(again.writingBack()).isTrue();
  }

  @Test
  void losingACopySwitchesToWriteThroughUntilItIsBackAndResynced() throws Exception {
    Rig rig = rig();
    FailingDevice s1 = rig.s1();
    FailingDevice s2 = rig.s2();
    Pool mirror = rig.mirror();
    FileBlockDevice hdd = rig.hdd();
    FlashCache cache = rig.cache();
    cache.write(0, pattern(1, LINE), false); // line 0: dirty, on both copies
    cache.write(2 * LINE_BLOCKS, pattern(2, LINE), false); // line 2: dirty too
    assertThat(cache.lineState(0)).isEqualTo(LineState.DIRTY);

    s2.pull(); // the remote SSD's node is lost: the next SSD write drops it
    cache.write(4 * LINE_BLOCKS, pattern(3, LINE), false); // decided write-back, dropped mid-way
    assertThat(mirror.state(1)).isEqualTo(MemberState.FAILED);
    assertThat(cache.writingBack()).isFalse();
    assertThat(read(hdd, 4 * LINE_BLOCKS, LINE)).as("written through before it returned")
        .isEqualTo(pattern(3, LINE).array());

    cache.write(6 * LINE_BLOCKS, pattern(4, LINE), false); // a new line: straight through
    assertThat(cache.lineState(6)).isNotEqualTo(LineState.DIRTY);
    ByteBuffer part = pattern(5, 16 * BS);
    cache.write(8, part, false); // into dirty line 0: the SSD, and the whole line through
    byte[] line0 = pattern(1, LINE).array();
    System.arraycopy(pattern(5, 16 * BS).array(), 0, line0, 8 * BS, 16 * BS);
    assertThat(read(hdd, 0, LINE)).isEqualTo(line0);
    assertThat(read(hdd, 2 * LINE_BLOCKS, LINE)).as("a dirty line from before: not yet")
        .isNotEqualTo(pattern(2, LINE).array());

    assertThat(read(hdd, 6 * LINE_BLOCKS, LINE)).isEqualTo(pattern(4, LINE).array());
    cache.destageAll(); // what the destager does at full speed while on one copy
    assertThat(read(hdd, 2 * LINE_BLOCKS, LINE)).isEqualTo(pattern(2, LINE).array());
    assertThat(cache.aboveDirtyWatermark()).isFalse();

    // The member is back and resynced: write-back again, dirty on both copies.
    mirror.replace(1, new FailingDevice(FileBlockDevice.open(dir.resolve("s2"), SSD_BYTES, BS)));
    assertThat(mirror.awaitRebuild(20, TimeUnit.SECONDS)).isTrue();
    assertThat(cache.writingBack()).isTrue();
    cache.write(10 * LINE_BLOCKS, pattern(6, LINE), false);
    assertThat(cache.lineState(10)).isEqualTo(LineState.DIRTY);
    assertThat(read(hdd, 10 * LINE_BLOCKS, LINE)).isNotEqualTo(pattern(6, LINE).array());
  }

  @Test
  void aWriteAcknowledgedOnOneCopySurvivesTheLossOfThatCopy() throws Exception {
    Rig rig = rig();
    rig.s2().pull();
    rig.cache().write(0, pattern(1, LINE), false); // dirty on s1 only, and on the pool
    rig.cache().write(LINE_BLOCKS, pattern(2, LINE), true);
    rig.s1().pull(); // the surviving SSD is lost too: dirty lines, so the cache goes offline
    assertThatThrownBy(() -> read(rig.cache(), 0, LINE))
        .isInstanceOf(DeviceOfflineException.class);
    assertThat(read(rig.hdd(), 0, LINE)).isEqualTo(pattern(1, LINE).array());
    assertThat(read(rig.hdd(), LINE_BLOCKS, LINE)).isEqualTo(pattern(2, LINE).array());
  }

  @Test
  void readsGoToThePreferredCopyWhileItIsInSync() throws Exception {
    FailingDevice s1 = ssd("s1");
    FailingDevice s2 = ssd("s2");
    Pool mirror = mirror(s1, s2);
    mirror.write(0, pattern(1, LINE), false);
    ((io.strata.engine.pool.MirrorPool) mirror).preferReadsFrom(0); // s1 is the local one
    s2.pull(); // reads that went to s2 would fail and drop it
    for (int i = 0; i < 8; i++) {
      assertThat(read(mirror, 0, LINE)).isEqualTo(pattern(1, LINE).array());
    }
    assertThat(mirror.states()).containsOnly(MemberState.ONLINE);
    s1.pull(); // the preferred copy fails: the other one is read (and found failed too)
    assertThatThrownBy(() -> read(mirror, 0, LINE)).isInstanceOf(IOException.class);
  }

  /** Counts the bytes written through it. */
  private static final class Counting extends io.strata.engine.block.ForwardingBlockDevice {
    final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();

    Counting(BlockDevice inner) {
      super(inner);
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
      written.addAndGet(src.remaining());
      super.write(lba, src, fua);
    }
  }

  @Test
  void aSmallWriteToACachedLineWritesOnlyItsBlocksToEachCopy() throws Exception {
    Counting s1 = new Counting(ssd("s1"));
    Counting s2 = new Counting(ssd("s2"));
    FlashCache cache = cacheOn(mirror(s1, s2), backing());
    cache.write(0, pattern(1, LINE), false); // line 0 cached, dirty
    s1.written.set(0);
    s2.written.set(0);
    cache.write(8, pattern(2, 4096), false);
    // 4 KiB of data and a 4 KiB record unit, not the 64 KiB line: the remote copy's traffic
    // (a write-intent bit set again, if the pool cleared it meanwhile, adds a label block)
    assertThat(s1.written.get()).isBetween(8192L, 16383L);
    assertThat(s2.written.get()).isBetween(8192L, 16383L);
    byte[] line0 = pattern(1, LINE).array();
    System.arraycopy(pattern(2, 4096).array(), 0, line0, 8 * BS, 4096);
    assertThat(read(cache, 0, LINE)).isEqualTo(line0);
  }

  @Test
  void aSingleSsdThatMustNotWriteBackWritesThrough() throws Exception {
    FailingDevice s1 = ssd("s1");
    FileBlockDevice hdd = backing();
    FlashCache cache = FlashCache.open(s1, hdd, CacheConfig.defaults()
        .withBackgroundDestage(false));
    open.add(cache);
    cache.writeBackOnlyWhile(() -> false); // an HA engine: no copy on the other node
    assertThat(cache.mode()).isEqualTo(CacheMode.WRITE_BACK);
    assertThat(cache.writingBack()).isFalse();
    cache.write(0, pattern(1, LINE), false);
    assertThat(cache.counters().dirtyLines()).isZero();
    assertThat(read(hdd, 0, LINE)).isEqualTo(pattern(1, LINE).array());
  }

  @Test
  void aTierOnAMirrorLosesNoExtentWithOneCopy() throws Exception {
    FailingDevice s1 = ssd("s1", 8L << 20);
    Pool mirror = mirror(s1, ssd("s2", 8L << 20));
    FileBlockDevice hdd = backing();
    TierConfig config = TierConfig.defaults().withMover(false, java.time.Duration.ofSeconds(1))
        .withMoveRate(1L << 40); // no rate limit: the test moves at once
    TieredDevice tier = TieredDevice.open(mirror, hdd, config);
    open.add(tier);
    int extent = config.extentSize();
    long extentBlocks = extent / BS;
    tier.write(0, pattern(1, extent), false);
    tier.write(extentBlocks, pattern(2, extent), false);
    tier.pin(0, 2 * extentBlocks, Tier.SSD);
    tier.runMoverOnce();
    assertThat(tier.tierOfBlock(0)).isEqualTo(Tier.SSD);
    assertThat(tier.tierOfBlock(extentBlocks)).isEqualTo(Tier.SSD);

    s1.pull(); // one SSD lost: its copy is dropped, the extents are read from the other
    assertThat(read(tier, 0, extent)).isEqualTo(pattern(1, extent).array());
    tier.write(extentBlocks, pattern(3, extent), true); // and it keeps working on the survivor
    assertThat(mirror.state(0)).isEqualTo(MemberState.FAILED);
    assertThat(read(tier, extentBlocks, extent)).isEqualTo(pattern(3, extent).array());
    tier.close();
    open.remove(tier);

    // The other node, with the second SSD only: the same extents on the SSD tier.
    Pool survivor = mirror(null, ssd("s2", 8L << 20));
    TieredDevice again = TieredDevice.open(survivor, backing(), config);
    open.add(again);
    assertThat(again.tierOfBlock(0)).isEqualTo(Tier.SSD);
    assertThat(read(again, 0, extent)).isEqualTo(pattern(1, extent).array());
    assertThat(read(again, extentBlocks, extent)).isEqualTo(pattern(3, extent).array());
  }
}
