package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged engines of one highly available array on the same drives, each its own ALUA target
 * port group: the standby answers logins and the reports but refuses the medium with TARGET PORT
 * IN STANDBY STATE, and a planned switchover by SIGHUP (demote the active one, promote the
 * standby) keeps both initiators' sessions logged in, tells them ASYMMETRIC ACCESS STATE CHANGED,
 * and the promoted engine serves what was written through the other.
 */
class HaEnginesIT {
  static final String IQN = "iqn.2026-11.io.strata:it.ha";
  static final String INITIATOR = "iqn.2026-11.io.strata:it.ha-initiator";

  @TempDir Path dir;

  void layout(String name, long revision, String role, int group) throws IOException {
    Files.writeString(dir.resolve(name), """
        {"revision": %d,
         "drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "48M"},
                    {"name": "b", "path": "b.img", "media": "SSD", "size": "48M"}],
         "pools": [{"name": "p", "drives": ["a", "b"], "protection": "raid1"}],
         "volumes": [{"name": "v", "pool": "p", "size": "16M"}],
         "luns": [{"lun": 0, "volume": "v"}],
         "ha": {"role": "%s", "epoch": %d, "portGroup": %d, "peerPortGroup": %d}}
        """.formatted(revision, role, revision, group, 3 - group));
  }

  JsonNode awaitHaState(EngineProcess engine, String status, long revision, String state)
      throws Exception {
    long until = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < until) {
      JsonNode s = engine.awaitLayoutStatus(dir.resolve(status), revision);
      if (s.path("ha").path("state").asText().equals(state)) {
        return s;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no " + state + " in " + status + ":\n" + engine.output);
  }

  static void assertRefused(TestInitiator initiator, String sense) {
    assertThatThrownBy(initiator::testUnitReady).hasMessageContaining("SCSI status 2");
    assertThat(initiator.lastSense()).isEqualTo(sense);
  }

  @Test
  void standbyRefusesTheMediumAndASwitchoverKeepsEverySessionAndItsData() throws Exception {
    layout("a.json", 1, "ACTIVE", 1);
    layout("b.json", 1, "STANDBY", 2);
    int portA = EngineProcess.freePort();
    int portB = EngineProcess.freePort();
    try (EngineProcess a = EngineProcess.start("--iqn", IQN, "--portal", "127.0.0.1:" + portA,
            "--layout", dir.resolve("a.json").toString(), "--layout-status",
            dir.resolve("a.status").toString());
        EngineProcess b = EngineProcess.start("--iqn", IQN, "--portal", "127.0.0.1:" + portB,
            "--layout", dir.resolve("b.json").toString(), "--layout-status",
            dir.resolve("b.status").toString())) {
      awaitHaState(a, "a.status", 1, "ACTIVE");
      awaitHaState(b, "b.status", 1, "STANDBY");
      String urlA = "iscsi://127.0.0.1:" + portA + "/" + IQN + "/0";
      String urlB = "iscsi://127.0.0.1:" + portB + "/" + IQN + "/0";
      if (Files.isExecutable(Paths.get("/usr/bin/iscsi-inq"))) {
        assertThat(LibIscsi.run(30, "iscsi-inq", "-i", INITIATOR, urlA)).contains("TPGS:1");
        // libiscsi's connect sends TEST UNIT READY and gives up on anything but a unit
        // attention: it never uses a standby path (as with any SPC-4 target's standby port).
        assertThat(LibIscsi.run(30, "iscsi-inq", "-i", INITIATOR, urlB))
            .contains("NOT READY").contains("0x040b");
      }

      try (TestInitiator onA = new TestInitiator("127.0.0.1", portA, IQN, INITIATOR);
          TestInitiator onB = new TestInitiator("127.0.0.1", portB, IQN, INITIATOR + "b")) {
        assertThat(onB.testUnitReady()).as("POWER ON first").isEqualTo(0x2900);
        assertRefused(onB, "02/04/0b");
        assertThat(onB.reportLuns()).containsExactly(0);
        byte[] data = new byte[8 * 512];
        for (int i = 0; i < data.length; i++) {
          data[i] = (byte) (i * 31 + 7);
        }
        onA.write(0, data, true);
        assertThat(onA.read(0, 8)).isEqualTo(data);

        // Planned switchover: the active one demotes, then the standby is promoted.
        layout("a.json", 2, "STANDBY", 1);
        a.reload();
        awaitHaState(a, "a.status", 2, "STANDBY");
        assertThat(onA.testUnitReady()).isEqualTo(0x2a06);
        assertRefused(onA, "02/04/0b");
        layout("b.json", 2, "ACTIVE", 2);
        b.reload();
        JsonNode promoted = awaitHaState(b, "b.status", 2, "ACTIVE");
        assertThat(promoted.path("ok").asBoolean()).as(promoted.toString()).isTrue();
        assertThat(onB.testUnitReady()).isEqualTo(0x2a06);
        assertThat(onB.testUnitReady()).isEqualTo(-1);
        assertThat(Arrays.equals(onB.read(0, 8), data)).as("the data written through A").isTrue();
      }
      if (Files.isExecutable(Paths.get("/usr/bin/iscsi-test-cu"))) {
        LibIscsi.Result inquiry = LibIscsi.testCu("SCSI.Inquiry", urlB);
        assertThat(inquiry.failed()).as(inquiry.output()).isZero();
      }
    }
  }
}
