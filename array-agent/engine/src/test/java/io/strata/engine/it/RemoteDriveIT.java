package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two engine processes, as two storage nodes run them: node 1's export service lends two drive
 * files; node 2's array engine has a MIRROR pool of one local drive and one of node 1's. Losing
 * node 1's process leaves the array serving reads and acknowledging writes, degraded, with the
 * status saying which drive failed and why; node 1 coming back puts the drive back into the
 * pool, rebuilt with what was written meanwhile.
 */
class RemoteDriveIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ARRAY = "arrayA";
  private static final String ENGINE_IQN = "iqn.2026-01.io.strata:engine." + ARRAY;
  private static final String DRIVE_IQN = "iqn.2026-01.io.strata:drive.n1-ssd-0";
  private static final String OTHER_DRIVE_IQN = "iqn.2026-01.io.strata:drive.n1-ssd-1";
  private static final String SECRET = "derived-secret-of-arrayA-0123";
  private static final String ARRAY_TARGET = "iqn.2026-01.io.strata:array." + ARRAY;

  @TempDir Path dir;

  @Test
  void mirrorWithARemoteDriveSurvivesTheExportingNodeAndTakesItBack() throws Exception {
    Path node1 = Files.createDirectories(dir.resolve("node1"));
    Path node2 = Files.createDirectories(dir.resolve("node2"));
    sized(node1.resolve("ssd0.img"), 64 << 20);
    sized(node1.resolve("ssd1.img"), 64 << 20);
    Path exports = node1.resolve("exports.json");
    Files.writeString(exports, "{\"revision\": 3, \"exports\": ["
        + export(DRIVE_IQN, node1.resolve("ssd0.img"), ENGINE_IQN, ARRAY, SECRET) + ", "
        + export(OTHER_DRIVE_IQN, node1.resolve("ssd1.img"), "iqn.2026-01.io.strata:engine.arrayB",
            "arrayB", "secret-of-arrayB-0123456") + "]}");
    int exportPort = EngineProcess.freePort();
    int arrayPort = EngineProcess.freePort();
    String[] exportArgs = {"--exports", exports.toString(), "--portal",
        "127.0.0.1:" + exportPort, "--layout-status", node1.resolve("export-status.json").toString()};

    Path layout = node2.resolve("layout.json");
    Files.writeString(layout, """
        {"revision": 1, "metadata": "meta",
         "drives": [
           {"name": "d1", "path": "d1.img", "media": "SSD", "size": "64M"},
           {"name": "d2", "media": "SSD", "size": "64M",
            "remote": {"portal": "127.0.0.1:%d", "target": "%s", "lun": 0,
                       "initiator": "%s", "chap": {"user": "%s", "secret": "%s"}}}],
         "pools": [{"name": "p0", "drives": ["d1", "d2"], "protection": "mirror"}],
         "volumes": [{"name": "v1", "pool": "p0", "size": "16M"}],
         "luns": [{"lun": 0, "volume": "v1"}]}
        """.formatted(exportPort, DRIVE_IQN, ENGINE_IQN, ARRAY, SECRET));
    Path status = node2.resolve("status.json");

    EngineProcess exporter = EngineProcess.start(exportArgs);
    try (EngineProcess array = EngineProcess.start("--iqn", ARRAY_TARGET, "--portal",
        "127.0.0.1:" + arrayPort, "--layout", layout.toString(), "--layout-status",
        status.toString())) {
      assertThat(JSON.readTree(node1.resolve("export-status.json").toFile())
          .get("revision").asLong()).isEqualTo(3);
      assertThat(driveState(status, "d2")).isEqualTo("ONLINE");
      if (Files.isExecutable(Path.of("/usr/bin/iscsi-ls"))) {
        // Discovery on the export portal: array A's engine sees its drive and not array B's;
        // an initiator no export names sees nothing, even with A's CHAP.
        String url = "iscsi://" + ARRAY + "%" + SECRET + "@127.0.0.1:" + exportPort;
        assertThat(LibIscsi.run(30, "iscsi-ls", "-s", "-i", ENGINE_IQN, url))
            .contains(DRIVE_IQN).contains("Lun:0").doesNotContain(OTHER_DRIVE_IQN);
        assertThat(LibIscsi.run(30, "iscsi-ls", "-i", "iqn.2026-01.io.strata:engine.stranger",
            url)).doesNotContain(DRIVE_IQN).doesNotContain(OTHER_DRIVE_IQN);
      }

      byte[] before = pattern(1, 256 * 1024);
      byte[] during = pattern(2, 128 * 1024);
      try (TestInitiator client = new TestInitiator("127.0.0.1", arrayPort, ARRAY_TARGET,
          "iqn.2026-01.io.strata:client")) {
        writeAll(client, 0, before);
        assertReadsBack(client, 0, before);

        // Node 1 goes away without a word.
        exporter.killHard();
        writeAll(client, 4096, during); // acknowledged, on the local copy
        assertReadsBack(client, 0, before);
        assertReadsBack(client, 4096, during);
        awaitState(status, "d2", "FAILED");
        JsonNode d2 = drive(status, "d2");
        assertThat(d2.get("remote").asBoolean()).isTrue();
        assertThat(d2.get("reason").asText()).isNotBlank();

        // Node 1 comes back: the drive is logged in to again, rebuilt, and serves reads again.
        exporter = EngineProcess.start(exportArgs);
        awaitState(status, "d2", "ONLINE");
        // Reads alternate between the two copies: every one must return what was written.
        for (int i = 0; i < 4; i++) {
          assertReadsBack(client, 0, before);
          assertReadsBack(client, 4096, during);
        }
      }
      assertThat(array.stop()).as("exit code after SIGTERM").isIn(0, 143);
      String log = array.output.toString();
      assertThat(log).contains("remote drive d2 is back: re-added to pool p0");
    } finally {
      exporter.close();
    }
  }

  private static void writeAll(TestInitiator client, long lba, byte[] data) throws Exception {
    int chunk = 32 * 1024;
    for (int at = 0; at < data.length; at += chunk) {
      client.write(lba + at / 512, Arrays.copyOfRange(data, at, at + chunk), true);
    }
  }

  private static void assertReadsBack(TestInitiator client, long lba, byte[] data)
      throws Exception {
    int chunk = 32 * 1024;
    for (int at = 0; at < data.length; at += chunk) {
      assertThat(client.read(lba + at / 512, chunk / 512))
          .isEqualTo(Arrays.copyOfRange(data, at, at + chunk));
    }
  }

  private static void awaitState(Path status, String drive, String state) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    String last = null;
    while (System.nanoTime() < until) {
      last = driveState(status, drive);
      if (state.equals(last)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("drive " + drive + " stayed " + last + ", not " + state + ": "
        + (Files.exists(status) ? Files.readString(status) : "(no status)"));
  }

  private static String driveState(Path status, String name) throws Exception {
    JsonNode d = drive(status, name);
    return d == null ? null : d.get("state").asText();
  }

  private static JsonNode drive(Path status, String name) throws Exception {
    if (!Files.exists(status)) {
      return null;
    }
    JsonNode drives = JSON.readTree(status.toFile()).get("drives");
    if (drives == null) {
      return null;
    }
    for (JsonNode d : drives) {
      if (d.get("name").asText().equals(name)) {
        return d;
      }
    }
    return null;
  }

  private static String export(String target, Path path, String initiator, String user,
      String secret) {
    return String.format("{\"target\": \"%s\", \"path\": \"%s\", \"media\": \"SSD\","
        + " \"initiator\": \"%s\", \"chap\": {\"user\": \"%s\", \"secret\": \"%s\"}}", target,
        path, initiator, user, secret);
  }

  private static byte[] pattern(long seed, int length) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static void sized(Path file, long bytes) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(bytes);
    }
  }
}
