package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine started with SIGHUP ignored (under nohup, or by a parent that ignores it) cannot be
 * signalled; it says so and still takes a rewritten layout, by watching the file. Before, such an
 * engine silently never reloaded, and the volumes a tenant created never appeared.
 */
class ReloadWithoutSighupIT {
  static final String IQN = "iqn.2026-11.io.strata:it.reload-watch";
  static final String HOST = "iqn.2026-11.io.strata:host.reload-watch";

  @TempDir Path dir;
  EngineProcess engine;

  @AfterEach
  void stop() throws Exception {
    if (engine != null) {
      engine.stop();
    }
  }

  static String layout(long revision, String extraVolume) {
    return """
        {"revision": %d, "metadata": "meta",
         "drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "64M"}],
         "pools": [{"name": "p", "drives": ["a"]}],
         "volumes": [{"name": "v0", "pool": "p", "size": "8M"}%s],
         "luns": [{"lun": 0, "volume": "v0"}%s]}
        """.formatted(revision,
            extraVolume == null ? "" : ", {\"name\": \"" + extraVolume + "\", \"pool\": \"p\", \"size\": \"8M\"}",
            extraVolume == null ? "" : ", {\"lun\": 1, \"volume\": \"" + extraVolume + "\"}");
  }

  @Test
  void anEngineThatCannotHaveSighupReloadsWhenItsLayoutIsRewritten() throws Exception {
    Path file = dir.resolve("array.json");
    Path status = dir.resolve("layout-status.json");
    Files.writeString(file, layout(0, null));
    int port = EngineProcess.freePort();
    engine = EngineProcess.startWithSighupIgnored("--portal", "127.0.0.1:" + port, "--iqn", IQN,
        "--layout", file.toString(), "--layout-status", status.toString());
    assertThat(sighupIgnored(engine.process.pid())).as("the engine process ignores SIGHUP").isTrue();
    assertThat(engine.awaitLayoutStatus(status, 0).path("ok").asBoolean()).isTrue();
    assertThat(engine.output.toString()).contains("SIGHUP is ignored by this process");

    // The agent's way of writing: a new file renamed over the old one, and no signal at all.
    Path tmp = dir.resolve("array.json.tmp");
    Files.writeString(tmp, layout(1, "v1"));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    JsonNode applied = engine.awaitLayoutStatus(status, 1);
    assertThat(applied.path("ok").asBoolean()).as(applied.toString()).isTrue();

    try (TestInitiator session = new TestInitiator("127.0.0.1", port, IQN, HOST)) {
      session.testUnitReady(); // POWER ON, RESET
      assertThat(session.reportLuns()).containsExactly(0, 1);
      session.lun = 1;
      session.testUnitReady();
      byte[] data = LayoutAccessIT.pattern('W');
      session.write(0, data, true);
      assertThat(session.read(0, data.length / 512)).isEqualTo(data);
    }
  }

  /** Bit 1 (SIGHUP) of the SigIgn mask in /proc/PID/status. */
  static boolean sighupIgnored(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("SigIgn:")) {
        return new BigInteger(line.substring(7).trim(), 16).testBit(0);
      }
    }
    throw new IllegalStateException("no SigIgn line for " + pid);
  }
}
