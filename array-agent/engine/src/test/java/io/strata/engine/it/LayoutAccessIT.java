package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node agent's way of driving an engine: everything, access control included, in the layout
 * file, changed by SIGHUP, the outcome read from the {@code --layout-status} file. Through the
 * real iSCSI protocol: libiscsi's tools for the CHAP initiators, {@link TestInitiator} for a
 * session that stays open across reloads.
 */
class LayoutAccessIT {
  static final String IQN = "iqn.2026-11.io.strata:it.layout-access";
  static final String WEB = "iqn.2026-11.io.strata:host.web";
  static final String DB = "iqn.2026-11.io.strata:host.db";
  /** Admitted without CHAP: the long-lived session of the test. */
  static final String PLAIN = "iqn.2026-11.io.strata:host.plain";
  static final String WEB_CHAP = "{\"user\": \"web\", \"secret\": \"web-secret-0001\"}";
  static final String DB_CHAP = "{\"user\": \"db\", \"secret\": \"db-secret-00002\"}";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  EngineProcess engine;
  int port;
  Path layout;
  Path status;

  /** The layout the test edits; each {@link #apply} bumps the revision. */
  long revision;
  final List<String> initiators = new ArrayList<>();
  final List<String> snapshots = new ArrayList<>();
  String v0Extra = "";

  String json() {
    return """
        {
          "revision": %d,
          "metadata": "meta",
          "mutualChap": {"user": "array", "secret": "target-secret-12"},
          "initiators": [%s],
          "drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "64M"}],
          "pools": [{"name": "p", "drives": ["a"]}],
          "volumes": [{"name": "v0", "pool": "p", "size": "16M"%s},
                      {"name": "v1", "pool": "p", "size": "16M"}],
          "snapshots": [%s],
          "luns": [{"lun": 0, "volume": "v0"}, {"lun": 1, "volume": "v1"}]
        }
        """.formatted(revision, String.join(", ", initiators), v0Extra,
        String.join(", ", snapshots));
  }

  static String initiator(String iqn, String chap, int... luns) {
    return "{\"iqn\": \"" + iqn + "\"" + (chap == null ? "" : ", \"chap\": " + chap)
        + ", \"luns\": " + Arrays.toString(luns) + "}";
  }

  void write(String text) throws IOException {
    Path tmp = dir.resolve("array.json.tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, layout, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  void startEngine() throws Exception {
    engine = EngineProcess.start("--portal", "127.0.0.1:" + port, "--iqn", IQN,
        "--layout", layout.toString(), "--layout-status", status.toString());
  }

  /** Writes the next revision, signals the engine and returns the status it wrote for it. */
  JsonNode apply() throws Exception {
    revision++;
    return applyText(json());
  }

  JsonNode applyText(String text) throws Exception {
    write(text);
    engine.reload();
    return awaitStatus(revision);
  }

  JsonNode awaitStatus(long wanted) throws Exception {
    return engine.awaitLayoutStatus(status, wanted);
  }


  String ls(String initiator, String credentials) throws Exception {
    return LibIscsi.run(30, "iscsi-ls", "-s", "-i", initiator,
        "iscsi://" + (credentials == null ? "" : credentials + "@") + "127.0.0.1:" + port);
  }

  String inq(String initiator, String credentials, String query) throws Exception {
    return LibIscsi.run(30, "iscsi-inq", "-i", initiator,
        "iscsi://" + credentials + "@127.0.0.1:" + port + "/" + IQN + "/0" + query);
  }

  static byte[] pattern(int seed) {
    byte[] b = new byte[4096];
    Arrays.fill(b, (byte) seed);
    return b;
  }

  @AfterEach
  void stop() throws Exception {
    if (engine != null) {
      engine.stop();
    }
  }

  @Test
  void accessMasksAndRollbackChangeByReloadAndTheStatusFileTellsTheOutcome() throws Exception {
    LibIscsi.requireTools();
    port = EngineProcess.freePort();
    layout = dir.resolve("array.json");
    status = dir.resolve("status/layout-status.json");
    revision = 1;
    initiators.add(initiator(WEB, WEB_CHAP, 0));
    initiators.add(initiator(PLAIN, null, 0));
    write(json());
    startEngine();
    assertThat(awaitStatus(1).path("ok").asBoolean()).isTrue();

    // Only the listed initiators, each with its own CHAP and LUNs.
    assertThat(ls(WEB, "web%web-secret-0001")).contains(IQN).contains("Lun:0")
        .doesNotContain("Lun:1");
    assertThat(ls(DB, "db%db-secret-00002")).as("not listed yet").doesNotContain(IQN);
    assertThat(inq(WEB, "web%web-secret-0001", "?target_user=array&target_password=target-secret-12"))
        .as("mutual CHAP with the layout's target credentials").contains("DIRECT_ACCESS");
    assertThat(inq(WEB, "web%web-secret-0001", "?target_user=array&target_password=other-secret-99"))
        .as("the target proves itself with the layout's secret only").doesNotContain("DIRECT_ACCESS");

    try (TestInitiator plain = new TestInitiator("127.0.0.1", port, IQN, PLAIN)) {
      plain.testUnitReady(); // POWER ON, RESET
      assertThat(plain.testUnitReady()).isEqualTo(-1);
      assertThat(plain.reportLuns()).containsExactly(0);
      plain.write(0, pattern('A'), true);

      // An initiator added by reload logs in with its CHAP; a mask widened by reload tells the
      // open nexus REPORTED LUNS DATA HAS CHANGED, and REPORT LUNS shows the new LUN.
      initiators.set(1, initiator(PLAIN, null, 0, 1));
      initiators.add(initiator(DB, DB_CHAP, 1));
      assertThat(apply().path("ok").asBoolean()).isTrue();
      assertThat(ls(DB, "db%db-secret-00002")).contains(IQN).contains("Lun:1")
          .doesNotContain("Lun:0");
      assertThat(ls(DB, "db%wrong-secret-0000")).doesNotContain(IQN);
      assertThat(plain.testUnitReady()).isEqualTo(0x3f0e);
      assertThat(plain.reportLuns()).containsExactly(0, 1);

      // Rollback: the snapshot's data comes back once, with a unit attention for the change.
      snapshots.add("{\"name\": \"s0\", \"volume\": \"v0\"}");
      apply();
      plain.write(0, pattern('B'), true);
      v0Extra = ", \"rollback\": {\"request\": \"r1\", \"snapshot\": \"s0\"}";
      JsonNode rolled = apply();
      assertThat(rolled.path("ok").asBoolean()).as(rolled.toString()).isTrue();
      assertThat(plain.testUnitReady()).as("MEDIUM MAY HAVE CHANGED").isEqualTo(0x2800);
      assertThat(plain.read(0, 8)).isEqualTo(pattern('A'));
      plain.write(0, pattern('C'), true);
      apply(); // the same request again: nothing rolls back
      assertThat(plain.testUnitReady()).isEqualTo(-1);
      assertThat(plain.read(0, 8)).isEqualTo(pattern('C'));

      // A bad layout changes nothing, and the status file says why.
      revision++;
      String bad = json().replace("web-secret-0001", "short");
      JsonNode refused = applyText(bad);
      assertThat(refused.path("ok").asBoolean()).isFalse();
      assertThat(refused.path("error").asText()).contains("initiators[" + WEB + "].chap")
          .contains("12");
      assertThat(plain.read(0, 8)).isEqualTo(pattern('C'));
      assertThat(ls(WEB, "web%web-secret-0001")).contains(IQN);

      // An initiator removed from the list loses its session and cannot log in again.
      initiators.remove(1);
      assertThat(apply().path("ok").asBoolean()).isTrue();
      assertThatThrownBy(() -> plain.read(0, 8)).isInstanceOf(IOException.class);
    }
    assertThatThrownBy(() -> new TestInitiator("127.0.0.1", port, IQN, PLAIN).close())
        .hasMessageContaining("login failed");
    assertThat(ls(WEB, "web%web-secret-0001")).as("other initiators undisturbed").contains(IQN);

    // Across a restart the request already applied is not applied again.
    initiators.add(initiator(PLAIN, null, 0));
    apply();
    engine.stop();
    startEngine();
    assertThat(awaitStatus(revision).path("ok").asBoolean()).isTrue();
    try (TestInitiator plain = new TestInitiator("127.0.0.1", port, IQN, PLAIN)) {
      assertThat(plain.read(0, 8)).isEqualTo(pattern('C'));
    }
  }

  @Test
  void aLayoutThatCannotStartSaysWhyInTheStatusFile() throws Exception {
    port = EngineProcess.freePort();
    layout = dir.resolve("array.json");
    status = dir.resolve("layout-status.json");
    revision = 7;
    v0Extra = ", \"tier\": \"SSD\"";
    write(json());
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-XX:TieredStopAtLevel=1", "-jar",
        System.getProperty("strata.engine.jar", "target/strata-engine.jar"),
        "--portal", "127.0.0.1:" + port, "--iqn", IQN, "--layout", layout.toString(),
        "--layout-status", status.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    JsonNode s = JSON.readTree(Files.readString(status));
    assertThat(s.path("revision").asLong()).isEqualTo(7);
    assertThat(s.path("ok").asBoolean()).isFalse();
    assertThat(s.path("error").asText()).contains("volume v0").contains("tiered pool");
    assertThat(s.path("time").asText()).isNotBlank();
  }
}
