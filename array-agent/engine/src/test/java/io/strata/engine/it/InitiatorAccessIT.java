package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-initiator access ({@code --initiator}): each server of a tenant logs in with its own CHAP,
 * sees only its own LUNs, and an initiator that is not listed neither logs in nor discovers.
 */
class InitiatorAccessIT {
  static final String IQN = "iqn.2026-11.io.strata:it.acl";
  static final String WEB = "iqn.2026-11.io.strata:host.web";
  static final String DB = "iqn.2026-11.io.strata:host.db";
  static final String STRANGER = "iqn.2026-11.io.strata:host.stranger";
  @TempDir static Path dir;
  static EngineProcess engine;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    LibIscsi.requireTools();
    port = EngineProcess.freePort();
    engine = EngineProcess.start(
        "--portal", "127.0.0.1:" + port, "--iqn", IQN,
        "--lun", "0=" + dir.resolve("lun0.img") + ":16M", "--lun", "1=" + dir.resolve("lun1.img") + ":16M",
        "--initiator", WEB + "=web:web-secret-0001:0",
        "--initiator", DB + "=db:db-secret-00002:1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (engine != null) {
      engine.stop();
    }
  }

  static String ls(String initiator, String credentials) throws Exception {
    return LibIscsi.run(30, "iscsi-ls", "-s", "-i", initiator, "iscsi://" + credentials + "@127.0.0.1:" + port);
  }

  static String inq(String initiator, String credentials, int lun) throws Exception {
    return LibIscsi.run(30, "iscsi-inq", "-i", initiator,
        "iscsi://" + credentials + "@127.0.0.1:" + port + "/" + IQN + "/" + lun);
  }

  @Test
  void eachServerLogsInWithItsOwnSecretAndSeesOnlyItsLuns() throws Exception {
    String web = ls(WEB, "web%web-secret-0001");
    assertThat(web).contains(IQN).contains("Lun:0").doesNotContain("Lun:1");
    String db = ls(DB, "db%db-secret-00002");
    assertThat(db).contains(IQN).contains("Lun:1").doesNotContain("Lun:0");
  }

  @Test
  void anotherServersSecretDoesNotWork() throws Exception {
    assertThat(inq(WEB, "db%db-secret-00002", 0)).doesNotContain("DIRECT_ACCESS");
  }

  @Test
  void anUnlistedInitiatorIsRefusedAndDiscoversNothing() throws Exception {
    assertThat(inq(STRANGER, "web%web-secret-0001", 0)).doesNotContain("DIRECT_ACCESS");
    assertThat(ls(STRANGER, "web%web-secret-0001")).doesNotContain(IQN);
  }
}
