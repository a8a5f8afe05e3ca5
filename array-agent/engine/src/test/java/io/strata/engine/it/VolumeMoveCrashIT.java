package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume moves from an HDD pool to a mirrored SSD pool while an initiator writes to it; the
 * engine is killed with SIGKILL mid-move and started again; the move resumes from its checkpoint
 * and completes, the old pool no longer holds the volume, and every block reads its last
 * acknowledged write (through the same LUN, before, during and after the move).
 */
class VolumeMoveCrashIT {
  static final String IQN = "iqn.2026-11.io.strata:it.move";
  static final int MIB_BLOCKS = 2048;
  static final int BLOCKS = 96 * MIB_BLOCKS; // 96 extents
  @TempDir Path dir;
  long[] acked = new long[BLOCKS];

  @AfterEach
  void defaults() {
    EngineProcess.jvmOptions = List.of();
  }

  static byte[] stamp(long lba, long tag) {
    byte[] block = new byte[512];
    ByteBuffer b = ByteBuffer.wrap(block);
    for (int i = 0; i < 512; i += 16) {
      b.putLong(i, lba).putLong(i + 8, tag);
    }
    return block;
  }

  private String layout(boolean moving) {
    return """
        {"drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "160M"},
                    {"name": "b", "path": "b.img", "media": "SSD", "size": "160M"},
                    {"name": "h", "path": "h.img", "media": "HDD", "size": "160M"}],
         "pools": [{"name": "fast", "drives": ["a", "b"], "protection": "mirror"},
                   {"name": "slow", "drives": ["h"], "protection": "none"}],
         "volumes": [{"name": "v", "pool": "%s", "size": "96M", "thick": true%s}],
         "luns": [{"lun": 0, "volume": "v"}]}
        """.formatted(moving ? "fast" : "slow", moving ? ", \"moveFrom\": \"slow\"" : "");
  }

  private void writeSome(TestInitiator initiator, Random random, long tag, int count) throws Exception {
    for (int n = 0; n < count; n++) {
      int blocks = 1 + random.nextInt(64);
      long lba = random.nextInt(BLOCKS - blocks);
      byte[] data = new byte[blocks * 512];
      for (int i = 0; i < blocks; i++) {
        System.arraycopy(stamp(lba + i, tag + n), 0, data, i * 512, 512);
      }
      initiator.write(lba, data, false);
      for (int i = 0; i < blocks; i++) {
        acked[(int) lba + i] = tag + n;
      }
    }
  }

  private void verify(TestInitiator initiator) throws Exception {
    for (int base = 0; base < BLOCKS; base += 256) {
      byte[] blocks = initiator.read(base, 256);
      for (int i = 0; i < 256; i++) {
        int lba = base + i;
        byte[] want = acked[lba] == 0 ? new byte[512] : stamp(lba, acked[lba]);
        assertThat(Arrays.equals(blocks, i * 512, i * 512 + 512, want, 0, 512))
            .as("block %d holds its last acknowledged write %x", lba, acked[lba]).isTrue();
      }
    }
  }

  private JsonNode checkpoint() throws Exception {
    Path file = dir.resolve("metadata/moves/v.json");
    return Files.exists(file) ? new ObjectMapper().readTree(file.toFile()) : null;
  }

  @Test
  void aMoveKilledMidwayResumesAndKeepsEveryAcknowledgedWrite() throws Exception {
    LibIscsi.requireTools();
    int port = EngineProcess.freePort();
    Path file = dir.resolve("array.json");
    Files.writeString(file, layout(false));
    String[] args = {"--portal", "127.0.0.1:" + port, "--iqn", IQN, "--layout", file.toString()};
    // slow enough that the kill lands mid-move on any machine
    EngineProcess.jvmOptions = List.of("-Dstrata.volume.movePauseMillis=100");
    Random random = new Random(18);

    EngineProcess engine = EngineProcess.start(args);
    try (TestInitiator initiator = new TestInitiator("127.0.0.1", port, IQN, LibIscsi.INITIATOR)) {
      writeSome(initiator, random, 1L << 32, 40);
      Files.writeString(file, layout(true));
      engine.reload();
      // writes while the copy runs, until a checkpoint beyond the first says it is under way
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      JsonNode saved = checkpoint();
      while (saved == null || saved.path("copiedExtents").asLong() < 16) {
        assertThat(System.nanoTime()).as("the move checkpoints:\n" + engine.output).isLessThan(until);
        writeSome(initiator, random, 2L << 32, 5);
        saved = checkpoint();
      }
      assertThat(saved.path("done").asBoolean()).as("killed mid-move").isFalse();
    } finally {
      engine.killHard();
    }

    EngineProcess.jvmOptions = List.of();
    EngineProcess restarted = EngineProcess.start(args);
    try (TestInitiator initiator = new TestInitiator("127.0.0.1", port, IQN, LibIscsi.INITIATOR)) {
      verify(initiator);
      writeSome(initiator, random, 3L << 32, 40);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!restarted.output.toString().contains("moved volume v from pool slow to pool fast")) {
        assertThat(System.nanoTime()).as("the move completes:\n" + restarted.output).isLessThan(until);
        writeSome(initiator, random, 4L << 32, 2);
      }
      assertThat(restarted.output.toString()).contains("resumed move of v");
      writeSome(initiator, random, 5L << 32, 20);
      verify(initiator);
    } finally {
      assertThat(restarted.stop()).isIn(0, 143);
    }
    assertThat(checkpoint()).as("a completed move leaves no checkpoint").isNull();

    // the old pool gave the volume up: started with a layout that no longer says moveFrom, the
    // engine serves the new pool's copy, the same data
    Files.writeString(file, layout(true).replace(", \"moveFrom\": \"slow\"", ""));
    EngineProcess last = EngineProcess.start(args);
    try (TestInitiator initiator = new TestInitiator("127.0.0.1", port, IQN, LibIscsi.INITIATOR)) {
      verify(initiator);
    } finally {
      assertThat(last.stop()).isIn(0, 143);
    }
  }
}
