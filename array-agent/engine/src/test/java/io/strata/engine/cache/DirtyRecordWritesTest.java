package io.strata.engine.cache;

import static io.strata.engine.cache.FlashCacheTest.BACKING_BYTES;
import static io.strata.engine.cache.FlashCacheTest.BS;
import static io.strata.engine.cache.FlashCacheTest.LINE_BLOCKS;
import static io.strata.engine.cache.FlashCacheTest.SSD_BYTES;
import static io.strata.engine.cache.FlashCacheTest.bytes;
import static io.strata.engine.cache.FlashCacheTest.filled;
import static io.strata.engine.cache.FlashCacheTest.manual;
import static io.strata.engine.cache.FlashCacheTest.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import io.strata.engine.drive.FileBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write to a line that is already dirty writes no line record once both of the slot's record
 * places say DIRTY for it (on a mirrored cache each record write is a second remote command per
 * write), and a crash after such writes still recovers the line with its last data.
 */
class DirtyRecordWritesTest {
  /** The superblock (4 KiB) and the record area (one 4 KiB unit here) come before slot 0. */
  static final long FIRST_SLOT_LBA = 2 * 4096 / BS;

  @TempDir Path dir;
  FlashCache cache;
  final AtomicInteger recordWrites = new AtomicInteger();

  /** Counts the writes that land in the SSD's superblock and record area. */
  final class CountingSsd extends ForwardingBlockDevice {
    CountingSsd(BlockDevice inner) {
      super(inner);
    }

    @Override
    public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
      if (lba < FIRST_SLOT_LBA) {
        recordWrites.incrementAndGet();
      }
      super.write(lba, src, fua);
    }
  }

  FlashCache open() throws IOException {
    FileBlockDevice ssd = FileBlockDevice.open(dir.resolve("ssd"), SSD_BYTES, BS);
    FileBlockDevice hdd = FileBlockDevice.open(dir.resolve("hdd"), BACKING_BYTES, BS);
    cache = FlashCache.open(new CountingSsd(ssd), hdd, manual(CacheMode.WRITE_BACK));
    recordWrites.set(0); // formatting wrote the superblock and an empty record area
    return cache;
  }

  @AfterEach
  void closeCache() throws IOException {
    if (cache != null) {
      cache.close();
    }
  }

  @Test
  void aLineThatStaysDirtyCostsTwoRecordWritesNotOnePerWrite() throws IOException {
    open();
    for (int i = 0; i < 8; i++) {
      cache.write(3 * LINE_BLOCKS + 8 * i, filled(8, 0x10 + i), false);
    }
    assertThat(recordWrites.get()).isEqualTo(2);

    cache.destageAll(); // a CLEAN record
    assertThat(recordWrites.get()).isEqualTo(3);
    cache.write(3 * LINE_BLOCKS, filled(8, 0x7e), false); // dirty again: DIRTY over the older
    cache.write(3 * LINE_BLOCKS, filled(8, 0x7f), false); // DIRTY over the CLEAN one
    cache.write(3 * LINE_BLOCKS, filled(8, 0x70), false); // none
    assertThat(recordWrites.get()).isEqualTo(5);
    assertThat(read(cache, 3 * LINE_BLOCKS, 8)).isEqualTo(bytes(8, 0x70));
  }

  @Test
  void aLineRewrittenWithoutRecordsIsRecoveredWithItsLastDataAfterACrash() throws IOException {
    open();
    cache.write(9 * LINE_BLOCKS, filled(LINE_BLOCKS, 0x21), false);
    cache.write(9 * LINE_BLOCKS + 8, filled(8, 0x22), false);
    cache.write(9 * LINE_BLOCKS + 16, filled(8, 0x23), false); // no record
    cache.write(9 * LINE_BLOCKS + 8, filled(4, 0x24), true); // no record
    cache.write(5 * LINE_BLOCKS + 1, filled(1, 0x25), false); // another line, dirtied once
    assertThat(recordWrites.get()).isEqualTo(3);
    // Crash: nothing is closed or destaged; reopen the same files.
    cache = null;
    FileBlockDevice ssd = FileBlockDevice.open(dir.resolve("ssd"), SSD_BYTES, BS);
    FileBlockDevice hdd = FileBlockDevice.open(dir.resolve("hdd"), BACKING_BYTES, BS);
    cache = FlashCache.open(ssd, hdd, manual(CacheMode.WRITE_BACK));

    assertThat(cache.lineState(9)).isEqualTo(LineState.DIRTY);
    byte[] expected = bytes(LINE_BLOCKS, 0x21);
    System.arraycopy(bytes(4, 0x24), 0, expected, 8 * BS, 4 * BS);
    System.arraycopy(bytes(4, 0x22), 0, expected, 12 * BS, 4 * BS);
    System.arraycopy(bytes(8, 0x23), 0, expected, 16 * BS, 8 * BS);
    assertThat(read(cache, 9 * LINE_BLOCKS, LINE_BLOCKS)).isEqualTo(expected);
    assertThat(read(cache, 5 * LINE_BLOCKS + 1, 1)).isEqualTo(bytes(1, 0x25));
    cache.destageAll();
    assertThat(read(hdd, 9 * LINE_BLOCKS, LINE_BLOCKS)).isEqualTo(expected);
  }
}
