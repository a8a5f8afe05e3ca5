package io.strata.engine.it;

import static io.strata.engine.it.KilledWhileWriting.drives;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's failed member, the hard way: the packaged engine gets a mirror pool by a reload (as a
 * pool made through the API reaches it), is SIGKILLed with a write in flight, and one member's
 * drive file cannot be opened at the restart (a directory in its place). The pool must open
 * degraded on the other member, whichever it is, and every acknowledged write must read back.
 * An end-to-end run of the same fault through the control plane saw such a pool refused ("lost
 * more drives than MIRROR survives"). The cause, found here: the engine took the pool's media from
 * its first member's opened drive, so an unopenable first member failed the whole start with a
 * NullPointerException, and closing the half-opened stack then reported "lost more drives" in its
 * place. With member a lost this test failed so (the engine never got ready); with b it passed.
 */
class UnreadableMemberAfterKillIT {
  static final String IQN = "iqn.2026-11.io.strata:it.unreadable-member";
  static final String HOST = "iqn.2026-11.io.strata:host.unreadable-member";

  @TempDir Path dir;
  KilledWhileWriting drill;

  static String layoutJson(long revision, boolean withPool) {
    return withPool ? """
        {"revision": %d, "metadata": "meta", "drives": [%s],
         "pools": [{"name": "p", "drives": ["a", "b"], "protection": "mirror"}],
         "volumes": [{"name": "v", "pool": "p", "size": "32M"}],
         "luns": [{"lun": 0, "volume": "v"}]}
        """.formatted(revision, drives("a", "b"))
        : """
        {"revision": %d, "metadata": "meta", "drives": [%s], "pools": [], "volumes": [], "luns": []}
        """.formatted(revision, drives("a", "b"));
  }

  @BeforeEach
  void drill() throws Exception {
    drill = new KilledWhileWriting(dir, IQN, HOST);
  }

  @AfterEach
  void stop() throws Exception {
    drill.close();
  }

  @ParameterizedTest(name = "member {0} unreadable")
  @ValueSource(strings = {"a", "b"})
  void aMirrorKilledWhileWritingOpensDegradedWithoutAnUnreadableMember(String lost) throws Exception {
    drill.writeLayout(layoutJson(1, false));
    drill.start(1);
    drill.writeLayout(layoutJson(2, true));
    drill.engine.reload();
    drill.awaitOutput("created volume v");
    try (TestInitiator session = drill.session()) {
      drill.writeEveryChunk(session);
      drill.writeRandomChunks(session, 20);
      drill.killWithAWriteInFlight(session);
    }
    Path drive = dir.resolve(lost + ".img");
    Files.move(drive, dir.resolve(lost + ".img.aside"));
    Files.createDirectory(drive);

    drill.start(2);
    try (TestInitiator session = drill.session()) {
      drill.verify(session, "after the restart without drive " + lost);
    }
  }
}
