package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CHAP and mutual CHAP with libiscsi as the initiator. */
class ChapIT {
  static final String IQN = "iqn.2026-11.io.strata:it.chap";
  @TempDir static Path dir;
  static EngineProcess engine;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    LibIscsi.requireTools();
    port = EngineProcess.freePort();
    engine = EngineProcess.start(
        "--portal", "127.0.0.1:" + port, "--iqn", IQN, "--lun", "0=" + dir.resolve("lun0.img") + ":16M",
        "--chap", "alice:initiator-secret-1", "--mutual-chap", "array:target-secret-12");
  }

  @AfterAll
  static void stop() throws Exception {
    if (engine != null) {
      engine.stop();
    }
  }

  static String inq(String credentials, String query) throws Exception {
    return LibIscsi.run(30, "iscsi-inq", "-i", LibIscsi.INITIATOR,
        "iscsi://" + credentials + "@127.0.0.1:" + port + "/" + IQN + "/0" + query);
  }

  @Test
  void rightSecretLogsIn() throws Exception {
    assertThat(inq("alice%initiator-secret-1", "")).contains("DIRECT_ACCESS");
  }

  @Test
  void wrongSecretIsAnAuthenticationFailure() throws Exception {
    assertThat(inq("alice%not-the-secret-1", "")).contains("Authentication failure").doesNotContain("DIRECT_ACCESS");
  }

  @Test
  void noCredentialsAreRefused() throws Exception {
    String out = LibIscsi.run(30, "iscsi-inq", "iscsi://127.0.0.1:" + port + "/" + IQN + "/0");
    assertThat(out).doesNotContain("DIRECT_ACCESS");
  }

  @Test
  void mutualChapProvesTheTargetToo() throws Exception {
    assertThat(inq("alice%initiator-secret-1", "?target_user=array&target_password=target-secret-12"))
        .contains("DIRECT_ACCESS");
    assertThat(inq("alice%initiator-secret-1", "?target_user=array&target_password=other-secret-99"))
        .contains("Invalid CHAP_R").doesNotContain("DIRECT_ACCESS");
  }

  @Test
  void discoveryNeedsCredentialsAndThenShowsTheTarget() throws Exception {
    assertThat(LibIscsi.run(30, "iscsi-ls", "-s", "iscsi://alice%initiator-secret-1@127.0.0.1:" + port))
        .contains(IQN);
    assertThat(LibIscsi.run(30, "iscsi-ls", "-s", "iscsi://127.0.0.1:" + port)).doesNotContain(IQN);
  }

  @Test
  void shortSecretIsRefusedAtStart() throws Exception {
    String out = LibIscsi.run(60, Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", System.getProperty("strata.engine.jar", "target/strata-engine.jar"),
        "--portal", "127.0.0.1:" + EngineProcess.freePort(), "--iqn", IQN,
        "--lun", "0=" + dir.resolve("short.img") + ":1M", "--chap", "bob:short");
    assertThat(out).contains("at least 12").contains("exit=2");
  }
}
