package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine serving LUNs from the block stack (--layout): a thin volume in a mirrored pool of
 * two file drives, checked by libiscsi's SCSI suites and by qemu-img over iscsi:// URLs;
 * snapshots, online grow and read-only snapshot LUNs through SIGHUP layout reloads.
 */
class BlockStackIT {
  static final String IQN = "iqn.2026-11.io.strata:it.blockstack";
  static final long MIB = 1 << 20;
  @TempDir static Path dir;
  static EngineProcess engine;
  static int port;
  static LayoutFile layout;

  static String url(int lun) {
    return "iscsi://127.0.0.1:" + port + "/" + IQN + "/" + lun;
  }

  @BeforeAll
  static void start() throws Exception {
    LibIscsi.requireTools();
    port = EngineProcess.freePort();
    layout = new LayoutFile(dir.resolve("array.json"));
    layout.volumes.add(new LayoutFile.Vol("thin0", "128M", null));
    layout.volumes.add(new LayoutFile.Vol("data", "32M", null));
    layout.setLun(0, "thin0");
    layout.setLun(1, "data");
    layout.write();
    engine = EngineProcess.start("--portal", "127.0.0.1:" + port, "--iqn", IQN,
        "--layout", layout.file.toString());
  }

  @AfterAll
  static void stop() throws Exception {
    if (engine != null) {
      assertThat(engine.stop()).as("exit code after SIGTERM").isIn(0, 143);
      assertThat(engine.output.toString()).contains("stopped").contains("drive ssd0 (SSD");
    }
  }

  @Test
  void scsiSuitesPassOnAThinVolumeInAMirroredPool() throws Exception {
    for (String suite : List.of("SCSI.Unmap", "SCSI.GetLBAStatus", "SCSI.Write16",
        "SCSI.CompareAndWrite", "SCSI.WriteSame16", "SCSI.ReadCapacity16", "SCSI.ExtendedCopy")) {
      LibIscsi.Result r = LibIscsi.testCu(suite, url(0));
      assertThat(r.ran()).as(suite + "\n" + r.output()).isPositive();
      assertThat(r.failedTests()).as(suite + "\n" + r.output()).isEmpty();
      assertThat(r.failed()).as(suite + "\n" + r.output()).isZero();
    }
  }

  /** A 32 MiB raw image: random data in scattered 64 KiB pieces, zeros (holes) elsewhere. */
  static Path image(String name, long seed) throws IOException {
    Path file = dir.resolve(name);
    Random random = new Random(seed);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(32 * MIB);
      byte[] piece = new byte[64 << 10];
      for (int i = 0; i < 40; i++) {
        random.nextBytes(piece);
        raf.seek((long) random.nextInt(32 * 16 - 1) * (64 << 10));
        raf.write(piece);
      }
    }
    return file;
  }

  static String qemuImg(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "qemu-img";
    System.arraycopy(args, 0, command, 1, args.length);
    return LibIscsi.run(120, command);
  }

  @Test
  void qemuImgCopiesThroughAVolumeAndASnapshotKeepsWhatItSaw() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-img not installed");
    Path first = image("first.img", 1);
    Path second = image("second.img", 2);
    assertThat(qemuImg("convert", "-n", "-f", "raw", "-O", "raw", first.toString(), url(1)))
        .endsWith("exit=0");
    assertThat(qemuImg("compare", "-f", "raw", "-F", "raw", first.toString(), url(1)))
        .contains("Images are identical").endsWith("exit=0");

    layout.snapshots.add(new LayoutFile.Snap("data-snap", "data"));
    layout.setLun(2, "data-snap");
    layout.apply(engine);
    assertThat(qemuImg("convert", "-n", "-f", "raw", "-O", "raw", second.toString(), url(1)))
        .endsWith("exit=0");

    assertThat(qemuImg("compare", "-f", "raw", "-F", "raw", second.toString(), url(1)))
        .as("the volume has the new content").contains("Images are identical");
    assertThat(qemuImg("compare", "-f", "raw", "-F", "raw", first.toString(), url(2)))
        .as("the snapshot kept the old content").contains("Images are identical");
    try (TestInitiator initiator = new TestInitiator("127.0.0.1", port, IQN, LibIscsi.INITIATOR)) {
      initiator.lun = 2;
      assertThatThrownBy(() -> initiator.write(0, new byte[512], false))
          .as("a snapshot LUN is read-only").hasMessageContaining("SCSI status 2");
    }

    // A writable clone of the snapshot starts with its content and then goes its own way.
    layout.volumes.add(new LayoutFile.Vol("data-clone", null, "data-snap"));
    layout.setLun(3, "data-clone");
    layout.apply(engine);
    assertThat(qemuImg("compare", "-f", "raw", "-F", "raw", first.toString(), url(3)))
        .contains("Images are identical");
    try (TestInitiator initiator = new TestInitiator("127.0.0.1", port, IQN, LibIscsi.INITIATOR)) {
      initiator.lun = 3;
      initiator.write(0, new byte[512], false);
    }
    assertThat(qemuImg("compare", "-f", "raw", "-F", "raw", first.toString(), url(2)))
        .as("writing the clone leaves the snapshot alone").contains("Images are identical");
  }

  @Test
  void aVolumeGrowsOnline() throws Exception {
    layout.volumes.add(new LayoutFile.Vol("growing", "16M", null));
    layout.setLun(5, "growing");
    layout.apply(engine);
    assertThat(LibIscsi.run(30, "iscsi-readcapacity16", url(5))).contains("Total size:" + 16 * MIB);
    try (TestInitiator initiator = new TestInitiator("127.0.0.1", port, IQN, LibIscsi.INITIATOR)) {
      initiator.lun = 5;
      byte[] block = new byte[512];
      block[0] = 42;
      initiator.write(7, block, false);
      layout.volumes.set(layout.volumes.size() - 1, new LayoutFile.Vol("growing", "48M", null));
      layout.apply(engine);
      // The open session sees CAPACITY DATA HAS CHANGED once (TestInitiator retries past it).
      assertThat(initiator.read(7, 1)[0]).isEqualTo((byte) 42);
      initiator.write(48 * MIB / 512 - 1, block, false);
    }
    assertThat(LibIscsi.run(30, "iscsi-readcapacity16", url(5))).contains("Total size:" + 48 * MIB);
  }
}
