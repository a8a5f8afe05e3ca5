package io.strata.engine.drive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.LbaStatus;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlockDeviceTest {
  @TempDir Path dir;

  private static ByteBuffer filled(int bytes, int value) {
    byte[] b = new byte[bytes];
    Arrays.fill(b, (byte) value);
    return ByteBuffer.wrap(b);
  }

  private static byte[] read(FileBlockDevice dev, long lba, int blocks) throws Exception {
    ByteBuffer buf = ByteBuffer.allocate(blocks * dev.blockSize());
    dev.read(lba, buf);
    return buf.array();
  }

  @Test
  void createsTheFileAtItsSizeAndReadsZerosFirst() throws Exception {
    Path file = dir.resolve("sub/lun0.img");
    try (FileBlockDevice dev = FileBlockDevice.open(file, 1 << 20, 512)) {
      assertThat(Files.size(file)).isEqualTo(1 << 20);
      assertThat(dev.blockCount()).isEqualTo(2048);
      assertThat(read(dev, 2047, 1)).containsOnly(0);
      assertThat(dev.status(0)).isEqualTo(new LbaStatus(0, 2048, true));
    }
  }

  @Test
  void extendsASmallerFileAndKeepsItsData() throws Exception {
    Path file = dir.resolve("lun.img");
    Files.write(file, filled(512, 7).array());
    try (FileBlockDevice dev = FileBlockDevice.open(file, 4096, 512)) {
      assertThat(dev.blockCount()).isEqualTo(8);
      assertThat(read(dev, 0, 1)).containsOnly(7);
    }
  }

  @Test
  void writtenBlocksReadBackAfterReopen() throws Exception {
    Path file = dir.resolve("lun.img");
    try (FileBlockDevice dev = FileBlockDevice.open(file, 8192, 512)) {
      dev.write(3, filled(1024, 0x5a), true);
    }
    try (FileBlockDevice dev = FileBlockDevice.open(file, 8192, 512)) {
      assertThat(read(dev, 3, 2)).containsOnly(0x5a);
      assertThat(read(dev, 5, 1)).containsOnly(0);
    }
  }

  @Test
  void unmappedBlocksReadAsZerosAndReportDeallocatedEvenAfterReopen() throws Exception {
    Path file = dir.resolve("lun.img");
    try (FileBlockDevice dev = FileBlockDevice.open(file, 16 * 512, 512)) {
      dev.write(0, filled(16 * 512, 0xff), false);
      dev.unmap(4, 3);
      assertThat(read(dev, 4, 3)).containsOnly(0);
      assertThat(read(dev, 3, 1)).containsOnly(0xff);
      assertThat(dev.status(0)).isEqualTo(new LbaStatus(0, 4, true));
      assertThat(dev.status(4)).isEqualTo(new LbaStatus(4, 3, false));
      assertThat(dev.status(7)).isEqualTo(new LbaStatus(7, 9, true));
    }
    try (FileBlockDevice dev = FileBlockDevice.open(file, 16 * 512, 512)) {
      assertThat(dev.status(4)).isEqualTo(new LbaStatus(4, 3, false));
      assertThat(read(dev, 4, 3)).containsOnly(0);
    }
  }

  @Test
  void writingIntoDeallocatedBlocksMapsThemAgain() throws Exception {
    Path file = dir.resolve("lun.img");
    try (FileBlockDevice dev = FileBlockDevice.open(file, 16 * 512, 512)) {
      dev.unmap(0, 16);
      dev.write(5, filled(512, 1), false);
      assertThat(read(dev, 5, 1)).containsOnly(1);
      assertThat(dev.status(5)).isEqualTo(new LbaStatus(5, 1, true));
      assertThat(dev.status(6)).isEqualTo(new LbaStatus(6, 10, false));
    }
    try (FileBlockDevice dev = FileBlockDevice.open(file, 16 * 512, 512)) {
      assertThat(dev.status(5).mapped()).isTrue();
      assertThat(read(dev, 5, 1)).containsOnly(1);
    }
  }

  @Test
  void refusesIoOutsideTheDeviceAndPartialBlocks() throws Exception {
    try (FileBlockDevice dev = FileBlockDevice.open(dir.resolve("x.img"), 4096, 512)) {
      assertThatThrownBy(() -> dev.write(7, ByteBuffer.allocate(1024), false))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> dev.read(0, ByteBuffer.allocate(100)))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> FileBlockDevice.open(dir.resolve("y.img"), 4096, 1000))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
