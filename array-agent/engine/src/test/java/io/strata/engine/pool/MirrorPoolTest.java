package io.strata.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.drive.Drive;
import io.strata.engine.drive.MediaType;
import io.strata.engine.fake.FailingDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorPoolTest {
  static final long SIZE = 40L << 20;
  @TempDir Path dir;

  Drive drive(String name) throws IOException {
    return Drive.open(name, dir.resolve(name + ".img"), MediaType.SSD, SIZE, null);
  }

  static ByteBuffer stamp(long lba, int blocks, long generation) {
    ByteBuffer b = ByteBuffer.allocate(blocks * 512);
    for (int i = 0; i < blocks; i++) {
      for (int j = 0; j < 512; j += 16) {
        b.putLong(i * 512 + j, lba + i).putLong(i * 512 + j + 8, generation);
      }
    }
    return b;
  }

  static ByteBuffer read(BlockDevice d, long lba, int blocks) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(blocks * 512);
    d.read(lba, b);
    return b.flip();
  }

  @Test
  void readsContinueWhenADriveDiesAndAReplacementIsRebuiltUnderLoad() throws Exception {
    FailingDevice d0 = new FailingDevice(drive("d0"));
    FailingDevice d1 = new FailingDevice(drive("d1"));
    Pool pool = Pool.open("p", Protection.MIRROR, List.of(d0, d1));
    long blocks = pool.blockCount();
    assertThat(blocks).isEqualTo((SIZE >> 9) - Pool.DATA_OFFSET_BLOCKS);
    long[] generation = new long[(int) (blocks / 64)];
    for (int chunk = 0; chunk < generation.length; chunk++) {
      pool.write(chunk * 64L, stamp(chunk * 64L, 64, 1), false);
      generation[chunk] = 1;
    }

    d0.pull(); // the drive is pulled
    for (int chunk = 0; chunk < generation.length; chunk += 7) {
      assertThat(read(pool, chunk * 64L, 64)).isEqualTo(stamp(chunk * 64L, 64, 1));
    }
    pool.write(0, stamp(0, 64, 2), false); // and writes go on, to the surviving copy
    generation[0] = 2;
    assertThat(pool.state(0)).isEqualTo(MemberState.FAILED);
    assertThat(pool.degraded()).isTrue();

    // A new drive goes in; writes continue while it is rebuilt.
    pool.replace(0, new FailingDevice(drive("d0-new")));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> writerError = new AtomicReference<>();
    Thread writer = new Thread(() -> {
      Random r = new Random(1);
      try {
        while (!stop.get()) {
          int chunk = r.nextInt(generation.length);
          long g;
          synchronized (generation) {
            g = ++generation[chunk];
          }
          pool.write(chunk * 64L, stamp(chunk * 64L, 64, g), false);
        }
      } catch (Throwable t) {
        writerError.set(t);
      }
    });
    writer.start();
    assertThat(pool.awaitRebuild(60, TimeUnit.SECONDS)).as("rebuild finished").isTrue();
    stop.set(true);
    writer.join();
    assertThat(writerError.get()).isNull();
    assertThat(pool.states()).containsOnly(MemberState.ONLINE);

    // Now lose the other drive: everything must come from the rebuilt one.
    d1.pull();
    for (int chunk = 0; chunk < generation.length; chunk++) {
      assertThat(read(pool, chunk * 64L, 64)).as("chunk %d", chunk)
          .isEqualTo(stamp(chunk * 64L, 64, generation[chunk]));
    }
    pool.close();
  }

  @Test
  void aDriveThatMissedWritesIsNotTrustedAfterARestart() throws Exception {
    Drive a = drive("a");
    FailingDevice b = new FailingDevice(drive("b"));
    Pool pool = Pool.open("p", Protection.MIRROR, List.of(a, b));
    pool.write(0, stamp(0, 8, 1), false);
    b.pull();
    pool.write(0, stamp(0, 8, 2), false); // b misses this
    pool.close();

    // b is back (it was only unplugged) but stale: it must be rebuilt, never read as is.
    List<BlockDevice> again = new ArrayList<>(List.of(drive("a"), drive("b")));
    Pool reopened = Pool.open("p", Protection.MIRROR, again);
    assertThat(reopened.state(1)).isIn(MemberState.REBUILDING, MemberState.ONLINE);
    for (int i = 0; i < 10; i++) {
      assertThat(read(reopened, 0, 8)).isEqualTo(stamp(0, 8, 2));
    }
    assertThat(reopened.awaitRebuild(60, TimeUnit.SECONDS)).isTrue();
    reopened.close();
  }

  @Test
  void aMissingDriveLeavesTheMirrorDegradedButAConcatPoolRefuses() throws Exception {
    Pool pool = Pool.open("p", Protection.MIRROR, List.of(drive("a"), drive("b")));
    pool.write(3, stamp(3, 1, 9), true);
    pool.close();
    List<BlockDevice> oneMissing = new ArrayList<>();
    oneMissing.add(drive("a"));
    oneMissing.add(null);
    Pool degraded = Pool.open("p", Protection.MIRROR, oneMissing);
    assertThat(degraded.degraded()).isTrue();
    assertThat(read(degraded, 3, 1)).isEqualTo(stamp(3, 1, 9));
    degraded.close();

    Pool concat = Pool.open("c", Protection.NONE, List.of(drive("c0"), drive("c1")));
    assertThat(concat.blockCount()).isEqualTo(2 * ((SIZE >> 9) - Pool.DATA_OFFSET_BLOCKS));
    concat.close();
    List<BlockDevice> concatMissing = new ArrayList<>();
    concatMissing.add(drive("c0"));
    concatMissing.add(null);
    assertThatThrownBy(() -> Pool.open("c", Protection.NONE, concatMissing))
        .isInstanceOf(IOException.class).hasMessageContaining("in sync");
  }

  @Test
  void aDriveOfAnotherPoolIsNeverOverwritten() throws Exception {
    Pool.open("first", Protection.MIRROR, List.of(drive("a"), drive("b"))).close();
    assertThatThrownBy(() -> Pool.open("second", Protection.MIRROR,
        List.of(drive("a"), drive("c"))))
        .isInstanceOf(IOException.class).hasMessageContaining("belongs to pool 'first'");
  }
}
