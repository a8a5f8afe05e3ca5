package io.strata.engine.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.drive.FileBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An encrypted volume: the tenant reads what it wrote, the layers below hold none of it. */
class EncryptedDeviceTest {

  static final int BLOCK = 512;
  static final int BLOCKS = 64;

  @TempDir Path dir;

  static byte[] key(int seed) {
    byte[] key = new byte[XtsAes256.KEY_BYTES];
    new Random(seed).nextBytes(key);
    return key;
  }

  @Test
  void whatIsWrittenReadsBackAndTheDriveHoldsNoneOfIt() throws IOException {
    Path file = dir.resolve("drive");
    byte[] marker = "STRATA-PLAINTEXT-MARKER-".repeat(BLOCK * 4 / 24 + 1).substring(0, BLOCK * 4)
        .getBytes(StandardCharsets.US_ASCII);
    FileBlockDevice drive = FileBlockDevice.open(file, BLOCKS * BLOCK, BLOCK);
    try (EncryptedDevice volume = new EncryptedDevice(drive, key(1))) {
      ByteBuffer src = ByteBuffer.wrap(marker.clone());
      volume.write(3, src, true);
      assertThat(src.hasRemaining()).as("the write consumed its buffer").isFalse();
      assertThat(src.array()).as("the caller's plaintext is left as it was").isEqualTo(marker);
      ByteBuffer back = ByteBuffer.allocateDirect(BLOCK * 4);
      volume.read(3, back);
      assertThat(back.position()).isEqualTo(BLOCK * 4);
      assertThat(bytes(back.flip())).isEqualTo(marker);
    }
    String raw = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    assertThat(raw).doesNotContain("STRATA-PLAINTEXT");
  }

  @Test
  void blocksNeverWrittenOrUnmappedReadAsZerosAndWrittenZerosAreStoredEncrypted() throws IOException {
    Path file = dir.resolve("thin");
    FileBlockDevice drive = FileBlockDevice.open(file, BLOCKS * BLOCK, BLOCK);
    try (EncryptedDevice volume = new EncryptedDevice(drive, key(2))) {
      assertThat(read(volume, 0, 4)).containsOnly(0);
      volume.write(0, ByteBuffer.allocate(BLOCK * 2), false); // plaintext zeros
      byte[] stored = new byte[BLOCK * 2];
      drive.read(0, ByteBuffer.wrap(stored));
      assertThat(stored).as("zeros are encrypted like anything else").isNotEqualTo(new byte[BLOCK * 2]);
      assertThat(read(volume, 0, 2)).containsOnly(0);

      volume.write(10, ByteBuffer.wrap(filled(BLOCK * 2, 7)), false);
      volume.unmap(10, 1);
      byte[] both = read(volume, 10, 2);
      assertThat(Arrays.copyOfRange(both, 0, BLOCK)).as("unmapped").containsOnly(0);
      assertThat(Arrays.copyOfRange(both, BLOCK, 2 * BLOCK)).as("still written").containsOnly(7);
    }
  }

  @Test
  void anotherKeyReadsNoiseNotTheData() throws IOException {
    Path file = dir.resolve("rekeyed");
    try (FileBlockDevice drive = FileBlockDevice.open(file, BLOCKS * BLOCK, BLOCK)) {
      new EncryptedDevice(drive, key(3)).write(5, ByteBuffer.wrap(filled(BLOCK, 9)), false);
      assertThat(read(new EncryptedDevice(drive, key(4)), 5, 1)).isNotEqualTo(filled(BLOCK, 9));
      assertThat(read(new EncryptedDevice(drive, key(3)), 5, 1)).isEqualTo(filled(BLOCK, 9));
    }
  }

  @Test
  void aStartedWriteKeepsItsCiphertextWhileTheCallerReusesItsBuffer() throws IOException {
    FileBlockDevice drive = FileBlockDevice.open(dir.resolve("started"), BLOCKS * BLOCK, BLOCK);
    try (EncryptedDevice volume = new EncryptedDevice(drive, key(5))) {
      ByteBuffer src = ByteBuffer.wrap(filled(BLOCK, 1));
      var pending = volume.startWrite(2, src, true);
      Arrays.fill(src.array(), (byte) 2);
      pending.await();
      assertThat(read(volume, 2, 1)).containsOnly(1);
    }
  }

  @Test
  void aBadKeyIsRefusedWhenTheVolumeIsOpened() throws IOException {
    try (FileBlockDevice drive = FileBlockDevice.open(dir.resolve("bad"), BLOCKS * BLOCK, BLOCK)) {
      assertThatThrownBy(() -> new EncryptedDevice(drive, new byte[16])).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** One step of a tenant's I/O: a write of a pattern, an unmap, or a read checked against the model. */
  record Step(int kind, int lba, int blocks, byte fill) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step = Combinators.combine(
        Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, BLOCKS - 8),
        Arbitraries.integers().between(1, 8), Arbitraries.bytes())
        .as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(40);
  }

  @Property(tries = 60)
  void readsAlwaysMatchAPlainVolumeFedTheSameSteps(@ForAll("steps") List<Step> steps) throws IOException {
    // jqwik does not inject JUnit's @TempDir
    Path file = Files.createTempDirectory("encrypted-device").resolve("volume.img");
    byte[] model = new byte[BLOCKS * BLOCK];
    FileBlockDevice drive = FileBlockDevice.open(file, BLOCKS * BLOCK, BLOCK);
    try (EncryptedDevice volume = new EncryptedDevice(drive, key(6))) {
      for (Step s : steps) {
        int from = s.lba() * BLOCK;
        int length = s.blocks() * BLOCK;
        switch (s.kind()) {
          case 0 -> {
            byte[] data = filled(length, s.fill());
            volume.write(s.lba(), ByteBuffer.wrap(data), false);
            System.arraycopy(data, 0, model, from, length);
          }
          case 1 -> {
            volume.unmap(s.lba(), s.blocks());
            Arrays.fill(model, from, from + length, (byte) 0);
          }
          default -> assertThat(read(volume, s.lba(), s.blocks()))
              .isEqualTo(Arrays.copyOfRange(model, from, from + length));
        }
      }
      assertThat(read(volume, 0, BLOCKS)).isEqualTo(model);
    }
  }

  static byte[] read(EncryptedDevice volume, long lba, int blocks) throws IOException {
    ByteBuffer dst = ByteBuffer.allocate(blocks * BLOCK);
    volume.read(lba, dst);
    return dst.array();
  }

  static byte[] filled(int length, int value) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) value);
    return b;
  }

  static byte[] bytes(ByteBuffer buf) {
    byte[] b = new byte[buf.remaining()];
    buf.get(b);
    return b;
  }
}
