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
 * The packaged engine grows a two-way mirror by a pair (or a RAID-5 pool by a drive, restriped)
 * through a reload while an initiator writes, and is killed with SIGKILL as soon as it says the
 * pool grew (before or after its volume metadata took the new capacity; mid-restripe): after the
 * restart every acknowledged write reads back, and two volumes together hold more than the pool
 * did before it grew.
 */
class PoolGrowCrashIT {
  static final String IQN = "iqn.2026-12.io.strata:it.pool-grow";
  static final String HOST = "iqn.2026-12.io.strata:host.pool-grow";
  static final int CHUNKS = 2048; // 4 KiB each: the first 8 MiB of volume v
  static final int BLOCKS = 8;
  static final int FILL_BLOCKS = 64; // 32 KiB writes when filling a whole volume
  static final long RAID5_VOLUME_BYTES = 80L << 20;

  @TempDir Path dir;
  EngineProcess engine;
  Path layout;
  Path status;
  int port;

  String layoutJson(long revision, String members, String drives, boolean second) {
    return layoutJson(revision, members, drives, second, "mirror", 48);
  }

  String layoutJson(long revision, String members, String drives, boolean second,
      String protection, int volumeMib) {
    return """
        {"revision": %d, "metadata": "meta", "drives": [%s],
         "pools": [{"name": "p", "drives": [%s], "protection": "%s"}],
         "volumes": [{"name": "v", "pool": "p", "size": "%dM"}%s],
         "luns": [{"lun": 0, "volume": "v"}%s]}
        """.formatted(revision, drives, members, protection, volumeMib,
        second ? ", {\"name\": \"w\", \"pool\": \"p\", \"size\": \"" + volumeMib + "M\"}"
            : "",
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
  void aGrowKilledRightAfterThePoolGrewIsCompletedAtRestartWithEveryAcknowledgedWrite()
      throws Exception {
    layout = dir.resolve("array.json");
    status = dir.resolve("layout-status.json");
    port = EngineProcess.freePort();
    write(layout, layoutJson(1, "\"a\", \"b\"", MemberReplaceCrashIT.drives("a", "b"), false));
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
      // c and d join as a pair; writes go on until the engine says the pool grew, then SIGKILL
      write(layout, layoutJson(2, "\"a\", \"b\", \"c\", \"d\"",
          MemberReplaceCrashIT.drives("a", "b", "c", "d"), true));
      engine.reload();
      Random random = new Random(18);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      long generation = 1;
      while (!engine.output.toString().contains("pool p grew from 2 to 4 drives")) {
        assertThat(System.nanoTime()).as("the engine never grew the pool:\n" + engine.output)
            .isLessThan(deadline);
        int k = random.nextInt(CHUNKS);
        session.write((long) k * BLOCKS, MemberReplaceCrashIT.stamp(k, ++generation), false);
        acknowledged[k] = generation;
      }
      inFlight = random.nextInt(CHUNKS);
      inFlightGeneration = ++generation;
      killWithAWriteInFlight(session, inFlight, inFlightGeneration);
    }

    engine = start(); // the layout lists the pair
    JsonNode started = engine.awaitLayoutStatus(status, 2);
    assertThat(started.path("ok").asBoolean()).as(started.toString()).isTrue();
    byte[][] filled = new byte[2][];
    try (TestInitiator session = new TestInitiator("127.0.0.1", port, IQN, HOST)) {
      session.testUnitReady();
      MemberReplaceCrashIT.verify(session, acknowledged, inFlight, inFlightGeneration,
          "after the restart");
      // v's remaining 40 MiB and all of w: 96 MiB written, more than the 63 MiB pool before
      fill(session, 0, (long) CHUNKS * BLOCKS);
      session.lun = 1;
      session.testUnitReady();
      fill(session, 1, 0);
      session.lun = 0;
      MemberReplaceCrashIT.verify(session, acknowledged, inFlight, inFlightGeneration,
          "after filling both volumes");
      session.lun = 1;
      for (long lba = 0; lba < (48L << 20) / 512; lba += FILL_BLOCKS) {
        assertThat(session.read(lba, FILL_BLOCKS)).as("w at %d", lba).isEqualTo(fillStamp(1, lba));
      }
    }
  }

  @Test
  /**
   * A RAID-5 pool grows from three drives to four, killed as soon as it says so (its restripe
   * under way): the restarted engine resumes the restripe, every acknowledged write reads back,
   * and once it is done two volumes together hold more than the pool did before.
   */
  void aRaid5RestripeKilledUnderWayIsResumedAtRestartWithEveryAcknowledgedWrite() throws Exception {
    layout = dir.resolve("array.json");
    status = dir.resolve("layout-status.json");
    port = EngineProcess.freePort();
    write(layout, layoutJson(1, "\"a\", \"b\", \"c\"", MemberReplaceCrashIT.drives("a", "b", "c"),
        false, "parity", 80));
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
          MemberReplaceCrashIT.drives("a", "b", "c", "d"), true, "parity", 80));
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
      killWithAWriteInFlight(session, inFlight, inFlightGeneration);
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
      fill(session, 0, (long) CHUNKS * BLOCKS, RAID5_VOLUME_BYTES);
      session.lun = 1;
      session.testUnitReady();
      fill(session, 1, 0, RAID5_VOLUME_BYTES);
      session.lun = 0;
      MemberReplaceCrashIT.verify(session, acknowledged, inFlight, inFlightGeneration,
          "after filling both volumes");
      session.lun = 1;
      for (long lba = 0; lba < RAID5_VOLUME_BYTES / 512; lba += FILL_BLOCKS) {
        assertThat(session.read(lba, FILL_BLOCKS)).as("w at %d", lba)
            .isEqualTo(fillStamp(1, lba));
      }
    }
  }

  /** SIGKILL while chunk {@code k}'s write of generation {@code g} is in flight. */
  void killWithAWriteInFlight(TestInitiator session, int k, long g) throws Exception {
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
  }

  /** What filling writes at {@code lba} of volume {@code volume}: 32 KiB named by both. */
  static byte[] fillStamp(int volume, long lba) {
    return repeat(MemberReplaceCrashIT.stamp((int) (volume << 24 | lba / FILL_BLOCKS), 7));
  }

  static byte[] repeat(byte[] chunk) {
    byte[] out = new byte[FILL_BLOCKS * 512];
    for (int at = 0; at < out.length; at += chunk.length) {
      System.arraycopy(chunk, 0, out, at, chunk.length);
    }
    return out;
  }

  static void fill(TestInitiator session, int volume, long from) throws IOException {
    fill(session, volume, from, 48L << 20);
  }

  static void fill(TestInitiator session, int volume, long from, long bytes) throws IOException {
    for (long lba = from; lba < bytes / 512; lba += FILL_BLOCKS) {
      session.write(lba, fillStamp(volume, lba), false);
    }
  }
}
