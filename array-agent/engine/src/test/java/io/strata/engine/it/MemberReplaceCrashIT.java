package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged engine replaces a RAID-5 member by reload while an initiator writes, and is killed
 * with SIGKILL as soon as it says it is copying: after the restart (whose layout lists the new
 * drive) the new drive is rebuilt, every acknowledged write reads back, and then, with another
 * original drive lost, the new drive stands in for the old member: every write still reads back.
 */
class MemberReplaceCrashIT {
  static final String IQN = "iqn.2026-11.io.strata:it.member-replace";
  static final String HOST = "iqn.2026-11.io.strata:host.member-replace";
  static final int CHUNKS = 2048; // 4 KiB each: the first 8 MiB of the volume
  static final int BLOCKS = 8;

  @TempDir Path dir;
  EngineProcess engine;
  Path layout;
  Path status;
  int port;

  String layoutJson(long revision, String members, String drives) {
    return """
        {"revision": %d, "metadata": "meta", "drives": [%s],
         "pools": [{"name": "p", "drives": [%s], "protection": "parity"}],
         "volumes": [{"name": "v", "pool": "p", "size": "96M"}],
         "luns": [{"lun": 0, "volume": "v"}]}
        """.formatted(revision, drives, members);
  }

  static String drives(String... names) {
    StringBuilder out = new StringBuilder();
    for (String n : names) {
      out.append(out.isEmpty() ? "" : ", ").append("{\"name\": \"").append(n)
          .append("\", \"path\": \"").append(n).append(".img\", \"media\": \"SSD\", \"size\": \"64M\"}");
    }
    return out.toString();
  }

  static byte[] stamp(int chunk, long generation) {
    ByteBuffer b = ByteBuffer.allocate(BLOCKS * 512);
    while (b.hasRemaining()) {
      b.putInt(chunk).putLong(generation).putInt(0x5354524d);
    }
    return b.array();
  }

  void write(Path file, String text) throws IOException {
    Path tmp = dir.resolve("array.json.tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
  void aReplacementKilledMidCopyIsRebuiltAtRestartAndHoldsEveryAcknowledgedWrite()
      throws Exception {
    layout = dir.resolve("array.json");
    status = dir.resolve("layout-status.json");
    port = EngineProcess.freePort();
    write(layout, layoutJson(1, "\"a\", \"b\", \"c\"", drives("a", "b", "c")));
    engine = start();
    assertThat(engine.awaitLayoutStatus(status, 1).path("ok").asBoolean()).isTrue();

    long[] acknowledged = new long[CHUNKS];
    int inFlight = -1;
    long inFlightGeneration = 0;
    try (TestInitiator session = new TestInitiator("127.0.0.1", port, IQN, HOST)) {
      session.testUnitReady();
      for (int k = 0; k < CHUNKS; k++) {
        session.write((long) k * BLOCKS, stamp(k, 1), false);
        acknowledged[k] = 1;
      }
      // b leaves, n takes its position; writes go on until the engine says it copies, then
      // SIGKILL.
      write(layout, layoutJson(2, "\"a\", \"n\", \"c\"", drives("a", "c", "n")));
      engine.reload();
      Random random = new Random(18);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      long generation = 1;
      while (!engine.output.toString().contains("drive n replaces b")) {
        assertThat(System.nanoTime()).as("the engine never started the copy:\n" + engine.output)
            .isLessThan(deadline);
        int k = random.nextInt(CHUNKS);
        session.write((long) k * BLOCKS, stamp(k, ++generation), false);
        acknowledged[k] = generation;
      }
      for (int i = 0; i < 20; i++) { // a few more during the copy
        int k = random.nextInt(CHUNKS);
        session.write((long) k * BLOCKS, stamp(k, ++generation), false);
        acknowledged[k] = generation;
      }
      inFlight = random.nextInt(CHUNKS);
      inFlightGeneration = ++generation;
      int k = inFlight;
      long g = inFlightGeneration;
      Thread writer = new Thread(() -> {
        try {
          session.write((long) k * BLOCKS, stamp(k, g), false);
        } catch (IOException e) {
          // killed under it: either version may be there
        }
      });
      writer.start();
      engine.killHard();
      writer.join(30_000);
    }
    boolean copiedBeforeTheKill = engine.output.toString().contains("copied onto its replacement");

    engine = start(); // the layout lists n in b's place
    JsonNode started = engine.awaitLayoutStatus(status, 2);
    assertThat(started.path("ok").asBoolean()).as(started.toString()).isTrue();
    if (!copiedBeforeTheKill) {
      awaitOutput("drive 1 rebuilt in full");
    }
    try (TestInitiator session = new TestInitiator("127.0.0.1", port, IQN, HOST)) {
      session.testUnitReady();
      verify(session, acknowledged, inFlight, inFlightGeneration, "after the restart");
    }
    assertThat(engine.stop()).isIn(0, 143); // SIGTERM: a clean stop (143 once the JVM exits by the signal)

    // b is gone for good and c dies: a blank c is rebuilt from a and n, and reads are solved
    // from a and n meanwhile.
    Files.delete(dir.resolve("b.img"));
    Files.delete(dir.resolve("c.img"));
    engine = start();
    assertThat(engine.awaitLayoutStatus(status, 2).path("ok").asBoolean()).isTrue();
    try (TestInitiator session = new TestInitiator("127.0.0.1", port, IQN, HOST)) {
      session.testUnitReady();
      verify(session, acknowledged, inFlight, inFlightGeneration, "with n standing in for b");
    }
  }

  void awaitOutput(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(EngineProcess.READY_SECONDS * 2L);
    while (!engine.output.toString().contains(text)) {
      assertThat(System.nanoTime()).as("waiting for '" + text + "':\n" + engine.output)
          .isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  static void verify(TestInitiator session, long[] acknowledged, int inFlight, long inFlightGeneration,
      String when) throws IOException {
    for (int k = 0; k < CHUNKS; k++) {
      byte[] got = session.read((long) k * BLOCKS, BLOCKS);
      if (k == inFlight && java.util.Arrays.equals(got, stamp(k, inFlightGeneration))) {
        continue;
      }
      assertThat(got).as("%s: chunk %d", when, k).isEqualTo(stamp(k, acknowledged[k]));
    }
  }
}
