package io.strata.engine.drive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriveTest {
  @TempDir Path dir;

  static ByteBuffer filled(int bytes, int seed) {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    for (int i = 0; i < bytes; i++) {
      b.put(i, (byte) (i * 31 + seed));
    }
    return b;
  }

  static void roundTrip(Drive d) throws IOException {
    d.write(8, filled(4096, 1), false); // aligned: the direct path where there is one
    d.write(3, filled(512, 2), true); // a single block: through the page cache
    ByteBuffer aligned = ByteBuffer.allocate(4096);
    d.read(8, aligned);
    assertThat(aligned.flip()).isEqualTo(filled(4096, 1));
    ByteBuffer one = ByteBuffer.allocate(512);
    d.read(3, one);
    assertThat(one.flip()).isEqualTo(filled(512, 2));
    // A buffered write inside a range then read directly: the kernel keeps them coherent.
    d.write(9, filled(512, 3), false);
    ByteBuffer again = ByteBuffer.allocate(4096);
    d.read(8, again);
    assertThat(again.duplicate().position(512).limit(1024).slice()).isEqualTo(filled(512, 3));
  }

  @Test
  void aFileDriveOnADiskFileSystemUsesDirectIoAndCountsItsIo() throws IOException {
    try (Drive d = Drive.open("d", dir.resolve("d.img"), MediaType.SSD, 4 << 20, null)) {
      roundTrip(d);
      assertThat(d.media()).isEqualTo(MediaType.SSD);
      assertThat(d.blockCount()).isEqualTo((4 << 20) / 512);
      DriveStats.Snapshot s = d.stats().snapshot();
      assertThat(s.writes()).isEqualTo(3);
      assertThat(s.reads()).isEqualTo(3);
      assertThat(s.bytesWritten()).isEqualTo(4096 + 512 + 512);
      assertThat(s.flushes()).isEqualTo(1);
      assertThat(s.writeLatencyMicros().getTotalCount()).isEqualTo(3);
      assertThat(d.stats().summary()).contains("writes=3");
      if (!"tmpfs".equals(Files.getFileStore(dir).type())) {
        assertThat(d.directIo()).as("O_DIRECT on " + Files.getFileStore(dir).type()).isTrue();
      }
    }
  }

  @Test
  void onTmpfsItWorksWithOrWithoutDirectIo() throws IOException {
    // Linux before 6.6 refuses O_DIRECT on tmpfs (the drive falls back to buffered I/O and
    // fdatasync); newer kernels accept it. Either way the drive must read back what it wrote.
    Path shm = Path.of("/dev/shm");
    assumeTrue(Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type()),
        "no tmpfs at /dev/shm");
    Path file = Files.createTempFile(shm, "strata-drive", ".img");
    try (Drive d = Drive.open("t", file, MediaType.HDD, 1 << 20, null)) {
      roundTrip(d);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void theHddThrottleChargesSeeksAndBandwidth() throws IOException {
    HddThrottle throttle = new HddThrottle(5_000, 10 << 20); // 5 ms per seek, 10 MiB/s
    try (Drive d = Drive.open("h", dir.resolve("h.img"), MediaType.HDD, 4 << 20, throttle)) {
      long start = System.nanoTime();
      for (int i = 0; i < 4; i++) {
        d.read(i * 1000L, ByteBuffer.allocate(512)); // four seeks
      }
      long seeks = System.nanoTime() - start;
      assertThat(TimeUnit.NANOSECONDS.toMillis(seeks)).isGreaterThanOrEqualTo(20);
      start = System.nanoTime();
      d.read(0, ByteBuffer.allocate(1 << 20)); // one seek + 100 ms of transfer
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(100);
    }
  }

  @Test
  void aFlushAfterWritesCostsOnePositioningAndFlashIOsOverlap() throws Exception {
    HddThrottle disk = new HddThrottle(30_000, 0); // 30 ms per positioning
    try (BlockDevice d = disk.wrap(FileBlockDevice.open(dir.resolve("w.img"), 1 << 20, 512))) {
      d.write(0, ByteBuffer.allocate(512), false); // one seek
      long start = System.nanoTime();
      d.flush(); // the write cache to the platter
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(30);
    }
    // Eight concurrent 100 ms I/Os on flash take about 100 ms, not 800 as on one head.
    HddThrottle flash = HddThrottle.flash(100_000, 0);
    try (BlockDevice d = flash.wrap(FileBlockDevice.open(dir.resolve("f.img"), 1 << 20, 512))) {
      Thread[] threads = new Thread[8];
      long start = System.nanoTime();
      for (int i = 0; i < threads.length; i++) {
        long lba = i * 100L;
        threads[i] = new Thread(() -> {
          try {
            d.read(lba, ByteBuffer.allocate(512));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        threads[i].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .isBetween(100L, 600L);
    }
  }

  @Test
  void mediaTypeOfABlockDeviceComesFromItsRotationalFlag() throws IOException {
    Path sys = dir.resolve("sys");
    Files.createDirectories(sys.resolve("sdz/queue"));
    Files.writeString(sys.resolve("sdz/queue/rotational"), "1\n");
    Files.createDirectories(sys.resolve("nvme9n1/queue"));
    Files.writeString(sys.resolve("nvme9n1/queue/rotational"), "0\n");
    Path dev = dir.resolve("dev");
    Files.createDirectories(dev);
    Files.createFile(dev.resolve("sdz"));
    Files.createFile(dev.resolve("sdz1"));
    Files.createFile(dev.resolve("nvme9n1"));
    assertThat(MediaType.ofBlockDevice(dev.resolve("sdz"), sys)).isEqualTo(MediaType.HDD);
    assertThat(MediaType.ofBlockDevice(dev.resolve("sdz1"), sys)).as("a partition")
        .isEqualTo(MediaType.HDD);
    assertThat(MediaType.ofBlockDevice(dev.resolve("nvme9n1"), sys)).isEqualTo(MediaType.SSD);
    assertThat(MediaType.ofBlockDevice(dev.resolve("nothing"), sys)).isNull();
  }
}
