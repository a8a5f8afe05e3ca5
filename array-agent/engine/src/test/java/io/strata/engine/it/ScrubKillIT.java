package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scrub asked for in the layout, on the packaged engine: bytes flipped in one drive file of a
 * RAID-6 pool (in the first and in the 41st MiB of its data) are found and repaired; the engine
 * is killed with SIGKILL midway (after its first checkpoint, before the second corruption), and
 * the restarted engine resumes the same request from the checkpoint on the drives and finishes
 * it, with the counts of both runs, in its status file.
 */
class ScrubKillIT {
  static final String IQN = "iqn.2026-11.io.strata:it.scrub";
  static final long MIB = 1 << 20;
  /** Member 1 holds data unit 0 of stripes 0 and 640 (RAID-6 of four: P on 3, Q on 0). */
  static final int MEMBER = 1;
  static final long[] CORRUPT_AT = {MIB + 5 * 512 + 7, MIB + 40 * MIB + 3 * 512 + 100};

  @TempDir Path dir;

  @Test
  void aScrubKilledMidwayResumesAfterTheRestartAndRepairsBothCorruptions() throws Exception {
    int port = EngineProcess.freePort();
    LayoutFile layout = new LayoutFile(dir.resolve("array.json"));
    layout.driveSize = "64M";
    layout.protection = "parity2";
    layout.driveCount = 4;
    layout.volumes.add(new LayoutFile.Vol("v", "16M", null));
    layout.setLun(0, "v");
    layout.write();
    Path status = dir.resolve("status.json");
    String[] args = {"--portal", "127.0.0.1:" + port, "--iqn", IQN,
        "--layout", layout.file.toString(), "--layout-status", status.toString()};
    try (EngineProcess first = EngineProcess.start(args)) {
      first.stop(); // the pool is made; a clean stop (SIGTERM)
    }
    Path drive = dir.resolve("ssd" + MEMBER + ".img");
    byte[][] original = new byte[CORRUPT_AT.length][];
    for (int k = 0; k < CORRUPT_AT.length; k++) {
      original[k] = flip(drive, CORRUPT_AT[k]);
    }
    // 4 MiB read per row (four drives): at 16 MiB/s about four rows a second.
    layout.scrub = "{\"request\": \"s1\", \"rate\": \"16M\"}";
    layout.write();
    EngineProcess scrubbing = EngineProcess.start(args);
    try {
      JsonNode mid = awaitScrub(status, s -> s.path("rowsDone").asLong() > 16);
      assertThat(mid.path("rowsDone").asLong()).as("killed before the second corruption")
          .isLessThan(40);
      scrubbing.killHard();
    } finally {
      scrubbing.close();
    }
    assertThat(Files.readAllBytes(drive)).as("the first one was repaired before the kill")
        .satisfies(b -> assertThat(slice(b, CORRUPT_AT[0])).isEqualTo(original[0]));
    try (EngineProcess restarted = EngineProcess.start(args)) {
      JsonNode done = awaitScrub(status, s -> s.path("state").asText().equals("DONE"));
      assertThat(restarted.output.toString()).contains("scrub s1 running at row 16");
      assertThat(done.path("rowsDone").asLong()).isEqualTo(done.path("rows").asLong());
      assertThat(done.path("mismatchedBlocks").asLong()).isEqualTo(2);
      assertThat(done.path("repairedBlocks").asLong()).isEqualTo(2);
      assertThat(done.path("unrepairableBlocks").asLong()).isZero();
      assertThat(done.path("rateBytesPerSecond").asLong()).isEqualTo(16 * MIB);
      byte[] now = Files.readAllBytes(drive);
      for (int k = 0; k < CORRUPT_AT.length; k++) {
        assertThat(slice(now, CORRUPT_AT[k])).as("corruption %d repaired", k)
            .isEqualTo(original[k]);
      }
      restarted.stop();
    }
  }

  /** Flips two bytes of the file at {@code at}; returns what they were. */
  static byte[] flip(Path file, long at) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(2);
      ch.read(b, at);
      byte[] was = b.array().clone();
      ch.write(ByteBuffer.wrap(new byte[] {(byte) (was[0] ^ 0x5a), (byte) (was[1] ^ 0xff)}), at);
      ch.force(true);
      return was;
    }
  }

  static byte[] slice(byte[] all, long at) {
    return new byte[] {all[(int) at], all[(int) at + 1]};
  }

  /** Waits (up to 5 minutes: the machine may be loaded) until pool p0's scrub matches. */
  static JsonNode awaitScrub(Path status, Predicate<JsonNode> wanted) throws Exception {
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    JsonNode last = null;
    while (System.nanoTime() < until) {
      if (Files.exists(status)) {
        JsonNode s = new ObjectMapper().readTree(Files.readString(status));
        for (JsonNode pool : s.path("pools")) {
          if (pool.path("name").asText().equals("p0") && pool.has("scrub")) {
            last = pool.get("scrub");
            if (wanted.test(last)) {
              return last;
            }
          }
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the scrub never got there; last seen: " + last);
  }
}
