package io.strata.engine.it;

import static io.strata.engine.it.KilledWhileWriting.drives;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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

  @TempDir Path dir;
  KilledWhileWriting drill;

  static String layoutJson(long revision, String members, String drives) {
    return """
        {"revision": %d, "metadata": "meta", "drives": [%s],
         "pools": [{"name": "p", "drives": [%s], "protection": "parity"}],
         "volumes": [{"name": "v", "pool": "p", "size": "96M"}],
         "luns": [{"lun": 0, "volume": "v"}]}
        """.formatted(revision, drives, members);
  }

  @BeforeEach
  void drill() throws Exception {
    drill = new KilledWhileWriting(dir, IQN, HOST);
  }

  @AfterEach
  void stop() throws Exception {
    drill.close();
  }

  @Test
  void aReplacementKilledMidCopyIsRebuiltAtRestartAndHoldsEveryAcknowledgedWrite()
      throws Exception {
    drill.writeLayout(layoutJson(1, "\"a\", \"b\", \"c\"", drives("a", "b", "c")));
    drill.start(1);
    try (TestInitiator session = drill.session()) {
      drill.writeEveryChunk(session);
      // b leaves, n takes its position; writes go on until the engine says it copies, then
      // SIGKILL.
      drill.writeLayout(layoutJson(2, "\"a\", \"n\", \"c\"", drives("a", "c", "n")));
      drill.engine.reload();
      drill.writeUntilTheEngineSays(session, "drive n replaces b", "started the copy");
      drill.writeRandomChunks(session, 20); // a few more during the copy
      drill.killWithAWriteInFlight(session);
    }
    boolean copiedBeforeTheKill = drill.output().contains("copied onto its replacement");

    drill.start(2); // the layout lists n in b's place
    if (!copiedBeforeTheKill) {
      drill.awaitOutput("drive 1 rebuilt in full");
    }
    try (TestInitiator session = drill.session()) {
      drill.verify(session, "after the restart");
    }
    assertThat(drill.engine.stop()).isIn(0, 143); // SIGTERM: a clean stop (143 once the JVM exits by the signal)

    // b is gone for good and c dies: a blank c is rebuilt from a and n, and reads are solved
    // from a and n meanwhile.
    Files.delete(dir.resolve("b.img"));
    Files.delete(dir.resolve("c.img"));
    drill.start(2);
    try (TestInitiator session = drill.session()) {
      drill.verify(session, "with n standing in for b");
    }
  }
}
