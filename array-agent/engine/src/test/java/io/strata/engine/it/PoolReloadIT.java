package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pools and drives added and removed by a SIGHUP reload while an initiator stays logged in: the
 * same TCP connection keeps reading and writing its LUN through every change, as a tenant's
 * servers would when a pool is created or deleted in the same array.
 */
class PoolReloadIT {
  static final String IQN = "iqn.2026-11.io.strata:it.pool-reload";
  static final String HOST = "iqn.2026-11.io.strata:host.pool-reload";

  @TempDir Path dir;
  EngineProcess engine;
  Path layout;
  Path status;
  long revision;

  static final String BASE_DRIVE = """
      {"name": "a", "path": "a.img", "media": "SSD", "size": "64M"}""";
  static final String BASE_POOL = """
      {"name": "p", "drives": ["a"]}""";
  static final String BASE_VOLUME = """
      {"name": "v0", "pool": "p", "size": "16M"}""";
  static final String BASE_LUN = """
      {"lun": 0, "volume": "v0"}""";

  String layoutJson(String drives, String pools, String volumes, String luns) {
    return """
        {"revision": 0, "metadata": "meta",
         "drives": [%s, %s], "pools": [%s, %s], "volumes": [%s, %s], "luns": [%s, %s]}
        """.formatted(BASE_DRIVE, drives, BASE_POOL, pools, BASE_VOLUME, volumes,
        BASE_LUN, luns).replace(", ]", "]");
  }

  JsonNode apply(String text) throws Exception {
    revision++;
    Path tmp = dir.resolve("array.json.tmp");
    Files.writeString(tmp, text.replace("\"revision\": 0", "\"revision\": " + revision));
    Files.move(tmp, layout, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    engine.reload();
    return awaitStatus(revision);
  }

  JsonNode awaitStatus(long wanted) throws Exception {
    return engine.awaitLayoutStatus(status, wanted);
  }

  static byte[] pattern(int seed) {
    return LayoutAccessIT.pattern(seed);
  }

  @AfterEach
  void stop() throws Exception {
    if (engine != null) {
      engine.stop();
    }
  }

  @Test
  void aSessionStaysUpWhileOnePoolIsAddedAndAnotherRemoved() throws Exception {
    layout = dir.resolve("array.json");
    status = dir.resolve("layout-status.json");
    int port = EngineProcess.freePort();
    String oldDrive = """
        {"name": "c", "path": "c.img", "media": "HDD", "size": "64M"}""";
    String oldPool = """
        {"name": "old", "drives": ["c"]}""";
    revision = 0;
    Files.writeString(layout, layoutJson(oldDrive, oldPool,
        "{\"name\": \"x\", \"pool\": \"old\", \"size\": \"8M\"}", "{\"lun\": 1, \"volume\": \"x\"}"));
    engine = EngineProcess.start("--portal", "127.0.0.1:" + port, "--iqn", IQN,
        "--layout", layout.toString(), "--layout-status", status.toString());
    assertThat(awaitStatus(0).path("ok").asBoolean()).isTrue();

    try (TestInitiator session = new TestInitiator("127.0.0.1", port, IQN, HOST)) {
      session.testUnitReady(); // POWER ON, RESET
      session.write(0, pattern('A'), true);

      // One reload: pool "old" (whose volume goes too) is removed with its drive, pool "q" is
      // made on a new drive, with a volume that becomes LUN 1.
      String newDrive = """
          {"name": "b", "path": "b.img", "media": "SSD", "size": "64M"}""";
      String newPool = """
          {"name": "q", "drives": ["b"], "protection": "none"}""";
      String newVolume = """
          {"name": "w", "pool": "q", "size": "8M"}""";
      JsonNode reshaped = apply(layoutJson(newDrive, newPool, newVolume,
          "{\"lun\": 1, \"volume\": \"w\"}"));
      assertThat(reshaped.path("ok").asBoolean()).as(reshaped.toString()).isTrue();
      assertThat(engine.output.toString()).contains("removed pool old").contains("opened pool q");
      assertThat(session.read(0, 8)).as("the same connection reads what it wrote")
          .isEqualTo(pattern('A'));
      session.write(8, pattern('B'), true);
      session.lun = 1;
      session.testUnitReady(); // the LUN changed under this nexus: a unit attention, once
      session.write(0, pattern('W'), true);
      assertThat(session.read(0, 8)).as("LUN 1 is now the new pool's volume").isEqualTo(pattern('W'));

      // A pool that would still hold something listed is not removed: the status says why,
      // nothing changes, and the session goes on.
      String snapshotOfW = "{\"name\": \"s\", \"volume\": \"w\"}";
      JsonNode snapped = apply(layoutJson(newDrive, newPool, newVolume, "{\"lun\": 1, \"volume\": \"w\"}")
          .replace("\"luns\"", "\"snapshots\": [" + snapshotOfW + "], \"luns\""));
      assertThat(snapped.path("ok").asBoolean()).as(snapped.toString()).isTrue();
      JsonNode held = apply(layoutJson(newDrive, "", "", "")
          .replace("\"luns\"", "\"snapshots\": [" + snapshotOfW + "], \"luns\""));
      assertThat(held.path("ok").asBoolean()).as(held.toString()).isFalse();
      assertThat(held.path("error").asText()).contains("pool q cannot be removed").contains("[s]");
      assertThat(session.read(0, 8)).as("LUN 1 still served").isEqualTo(pattern('W'));

      // The removed pool's drive comes back in a new pool: its label was cleared with the pool.
      JsonNode again = apply(layoutJson(newDrive + ", " + oldDrive, newPool + ", "
          + "{\"name\": \"again\", \"drives\": [\"c\"]}", newVolume, "{\"lun\": 1, \"volume\": \"w\"}"));
      assertThat(again.path("ok").asBoolean()).as(again.toString()).isTrue();
      session.lun = 0;
      assertThat(session.read(8, 8)).isEqualTo(pattern('B'));
    }
  }
}
