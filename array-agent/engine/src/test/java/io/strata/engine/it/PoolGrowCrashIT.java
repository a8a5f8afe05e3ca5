package io.strata.engine.it;

import static io.strata.engine.it.KilledWhileWriting.BLOCKS;
import static io.strata.engine.it.KilledWhileWriting.CHUNKS;
import static io.strata.engine.it.KilledWhileWriting.drives;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged engine grows a two-way mirror by a pair (or a RAID-5 pool by a drive, restriped)
 * through a reload while an initiator writes, and is killed with SIGKILL as soon as it says the
 * pool grew (before or after its volume metadata took the new capacity; mid-restripe): after the
 * restart every acknowledged write reads back, and two volumes together hold more than the pool
 * did before it grew.
 */
class PoolGrowCrashIT {
  static final String IQN = "iqn.2026-12.io.strata:it.pool-grow";
  static final String HOST = "iqn.2026-12.io.strata:host.pool-grow";
  static final int FILL_BLOCKS = 64; // 32 KiB writes when filling a whole volume
  static final long RAID5_VOLUME_BYTES = 80L << 20;

  @TempDir Path dir;
  KilledWhileWriting drill;

  static String layoutJson(long revision, String members, String drives, boolean second) {
    return layoutJson(revision, members, drives, second, "mirror", 48);
  }

  static String layoutJson(long revision, String members, String drives, boolean second,
      String protection, int volumeMib) {
    return """
        {"revision": %d, "metadata": "meta", "drives": [%s],
         "pools": [{"name": "p", "drives": [%s], "protection": "%s"}],
         "volumes": [{"name": "v", "pool": "p", "size": "%dM"}%s],
         "luns": [{"lun": 0, "volume": "v"}%s]}
        """.formatted(revision, drives, members, protection, volumeMib,
        second ? ", {\"name\": \"w\", \"pool\": \"p\", \"size\": \"" + volumeMib + "M\"}"
            : "",
        second ? ", {\"lun\": 1, \"volume\": \"w\"}" : "");
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
  void aGrowKilledRightAfterThePoolGrewIsCompletedAtRestartWithEveryAcknowledgedWrite()
      throws Exception {
    drill.writeLayout(layoutJson(1, "\"a\", \"b\"", drives("a", "b"), false));
    drill.start(1);
    try (TestInitiator session = drill.session()) {
      drill.writeEveryChunk(session);
      // c and d join as a pair; writes go on until the engine says the pool grew, then SIGKILL
      drill.writeLayout(layoutJson(2, "\"a\", \"b\", \"c\", \"d\"", drives("a", "b", "c", "d"), true));
      drill.engine.reload();
      drill.writeUntilTheEngineSays(session, "pool p grew from 2 to 4 drives", "grew the pool");
      drill.killWithAWriteInFlight(session);
    }

    drill.start(2); // the layout lists the pair
    try (TestInitiator session = drill.session()) {
      drill.verify(session, "after the restart");
      // v's remaining 40 MiB and all of w: 96 MiB written, more than the 63 MiB pool before
      fill(session, 0, (long) CHUNKS * BLOCKS);
      session.lun = 1;
      session.testUnitReady();
      fill(session, 1, 0);
      session.lun = 0;
      drill.verify(session, "after filling both volumes");
      session.lun = 1;
      for (long lba = 0; lba < (48L << 20) / 512; lba += FILL_BLOCKS) {
        assertThat(session.read(lba, FILL_BLOCKS)).as("w at %d", lba).isEqualTo(fillStamp(1, lba));
      }
    }
  }

  /**
   * A RAID-5 pool grows from three drives to four, killed as soon as it says so (its restripe
   * under way): the restarted engine resumes the restripe, every acknowledged write reads back,
   * and once it is done two volumes together hold more than the pool did before.
   */
  @Test
  void aRaid5RestripeKilledUnderWayIsResumedAtRestartWithEveryAcknowledgedWrite() throws Exception {
    drill.writeLayout(layoutJson(1, "\"a\", \"b\", \"c\"", drives("a", "b", "c"), false, "parity", 80));
    drill.start(1);
    try (TestInitiator session = drill.session()) {
      drill.writeEveryChunk(session);
      // d joins; writes go on until the engine says the pool grew (the restripe starts), then
      // SIGKILL with one write in flight
      drill.writeLayout(layoutJson(2, "\"a\", \"b\", \"c\", \"d\"", drives("a", "b", "c", "d"), true,
          "parity", 80));
      drill.engine.reload();
      drill.writeUntilTheEngineSays(session, "pool p grew from 3 to 4 drives", "grew the pool");
      drill.writeRandomChunks(session, 64); // some writes while the restripe runs
      drill.killWithAWriteInFlight(session);
      assertThat(drill.output()).as("killed while the restripe ran").doesNotContain("restriped onto 4 drives");
    }

    drill.start(2); // the layout lists d
    try (TestInitiator session = drill.session()) {
      drill.verify(session, "after the restart");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (!drill.output().contains("restriped onto 4 drives")) {
        assertThat(System.nanoTime()).as("the restarted engine never finished the restripe:\n"
            + drill.output()).isLessThan(deadline);
        session.read(0, BLOCKS); // reads go on during the resumed restripe
      }
      // v's remaining 72 MiB and all of w: 160 MiB written, more than the 125 MiB pool before
      fill(session, 0, (long) CHUNKS * BLOCKS, RAID5_VOLUME_BYTES);
      session.lun = 1;
      session.testUnitReady();
      fill(session, 1, 0, RAID5_VOLUME_BYTES);
      session.lun = 0;
      drill.verify(session, "after filling both volumes");
      session.lun = 1;
      for (long lba = 0; lba < RAID5_VOLUME_BYTES / 512; lba += FILL_BLOCKS) {
        assertThat(session.read(lba, FILL_BLOCKS)).as("w at %d", lba)
            .isEqualTo(fillStamp(1, lba));
      }
    }
  }

  /** What filling writes at {@code lba} of volume {@code volume}: 32 KiB named by both. */
  static byte[] fillStamp(int volume, long lba) {
    return repeat(KilledWhileWriting.stamp((int) (volume << 24 | lba / FILL_BLOCKS), 7));
  }

  static byte[] repeat(byte[] chunk) {
    byte[] out = new byte[FILL_BLOCKS * 512];
    for (int at = 0; at < out.length; at += chunk.length) {
      System.arraycopy(chunk, 0, out, at, chunk.length);
    }
    return out;
  }

  static void fill(TestInitiator session, int volume, long from) throws IOException {
    fill(session, volume, from, 48L << 20);
  }

  static void fill(TestInitiator session, int volume, long from, long bytes) throws IOException {
    for (long lba = from; lba < bytes / 512; lba += FILL_BLOCKS) {
      session.write(lba, fillStamp(volume, lba), false);
    }
  }
}
