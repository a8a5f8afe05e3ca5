package io.strata.engine.pool;

import static io.strata.engine.pool.MirrorPoolTest.read;
import static io.strata.engine.pool.MirrorPoolTest.stamp;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.drive.Drive;
import io.strata.engine.drive.MediaType;
import io.strata.engine.fake.FailingDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParityPoolTest {
  static final long SIZE = 12L << 20;
  @TempDir Path dir;

  FailingDevice drive(String name) throws IOException {
    return new FailingDevice(Drive.open(name, dir.resolve(name + ".img"), MediaType.HDD, SIZE,
        null));
  }

  @Test
  void survivesAnyOneDriveAndRebuildsAReplacementUnderLoad() throws Exception {
    FailingDevice[] d = {drive("d0"), drive("d1"), drive("d2"), drive("d3")};
    Pool pool = Pool.open("r5", Protection.PARITY, List.of(d));
    long blocks = pool.blockCount();
    assertThat(blocks).as("three drives of data").isEqualTo(3 * (((SIZE >> 9)
        - Pool.DATA_OFFSET_BLOCKS) / 2048 * 2048));
    // Pieces of 40 blocks cross stripe units and stripes, so partial-unit updates happen.
    int piece = 40;
    long[] generation = new long[(int) (blocks / piece)];
    for (int k = 0; k < generation.length; k++) {
      pool.write((long) k * piece, stamp((long) k * piece, piece, 1), false);
      generation[k] = 1;
    }

    d[2].pull();
    for (int k = 0; k < generation.length; k += 3) {
      assertThat(read(pool, (long) k * piece, piece)).as("degraded read of piece %d", k)
          .isEqualTo(stamp((long) k * piece, piece, 1));
    }
    for (int k = 0; k < generation.length; k += 5) { // degraded writes, data or parity lost
      pool.write((long) k * piece, stamp((long) k * piece, piece, 2), false);
      generation[k] = 2;
    }
    for (int k = 0; k < generation.length; k++) {
      assertThat(read(pool, (long) k * piece, piece)).as("piece %d", k)
          .isEqualTo(stamp((long) k * piece, piece, generation[k]));
    }

    pool.replace(2, drive("d2-new"));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> error = new AtomicReference<>();
    Thread writer = new Thread(() -> {
      Random r = new Random(3);
      try {
        while (!stop.get()) {
          int k = r.nextInt(generation.length);
          long g;
          synchronized (generation) {
            g = ++generation[k];
          }
          pool.write((long) k * piece, stamp((long) k * piece, piece, g), false);
        }
      } catch (Throwable t) {
        error.set(t);
      }
    });
    writer.start();
    assertThat(pool.awaitRebuild(120, TimeUnit.SECONDS)).isTrue();
    stop.set(true);
    writer.join();
    assertThat(error.get()).isNull();
    assertThat(pool.states()).containsOnly(MemberState.ONLINE);

    d[0].pull(); // another drive: everything it held comes from the rebuilt one's parity
    for (int k = 0; k < generation.length; k++) {
      assertThat(read(pool, (long) k * piece, piece)).as("piece %d after rebuild", k)
          .isEqualTo(stamp((long) k * piece, piece, generation[k]));
    }
    pool.close();
  }
}
