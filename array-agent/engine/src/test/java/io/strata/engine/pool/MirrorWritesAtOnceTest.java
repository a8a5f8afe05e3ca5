package io.strata.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import io.strata.engine.block.PendingWrite;
import io.strata.engine.drive.Drive;
import io.strata.engine.drive.MediaType;
import io.strata.engine.iscsi.initiator.LocalTarget;
import io.strata.engine.iscsi.initiator.RemoteDrive;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror of a local drive and a drive on another node (the flash cache of an HA array) writes
 * both copies at once, and acknowledges a write only once both have it.
 */
class MirrorWritesAtOnceTest {
  static final long SIZE = 40L << 20;
  @TempDir Path dir;

  @Test
  void anAcknowledgedWriteIsOnTheLocalAndTheRemoteCopy() throws Exception {
    try (LocalTarget export = new LocalTarget(dir.resolve("remote.img"), SIZE, 60);
        Drive local = Drive.open("local", dir.resolve("local.img"), MediaType.SSD, SIZE, null);
        RemoteDrive remote = RemoteDrive.open("remote", export.config(LocalTarget.CHAP), SIZE)) {
      assertThat(remote.online()).as(String.valueOf(remote.offlineReason())).isTrue();
      Pool pool = MirrorPool.open("cache", List.of(local, remote));
      // four writers at once, as the engine's block I/O threads write
      List<Thread> writers = new ArrayList<>();
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        Thread t = new Thread(() -> {
          try {
            for (int i = 0; i < 50; i++) {
              long lba = (writer * 50L + i) * 8;
              pool.write(lba, MirrorPoolTest.stamp(lba, 8, 7), false);
            }
          } catch (IOException | RuntimeException e) {
            failures.add(e);
          }
        });
        writers.add(t);
        t.start();
      }
      for (Thread t : writers) {
        t.join();
      }
      assertThat(failures).isEmpty();
      for (int m = 0; m < 2; m++) {
        assertThat(pool.state(m)).isEqualTo(MemberState.ONLINE);
      }
      for (long lba = 0; lba < 200 * 8; lba += 8) {
        ByteBuffer expected = MirrorPoolTest.stamp(lba, 8, 7);
        assertThat(MirrorPoolTest.read(local, Pool.DATA_OFFSET_BLOCKS + lba, 8))
            .as("local copy, LBA " + lba).isEqualTo(expected);
        assertThat(MirrorPoolTest.read(remote, Pool.DATA_OFFSET_BLOCKS + lba, 8))
            .as("remote copy, LBA " + lba).isEqualTo(expected);
      }
      pool.close();
    }
  }

  @Test
  void theRemoteCopyTravelsWhileTheLocalOneIsWritten() throws Exception {
    CountDownLatch localWritten = new CountDownLatch(1);
    BlockDevice local = new ForwardingBlockDevice(new RamDevice(SIZE)) {
      @Override
      public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
        super.write(lba, src, fua);
        if (lba >= Pool.DATA_OFFSET_BLOCKS) {
          localWritten.countDown();
        }
      }
    };
    // A "remote" copy whose write completes only once the local copy has been written: a mirror
    // that waited for it before writing the local copy would never see it complete.
    BlockDevice remote = new ForwardingBlockDevice(new RamDevice(SIZE)) {
      @Override
      public boolean writesInBackground() {
        return true;
      }

      @Override
      public PendingWrite startWrite(long lba, ByteBuffer src, boolean fua) {
        if (lba < Pool.DATA_OFFSET_BLOCKS) { // labels and bitmap: as they come
          try {
            super.write(lba, src, fua);
            return PendingWrite.DONE;
          } catch (IOException e) {
            return PendingWrite.failed(e);
          }
        }
        ByteBuffer copy = src.duplicate();
        return () -> {
          try {
            if (!localWritten.await(10, TimeUnit.SECONDS)) {
              throw new IOException("the local copy was not written while this one travelled");
            }
          } catch (InterruptedException e) {
            throw new java.io.InterruptedIOException();
          }
          super.write(lba, copy, fua);
        };
      }

      @Override
      public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
        if (lba < Pool.DATA_OFFSET_BLOCKS) {
          super.write(lba, src, fua);
        } else {
          startWrite(lba, src, fua).await();
        }
      }
    };
    Pool pool = MirrorPool.open("cache", List.of(remote, local));
    byte[] data = new byte[4096];
    new Random(3).nextBytes(data);
    pool.write(64, ByteBuffer.wrap(data), false);
    assertThat(pool.state(0)).as("the remote copy was not dropped").isEqualTo(MemberState.ONLINE);
    assertThat(MirrorPoolTest.read(remote, Pool.DATA_OFFSET_BLOCKS + 64, 8))
        .isEqualTo(ByteBuffer.wrap(data));
    pool.close();
  }
}
