package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged engine grows a RAID-5 pool from three drives to four through a reload while an
 * initiator writes, and is killed with SIGKILL as soon as it says the pool grew (its restripe
 * under way): the restarted engine resumes the restripe, every acknowledged write reads back, and
 * once it is done two volumes together hold more than the pool did before.
 */
class RestripeKillIT {
  static final String IQN = "iqn.2026-12.io.strata:it.restripe";
  static final String HOST = "iqn.2026-12.io.strata:host.restripe";
  static final int CHUNKS = 2048; // 4 KiB each: the first 8 MiB of volume v
  static final int BLOCKS = 8;
  static final long VOLUME_BYTES = 80L << 20;

  @TempDir Path dir;
  EngineProcess engine;
  Path layout;
  Path status;
  int port;

  String layoutJson(long revision, String members, String drives, boolean second) {
    return """
        {"revision": %d, "metadata": "meta", "drives": [%s],
         "pools": [{"name": "p", "drives": [%s], "protection": "parity"}],
         "volumes": [{"name": "v", "pool": "p", "size": "80M"}%s],
         "luns": [{"lun": 0, "volume": "v"}%s]}
        """.formatted(revision, drives, members,
        second ? ", {\"name\": \"w\", \"pool\": \"p\", \"size\": \"80M\"}" : "",
        second ? ", {\"lun\": 1, \"volume\": \"w\"}" : "");
  }

  void write(Path file, String text) throws IOException {
    Path tmp = dir.resolve("array.json.tmp");
    java.nio.file.Files.writeString(tmp, text);
    java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  EngineProcess start() throws Exception {
    return EngineProcess.start("--portal", "127.0.0.1:" + port, "--iqn", IQN,
        "--layout", layout.toString(), "--layout-status", status.toString());
  }

  @AfterEach
  void stop() throws Exception {
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void aRestripeKilledUnderWayIsResumedAtRestartWithEveryAcknowledgedWrite() throws Exception {
    layout = dir.resolve("array.json");
    status = dir.resolve("layout-status.json");
    port = EngineProcess.freePort();
    write(layout, layoutJson(1, "\"a\", \"b\", \"c\"", MemberReplaceCrashIT.drives("a", "b", "c"),
        false));
    engine = start();
    assertThat(engine.awaitLayoutStatus(status, 1).path("ok").asBoolean()).isTrue();

    long[] acknowledged = new long[CHUNKS];
    int inFlight;
    long inFlightGeneration;
    try (TestInitiator session = new TestInitiator("127.0.0.1", port, IQN, HOST)) {
      session.testUnitReady();
      for (int k = 0; k < CHUNKS; k++) {
        session.write((long) k * BLOCKS, MemberReplaceCrashIT.stamp(k, 1), false);
        acknowledged[k] = 1;
      }
      // d joins; writes go on until the engine says the pool grew (the restripe starts), then
      // SIGKILL with one write in flight
      write(layout, layoutJson(2, "\"a\", \"b\", \"c\", \"d\"",
          MemberReplaceCrashIT.drives("a", "b", "c", "d"), true));
      engine.reload();
      Random random = new Random(18);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      long generation = 1;
      while (!engine.output.toString().contains("pool p grew from 3 to 4 drives")) {
        assertThat(System.nanoTime()).as("the engine never grew the pool:\n" + engine.output)
            .isLessThan(deadline);
        int k = random.nextInt(CHUNKS);
        session.write((long) k * BLOCKS, MemberReplaceCrashIT.stamp(k, ++generation), false);
        acknowledged[k] = generation;
      }
      for (int i = 0; i < 64; i++) { // some writes while the restripe runs
        int k = random.nextInt(CHUNKS);
        session.write((long) k * BLOCKS, MemberReplaceCrashIT.stamp(k, ++generation), false);
        acknowledged[k] = generation;
      }
      inFlight = random.nextInt(CHUNKS);
      inFlightGeneration = ++generation;
      int k = inFlight;
      long g = inFlightGeneration;
      Thread writer = new Thread(() -> {
        try {
          session.write((long) k * BLOCKS, MemberReplaceCrashIT.stamp(k, g), false);
        } catch (IOException e) {
          // killed under it: either version may be there
        }
      });
      writer.start();
      engine.killHard();
      writer.join(30_000);
      assertThat(engine.output.toString()).as("killed while the restripe ran")
          .doesNotContain("restriped onto 4 drives");
    }

    engine = start(); // the layout lists d
    JsonNode started = engine.awaitLayoutStatus(status, 2);
    assertThat(started.path("ok").asBoolean()).as(started.toString()).isTrue();
    try (TestInitiator session = new TestInitiator("127.0.0.1", port, IQN, HOST)) {
      session.testUnitReady();
      MemberReplaceCrashIT.verify(session, acknowledged, inFlight, inFlightGeneration,
          "after the restart");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (!engine.output.toString().contains("restriped onto 4 drives")) {
        assertThat(System.nanoTime()).as("the restarted engine never finished the restripe:\n"
            + engine.output).isLessThan(deadline);
        session.read(0, BLOCKS); // reads go on during the resumed restripe
      }
      // v's remaining 72 MiB and all of w: 160 MiB written, more than the 125 MiB pool before
      fill(session, 0, (long) CHUNKS * BLOCKS);
      session.lun = 1;
      session.testUnitReady();
      fill(session, 1, 0);
      session.lun = 0;
      MemberReplaceCrashIT.verify(session, acknowledged, inFlight, inFlightGeneration,
          "after filling both volumes");
      session.lun = 1;
      for (long lba = 0; lba < VOLUME_BYTES / 512; lba += PoolGrowCrashIT.FILL_BLOCKS) {
        assertThat(session.read(lba, PoolGrowCrashIT.FILL_BLOCKS)).as("w at %d", lba)
            .isEqualTo(PoolGrowCrashIT.fillStamp(1, lba));
      }
    }
  }

  static void fill(TestInitiator session, int volume, long from) throws IOException {
    for (long lba = from; lba < VOLUME_BYTES / 512; lba += PoolGrowCrashIT.FILL_BLOCKS) {
      session.write(lba, PoolGrowCrashIT.fillStamp(volume, lba), false);
    }
  }
}
