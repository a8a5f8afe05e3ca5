package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HDD pool behind an SSD tier and a write-back SSD flash cache, served through iSCSI from a
 * {@code --layout} file: libiscsi's SCSI suites pass on a volume there, and what qemu-img wrote
 * (acknowledged, so in the cache's dirty lines or on the tiers) survives SIGKILL of the engine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CachedPoolIT {
  static final String IQN = "iqn.2026-11.io.strata:it.cachedpool";
  @TempDir static Path dir;
  static EngineProcess engine;
  static int port;
  static Path layout;

  static String url(int lun) {
    return "iscsi://127.0.0.1:" + port + "/" + IQN + "/" + lun;
  }

  static final String LAYOUT = """
      {
        "metadata": "meta",
        "drives": [
          {"name": "hdd0", "path": "hdd0.img", "media": "HDD", "size": "256M"},
          {"name": "tier0", "path": "tier0.img", "media": "SSD", "size": "64M"},
          {"name": "cache0", "path": "cache0.img", "media": "SSD", "size": "32M"}
        ],
        "pools": [
          {"name": "bulk", "drives": ["hdd0"], "protection": "none",
           "tiering": {"drive": "tier0", "moveRate": "16M"},
           "cache": {"drive": "cache0", "mode": "write-back", "lineSize": "64K"}}
        ],
        "volumes": [
          {"name": "vol0", "pool": "bulk", "size": "96M"},
          {"name": "data", "pool": "bulk", "size": "32M"}
        ],
        "snapshots": [],
        "luns": [{"lun": 0, "volume": "vol0"}, {"lun": 1, "volume": "data"}]
      }
      """;

  static EngineProcess startEngine() throws Exception {
    return EngineProcess.start("--portal", "127.0.0.1:" + port, "--iqn", IQN,
        "--layout", layout.toString());
  }

  @BeforeAll
  static void start() throws Exception {
    LibIscsi.requireTools();
    port = EngineProcess.freePort();
    layout = dir.resolve("array.json");
    Files.writeString(layout, LAYOUT);
    engine = startEngine();
  }

  @AfterAll
  static void stop() throws Exception {
    if (engine != null) {
      assertThat(engine.stop()).as("exit code after SIGTERM").isIn(0, 143);
    }
  }

  @Test
  @Order(1)
  void scsiSuitesPassOnAVolumeOfACachedTieredHddPool() throws Exception {
    for (String suite : List.of("SCSI.Read16", "SCSI.Write16", "SCSI.CompareAndWrite",
        "SCSI.Unmap", "SCSI.WriteSame16", "SCSI.Verify16")) {
      LibIscsi.Result r = LibIscsi.testCu(suite, url(0));
      assertThat(r.ran()).as(suite + "\n" + r.output()).isPositive();
      assertThat(r.failedTests()).as(suite + "\n" + r.output()).isEmpty();
      assertThat(r.failed()).as(suite + "\n" + r.output()).isZero();
    }
  }

  @Test
  @Order(2)
  void acknowledgedWritesSurviveAKillOfTheEngine() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")),
        "qemu-img not installed");
    Path image = dir.resolve("image.raw");
    Random random = new Random(7);
    try (RandomAccessFile raf = new RandomAccessFile(image.toFile(), "rw")) {
      raf.setLength(32L << 20);
      byte[] piece = new byte[48 << 10]; // not line-aligned: partial lines too
      for (int i = 0; i < 60; i++) {
        random.nextBytes(piece);
        raf.seek((long) random.nextInt((32 << 20) - piece.length) & ~511L);
        raf.write(piece);
      }
    }
    assertThat(BlockStackIT.qemuImg("convert", "-n", "-f", "raw", "-O", "raw",
        image.toString(), url(1))).endsWith("exit=0");

    engine.killHard();
    engine = startEngine();

    assertThat(BlockStackIT.qemuImg("compare", "-f", "raw", "-F", "raw", image.toString(),
        url(1))).as("everything qemu-img was told is written, after SIGKILL and restart")
        .contains("Images are identical");
  }
}
