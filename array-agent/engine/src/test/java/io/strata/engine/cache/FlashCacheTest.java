package io.strata.engine.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.DeviceOfflineException;
import io.strata.engine.drive.FileBlockDevice;
import io.strata.engine.fake.FailingDevice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlashCacheTest {
  static final int BS = 512;
  static final int LINE = 64 * 1024;
  static final int LINE_BLOCKS = LINE / BS;
  static final long BACKING_BYTES = 8L << 20; // 128 lines
  /** Room for 8 lines plus superblock and records. */
  static final long SSD_BYTES = 2 * 4096 + 8L * (LINE + 64);

  @TempDir Path dir;
  FileBlockDevice ssdFile;
  FileBlockDevice backingFile;
  FailingDevice ssd;
  FailingDevice backing;
  FlashCache cache;

  static CacheConfig manual(CacheMode mode) {
    return CacheConfig.defaults().withMode(mode).withBackgroundDestage(false);
  }

  FlashCache open(CacheConfig config) throws IOException {
    ssdFile = FileBlockDevice.open(dir.resolve("ssd"), SSD_BYTES, BS);
    backingFile = FileBlockDevice.open(dir.resolve("hdd"), BACKING_BYTES, BS);
    ssd = new FailingDevice(ssdFile);
    backing = new FailingDevice(backingFile);
    cache = FlashCache.open(ssd, backing, config);
    return cache;
  }

  @AfterEach
  void closeAll() throws IOException {
    if (cache != null) {
      try {
        cache.close();
      } catch (IOException e) {
        // a test pulled a device
      }
    }
  }

  static ByteBuffer filled(int blocks, int value) {
    byte[] b = new byte[blocks * BS];
    Arrays.fill(b, (byte) value);
    return ByteBuffer.wrap(b);
  }

  static byte[] read(BlockDevice dev, long lba, int blocks) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(blocks * BS);
    dev.read(lba, b);
    return b.array();
  }

  static byte[] bytes(int blocks, int value) {
    return filled(blocks, value).array();
  }

  @Test
  void writeBackIsDirtyOnTheSsdUntilDestagedThenClean() throws IOException {
    open(manual(CacheMode.WRITE_BACK));
    cache.write(3 * LINE_BLOCKS + 8, filled(8, 0x5a), false);

    assertThat(cache.lineState(3)).isEqualTo(LineState.DIRTY);
    assertThat(read(cache, 3 * LINE_BLOCKS + 8, 8)).isEqualTo(bytes(8, 0x5a));
    assertThat(read(backingFile, 3 * LINE_BLOCKS + 8, 8)).isEqualTo(bytes(8, 0));

    assertThat(cache.destageBatch(64)).isEqualTo(1);

    assertThat(cache.lineState(3)).isEqualTo(LineState.CLEAN);
    assertThat(read(backingFile, 3 * LINE_BLOCKS + 8, 8)).isEqualTo(bytes(8, 0x5a));
    assertThat(cache.counters().dirtyLines()).isZero();
  }

  @Test
  void aWriteWhileALineIsDestagingKeepsItDirtyAndTheNewDataWins() throws IOException {
    open(manual(CacheMode.WRITE_BACK));
    cache.write(0, filled(LINE_BLOCKS, 1), false);
    // The destager flushes the backing device between copying and marking clean: write then.
    backing.onFlush = () -> {
      assertThat(cache.lineState(0)).isEqualTo(LineState.DESTAGING);
      try {
        cache.write(0, filled(4, 2), false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };

    assertThat(cache.destageBatch(64)).isZero();

    assertThat(cache.lineState(0)).isEqualTo(LineState.DIRTY);
    assertThat(read(cache, 0, 4)).isEqualTo(bytes(4, 2));
    assertThat(read(backingFile, 0, 4)).isEqualTo(bytes(4, 1)); // the older copy, still shadowed
    assertThat(cache.destageBatch(64)).isEqualTo(1);
    assertThat(read(backingFile, 0, 4)).isEqualTo(bytes(4, 2));
    assertThat(cache.lineState(0)).isEqualTo(LineState.CLEAN);
  }

  @Test
  void aLineIsPromotedOnItsSecondMissAndThenHits() throws IOException {
    open(manual(CacheMode.WRITE_THROUGH));
    backingFile.write(5 * LINE_BLOCKS, filled(LINE_BLOCKS, 7), false);

    assertThat(read(cache, 5 * LINE_BLOCKS + 1, 1)).isEqualTo(bytes(1, 7));
    assertThat(cache.lineState(5)).isNull();
    assertThat(read(cache, 5 * LINE_BLOCKS + 2, 1)).isEqualTo(bytes(1, 7));
    assertThat(cache.lineState(5)).isEqualTo(LineState.CLEAN);
    assertThat(read(cache, 5 * LINE_BLOCKS + 3, 1)).isEqualTo(bytes(1, 7));

    CacheCounters c = cache.counters();
    assertThat(c.promotions()).isEqualTo(1);
    assertThat(c.readMisses()).isEqualTo(2);
    assertThat(c.readHits()).isEqualTo(1);
  }

  @Test
  void cleanLinesAreEvictedColdestFirstAndReadCorrectlyAfterwards() throws IOException {
    open(manual(CacheMode.WRITE_THROUGH).withPromotion(1, 0));
    int capacity = cache.lineCount();
    for (int line = 0; line < 40; line++) {
      backingFile.write((long) line * LINE_BLOCKS, filled(1, line), false);
    }
    read(cache, 0, 1); // line 0, then hit it so it is protected
    read(cache, 0, 1);
    for (int line = 1; line < 40; line++) {
      read(cache, (long) line * LINE_BLOCKS, 1);
    }

    assertThat(cache.counters().cachedLines()).isEqualTo(capacity);
    assertThat(cache.counters().evictions()).isEqualTo(40 - capacity);
    assertThat(cache.lineState(0)).as("the hit line survives a scan").isEqualTo(LineState.CLEAN);
    assertThat(cache.lineState(1)).as("the oldest line read once went first").isNull();
    for (int line = 0; line < 40; line++) {
      assertThat(read(cache, (long) line * LINE_BLOCKS, 1)).isEqualTo(bytes(1, line));
    }
  }

  /** Reads line 100 twice (promoted, still probationary), then copies the first half twice. */
  private void warmLineThenCopyHalfTheDeviceTwice() throws IOException {
    read(cache, 100L * LINE_BLOCKS, 1);
    read(cache, 100L * LINE_BLOCKS, 1);
    assertThat(cache.lineState(100)).isEqualTo(LineState.CLEAN);
    for (int pass = 0; pass < 2; pass++) {
      for (long lba = 0; lba < 64L * LINE_BLOCKS; lba += LINE_BLOCKS) {
        read(cache, lba, LINE_BLOCKS);
      }
    }
  }

  @Test
  void aSequentialStreamPastTheCutoffBypassesTheCache() throws IOException {
    open(manual(CacheMode.WRITE_THROUGH).withPromotion(2, 1000).withSequentialCutoff(4 * LINE));
    warmLineThenCopyHalfTheDeviceTwice();

    CacheCounters c = cache.counters();
    assertThat(c.readBypassed()).isEqualTo(2 * (64 - 4));
    // Only the 4 lines read before the stream passed the cutoff were promoted (on pass two).
    assertThat(c.promotions()).isEqualTo(1 + 4);
    assertThat(cache.lineState(100)).isEqualTo(LineState.CLEAN);
  }

  @Test
  void withoutTheCutoffTheSecondPassOfACopyFlushesTheWarmLine() throws IOException {
    open(manual(CacheMode.WRITE_THROUGH).withPromotion(2, 1000).withSequentialCutoff(0));
    warmLineThenCopyHalfTheDeviceTwice();

    assertThat(cache.counters().promotions()).isEqualTo(1 + 64);
    assertThat(cache.lineState(100)).isNull(); // the contrast that justifies the cutoff
  }

  @Test
  void aStreamPastTheCutoffReadsTheBackingDeviceInOneGoButStillSeesDirtyLines()
      throws IOException {
    open(manual(CacheMode.WRITE_BACK).withSequentialCutoff(2 * LINE));
    backingFile.write(0, filled(64 * LINE_BLOCKS, 0x0b), false);
    cache.write(20L * LINE_BLOCKS + 5, filled(3, 0xdd), false); // dirty, not on the backing device
    byte[] expected = filled(64 * LINE_BLOCKS, 0x0b).array();
    Arrays.fill(expected, (20 * LINE_BLOCKS + 5) * BS, (20 * LINE_BLOCKS + 8) * BS, (byte) 0xdd);

    ByteBuffer all = ByteBuffer.allocate(64 * LINE);
    for (long lba = 0; lba < 64L * LINE_BLOCKS; lba += 4 * LINE_BLOCKS) {
      ByteBuffer part = all.slice(all.position(), 4 * LINE);
      cache.read(lba, part);
      all.position(all.position() + 4 * LINE);
    }

    assertThat(all.array()).isEqualTo(expected);
    assertThat(cache.counters().readBypassed()).isGreaterThan(50);
  }

  @Test
  void dirtyLinesSurviveACrashAndDestagingResumes() throws IOException {
    open(manual(CacheMode.WRITE_BACK));
    cache.write(2 * LINE_BLOCKS, filled(LINE_BLOCKS, 0x11), false);
    cache.write(9 * LINE_BLOCKS + 3, filled(2, 0x22), true);
    cache.write(9 * LINE_BLOCKS + 3, filled(1, 0x33), false); // rewritten in place
    // Crash: the process dies; nothing is closed or destaged. Reopen the same files.
    cache = null;
    FileBlockDevice ssd2 = FileBlockDevice.open(dir.resolve("ssd"), SSD_BYTES, BS);
    FileBlockDevice hdd2 = FileBlockDevice.open(dir.resolve("hdd"), BACKING_BYTES, BS);
    cache = FlashCache.open(ssd2, hdd2, manual(CacheMode.WRITE_BACK));

    assertThat(cache.lineState(2)).isEqualTo(LineState.DIRTY);
    assertThat(cache.lineState(9)).isEqualTo(LineState.DIRTY);
    assertThat(read(cache, 2 * LINE_BLOCKS, LINE_BLOCKS)).isEqualTo(bytes(LINE_BLOCKS, 0x11));
    assertThat(read(cache, 9 * LINE_BLOCKS + 3, 1)).isEqualTo(bytes(1, 0x33));
    assertThat(read(cache, 9 * LINE_BLOCKS + 4, 1)).isEqualTo(bytes(1, 0x22));
    assertThat(read(hdd2, 2 * LINE_BLOCKS, 1)).isEqualTo(bytes(1, 0));

    cache.destageAll();
    assertThat(read(hdd2, 2 * LINE_BLOCKS, LINE_BLOCKS)).isEqualTo(bytes(LINE_BLOCKS, 0x11));
    assertThat(read(hdd2, 9 * LINE_BLOCKS + 3, 2)).isEqualTo(
        concat(bytes(1, 0x33), bytes(1, 0x22)));
  }

  @Test
  void destagedAndUnmappedLinesAreNotRecoveredAfterACrash() throws IOException {
    open(manual(CacheMode.WRITE_BACK));
    cache.write(1 * LINE_BLOCKS, filled(LINE_BLOCKS, 0x44), false);
    cache.write(4 * LINE_BLOCKS, filled(LINE_BLOCKS, 0x55), false);
    cache.destageBatch(1); // line 1 becomes clean
    cache.unmap(4 * LINE_BLOCKS, LINE_BLOCKS); // line 4 dropped, reads zeros
    assertThat(read(cache, 4 * LINE_BLOCKS, 1)).isEqualTo(bytes(1, 0));
    cache = null;
    FileBlockDevice ssd2 = FileBlockDevice.open(dir.resolve("ssd"), SSD_BYTES, BS);
    FileBlockDevice hdd2 = FileBlockDevice.open(dir.resolve("hdd"), BACKING_BYTES, BS);
    cache = FlashCache.open(ssd2, hdd2, manual(CacheMode.WRITE_BACK));

    assertThat(cache.counters().dirtyLines()).isZero();
    assertThat(read(cache, 1 * LINE_BLOCKS, 1)).isEqualTo(bytes(1, 0x44));
    assertThat(read(cache, 4 * LINE_BLOCKS, 1)).isEqualTo(bytes(1, 0));
  }

  @Test
  void aDirtyRecordWhoseDataNeverReachedTheSsdIsDroppedNotServed() throws IOException {
    open(manual(CacheMode.WRITE_BACK));
    backingFile.write(6 * LINE_BLOCKS, filled(LINE_BLOCKS, 0x66), true);
    cache.write(6 * LINE_BLOCKS, filled(LINE_BLOCKS, 0x77), false);
    cache = null;
    // A machine crash lost the line's data but kept its record: scribble over the slot.
    try (FileChannel raw = FileChannel.open(dir.resolve("ssd"), StandardOpenOption.WRITE)) {
      ByteBuffer junk = ByteBuffer.wrap(bytes(LINE_BLOCKS, 0x13));
      long slotZero = 2 * 4096; // superblock, one unit of records, then slot 0 (used first)
      while (junk.hasRemaining()) {
        raw.write(junk, slotZero + junk.position());
      }
    }
    FileBlockDevice ssd2 = FileBlockDevice.open(dir.resolve("ssd"), SSD_BYTES, BS);
    FileBlockDevice hdd2 = FileBlockDevice.open(dir.resolve("hdd"), BACKING_BYTES, BS);
    cache = FlashCache.open(ssd2, hdd2, manual(CacheMode.WRITE_BACK));

    assertThat(cache.lineState(6)).isNull();
    assertThat(read(cache, 6 * LINE_BLOCKS, 1)).isEqualTo(bytes(1, 0x66));
  }

  @Test
  void aCorruptSuperblockIsRefusedLoudly() throws IOException {
    FileBlockDevice raw = FileBlockDevice.open(dir.resolve("ssd"), SSD_BYTES, BS);
    raw.write(0, filled(1, 0x42), true);
    raw.close();
    assertThatThrownBy(() -> open(manual(CacheMode.WRITE_BACK)))
        .isInstanceOf(CacheMetadataException.class)
        .hasMessageContaining("superblock");
  }

  @Test
  void reopeningWithAnotherLineSizeIsRefused() throws IOException {
    open(manual(CacheMode.WRITE_BACK));
    cache.close();
    cache = null;
    assertThatThrownBy(() -> open(manual(CacheMode.WRITE_BACK).withLineSize(128 * 1024)))
        .isInstanceOf(CacheMetadataException.class)
        .hasMessageContaining("line");
  }

  @Test
  void losingTheSsdWithDirtyDataTakesTheVolumeOfflineInsteadOfServingStaleData()
      throws IOException {
    open(manual(CacheMode.WRITE_BACK));
    backingFile.write(0, filled(LINE_BLOCKS, 0x01), true);
    cache.write(0, filled(LINE_BLOCKS, 0x02), false);
    ssd.pull();

    assertThatThrownBy(() -> read(cache, 0, 1)).isInstanceOf(DeviceOfflineException.class);
    assertThatThrownBy(() -> read(cache, 50 * LINE_BLOCKS, 1))
        .isInstanceOf(DeviceOfflineException.class);
    assertThatThrownBy(() -> cache.write(7, filled(1, 3), false))
        .isInstanceOf(DeviceOfflineException.class);
    assertThatThrownBy(() -> cache.flush()).isInstanceOf(DeviceOfflineException.class);
    assertThatThrownBy(() -> cache.detach()).isInstanceOf(DeviceOfflineException.class);
  }

  @Test
  void losingACleanSsdFallsBackToTheBackingDevice() throws IOException {
    open(manual(CacheMode.WRITE_THROUGH).withPromotion(1, 0));
    cache.write(0, filled(LINE_BLOCKS, 0x09), false);
    read(cache, 0, 1); // promoted
    assertThat(cache.lineState(0)).isEqualTo(LineState.CLEAN);
    ssd.pull();

    assertThat(read(cache, 0, 1)).isEqualTo(bytes(1, 0x09));
    assertThat(cache.isPassThrough()).isTrue();
    cache.write(1, filled(1, 0x0a), false);
    assertThat(read(backingFile, 1, 1)).isEqualTo(bytes(1, 0x0a));
  }

  @Test
  void detachDestagesEveryDirtyLineFirst() throws IOException {
    open(manual(CacheMode.WRITE_BACK));
    for (int line = 0; line < 5; line++) {
      cache.write((long) line * LINE_BLOCKS, filled(4, 0x30 + line), false);
    }
    assertThat(cache.counters().dirtyLines()).isEqualTo(5);

    cache.detach();

    assertThat(cache.isPassThrough()).isTrue();
    for (int line = 0; line < 5; line++) {
      assertThat(read(backingFile, (long) line * LINE_BLOCKS, 4)).isEqualTo(bytes(4, 0x30 + line));
    }
    cache.write(0, filled(1, 0x7f), false);
    assertThat(read(backingFile, 0, 1)).isEqualTo(bytes(1, 0x7f));
  }

  @Test
  void writeAroundDropsACachedCleanLineAndWriteThroughRefreshesIt() throws IOException {
    open(manual(CacheMode.WRITE_THROUGH).withPromotion(1, 0));
    read(cache, 0, 1);
    cache.write(0, filled(1, 0x21), false);
    assertThat(cache.lineState(0)).isEqualTo(LineState.CLEAN);
    assertThat(read(backingFile, 0, 1)).isEqualTo(bytes(1, 0x21));
    assertThat(read(cache, 0, 1)).isEqualTo(bytes(1, 0x21));

    cache.setMode(CacheMode.WRITE_AROUND);
    cache.write(0, filled(1, 0x22), false);
    assertThat(cache.lineState(0)).isNull();
    assertThat(read(cache, 0, 1)).isEqualTo(bytes(1, 0x22));
  }

  @Test
  void aWriteAroundOfADirtyLineStillLandsOnTheSsdSoNothingIsShadowed() throws IOException {
    open(manual(CacheMode.WRITE_BACK));
    cache.write(0, filled(2, 0x01), false);
    cache.setMode(CacheMode.WRITE_AROUND);
    cache.write(1, filled(1, 0x02), false);
    assertThat(read(cache, 0, 2)).isEqualTo(concat(bytes(1, 0x01), bytes(1, 0x02)));
    cache.destageAll();
    assertThat(read(backingFile, 0, 2)).isEqualTo(concat(bytes(1, 0x01), bytes(1, 0x02)));
  }

  @Test
  void whenEveryLineIsDirtyWritesGoToTheBackingDevice() throws IOException {
    open(manual(CacheMode.WRITE_BACK));
    int capacity = cache.lineCount();
    for (int line = 0; line <= capacity; line++) {
      cache.write((long) line * LINE_BLOCKS, filled(1, line + 1), false);
    }
    assertThat(cache.counters().dirtyLines()).isEqualTo(capacity);
    assertThat(read(backingFile, (long) capacity * LINE_BLOCKS, 1)).isEqualTo(bytes(1, capacity + 1));
    for (int line = 0; line <= capacity; line++) {
      assertThat(read(cache, (long) line * LINE_BLOCKS, 1)).isEqualTo(bytes(1, line + 1));
    }
  }

  @Test
  void randomOperationsAlwaysReadTheLastWrittenData() throws IOException {
    open(manual(CacheMode.WRITE_BACK).withPromotion(2, 16));
    int blocks = (int) (BACKING_BYTES / BS);
    byte[] model = new byte[(int) BACKING_BYTES];
    Random random = new Random(42);
    CacheMode[] modes = CacheMode.values();
    for (int op = 0; op < 1500; op++) {
      int len = 1 + random.nextInt(random.nextInt(10) == 0 ? 600 : 24);
      int lba = random.nextInt(blocks - len);
      lba = random.nextBoolean() ? lba : lba % 4096; // a hot quarter
      int kind = random.nextInt(100);
      if (kind < 45) {
        assertThat(read(cache, lba, len)).as("op %d read %d+%d", op, lba, len)
            .isEqualTo(Arrays.copyOfRange(model, lba * BS, (lba + len) * BS));
      } else if (kind < 90) {
        byte[] data = new byte[len * BS];
        random.nextBytes(data);
        cache.write(lba, ByteBuffer.wrap(data), random.nextInt(500) == 0);
        System.arraycopy(data, 0, model, lba * BS, data.length);
      } else if (kind < 94) {
        cache.unmap(lba, len);
        Arrays.fill(model, lba * BS, (lba + len) * BS, (byte) 0);
      } else if (kind < 98) {
        cache.destageBatch(1 + random.nextInt(4));
      } else {
        cache.setMode(modes[random.nextInt(modes.length)]);
      }
    }
    cache.destageAll();
    assertThat(read(backingFile, 0, blocks)).isEqualTo(model);
  }

  @Test
  void concurrentClientsWithTheDestagerRunningEachReadTheirOwnLastWrites() throws Exception {
    open(CacheConfig.defaults().withPromotion(1, 0).withDestage(0.0, 1, 4));
    int clients = 4;
    int regionBlocks = 32 * LINE_BLOCKS; // 32 lines each against an 8-line cache: evictions
    java.util.List<Thread> threads = new java.util.ArrayList<>();
    java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
    for (int c = 0; c < clients; c++) {
      int base = c * regionBlocks;
      Random random = new Random(100 + c);
      threads.add(new Thread(() -> {
        byte[] model = new byte[regionBlocks * BS];
        try {
          for (int op = 0; op < 400; op++) {
            int len = 1 + random.nextInt(random.nextInt(8) == 0 ? 300 : 16);
            int off = random.nextInt(regionBlocks - len);
            if (random.nextInt(3) == 0) {
              byte[] data = new byte[len * BS];
              random.nextBytes(data);
              cache.write(base + off, ByteBuffer.wrap(data), false);
              System.arraycopy(data, 0, model, off * BS, data.length);
            } else {
              assertThat(read(cache, base + off, len))
                  .isEqualTo(Arrays.copyOfRange(model, off * BS, (off + len) * BS));
            }
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join(60_000);
      assertThat(t.isAlive()).as("a client is stuck (deadlock?)").isFalse();
    }
    assertThat(failures).isEmpty();
    assertThat(cache.counters().evictions()).isPositive();
  }

  @Test
  void theBackgroundDestagerDrainsDirtyLines() throws Exception {
    open(CacheConfig.defaults().withDestage(0.0, 5, 4));
    for (int line = 0; line < 6; line++) {
      cache.write((long) line * LINE_BLOCKS, filled(1, 0x40 + line), false);
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (cache.counters().dirtyLines() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(cache.counters().dirtyLines()).isZero();
    assertThat(read(backingFile, 5L * LINE_BLOCKS, 1)).isEqualTo(bytes(1, 0x45));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
