package io.strata.engine.pool;

import static io.strata.engine.pool.MirrorPoolTest.read;
import static io.strata.engine.pool.MirrorPoolTest.stamp;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bitmap's durable write does not stall the pool's other writes, and still comes first. */
class WriteIntentBitmapTest {
  static final long SIZE = 40L << 20;
  /** The first pool block of the second bitmap region (16 member rows of 1 MiB per bit). */
  static final long REGION_1 = WriteIntentBitmap.MIN_ROWS_PER_BIT * Pool.ROW_BLOCKS;

  /** Holds writes to the bitmap area while gated, and counts data writes meanwhile. */
  static final class GatedDevice extends ForwardingBlockDevice {
    volatile boolean gated;
    final CountDownLatch held = new CountDownLatch(1);
    final CountDownLatch open = new CountDownLatch(1);
    final AtomicInteger dataWritesToRegion1 = new AtomicInteger();

    GatedDevice(BlockDevice inner) {
      super(inner);
    }

    @Override
    public void write(long lba, java.nio.ByteBuffer src, boolean fua) throws IOException {
      boolean bitmap = lba >= WriteIntentBitmap.FIRST_BLOCK && lba < Pool.DATA_OFFSET_BLOCKS;
      if (bitmap && gated) {
        held.countDown();
        try {
          open.await();
        } catch (InterruptedException e) {
          throw new InterruptedIOException();
        }
      }
      if (lba >= Pool.DATA_OFFSET_BLOCKS + REGION_1) {
        dataWritesToRegion1.incrementAndGet();
      }
      inner.write(lba, src, fua);
    }
  }

  @Test
  void aFirstWriteWaitingForItsBitHoldsUpNeitherWritesToMarkedRegionsNorGoesAheadOfItsBit()
      throws Exception {
    GatedDevice d0 = new GatedDevice(new RamDevice(SIZE));
    BlockDevice d1 = new RamDevice(SIZE);
    Pool pool = Pool.open("wi", Protection.MIRROR, List.of(d0, d1));
    try {
      pool.write(0, stamp(0, 8, 1), false); // region 0 is marked, durably
      d0.gated = true;
      CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
        try {
          pool.write(REGION_1, stamp(REGION_1, 8, 1), false);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      assertThat(d0.held.await(10, TimeUnit.SECONDS)).as("region 1's bit is being written").isTrue();

      // Region 0 again: its bit is durable already, so it does not wait for region 1's.
      CompletableFuture<Void> marked = CompletableFuture.runAsync(() -> {
        try {
          pool.write(8, stamp(8, 8, 2), false);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      marked.get(10, TimeUnit.SECONDS);
      assertThat(first).as("still waiting for its bit").isNotDone();
      assertThat(d0.dataWritesToRegion1.get()).as("no data before its bit is durable").isZero();

      d0.open.countDown();
      first.get(10, TimeUnit.SECONDS);
      assertThat(read(pool, REGION_1, 8)).isEqualTo(stamp(REGION_1, 8, 1));
      assertThat(read(pool, 8, 8)).isEqualTo(stamp(8, 8, 2));
    } finally {
      d0.open.countDown();
      pool.close();
    }
  }
}
