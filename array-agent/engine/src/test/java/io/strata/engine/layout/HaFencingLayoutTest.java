package io.strata.engine.layout;

import static io.strata.engine.layout.RemoteDriveLayoutTest.pattern;
import static io.strata.engine.layout.RemoteDriveLayoutTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.engine.export.DriveExportService;
import io.strata.engine.iscsi.initiator.RemoteDrive;
import io.strata.engine.pool.MemberState;
import io.strata.engine.pool.Pool;
import io.strata.engine.transport.Portal;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HA engine against a real drive export service in this JVM: a failed remote member's writes
 * wait for the control plane's consent (ha.outdated), a returning member is resynced from the
 * bitmap, and an engine fenced by a newer epoch can no longer acknowledge a write.
 */
class HaFencingLayoutTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TARGET = "iqn.2026-01.io.strata:drive.x1";
  private static final String ENGINE = "iqn.2026-01.io.strata:engine.ha1";
  private static final String SECRET = "secret-of-array-ha1-0123456789";
  /** 65 MiB per member: four full 16 MiB bitmap regions of data and one more row. */
  private static final long SIZE = 66L << 20;
  private static final int MIB = 1 << 20;

  @TempDir Path dir;

  @Test
  void aFailedRemoteMembersWritesWaitForConsentThenCompleteAndItResyncsFromTheBitmap()
      throws Exception {
    Path remoteFile = sized(dir.resolve("x1.img"));
    Path exports = dir.resolve("exports.json");
    writeExports(exports, 1, remoteFile, 1);
    int port = freePort();
    Path engineDir = Files.createDirectories(dir.resolve("engine"));
    Path layout = writeLayout(engineDir, 1, port, "ACTIVE", 1, "");
    Path status = engineDir.resolve("status.json");
    try (DriveExportService export = DriveExportService.start(exports,
        new Portal("127.0.0.1", port, 1), dir.resolve("export-status.json"));
        LayoutService engine = LayoutService.open(layout, "iqn.2026-01.io.strata:ha1")) {
      engine.reportTo(status);
      engine.writeStatus(1L, null);
      assertThat(JSON.readTree(status.toFile()).get("ha").get("awaitingDrop").size()).isZero();
      Pool pool = engine.stack().pools().get("p0");
      byte[] before = pattern(1, MIB);
      pool.write(0, ByteBuffer.wrap(before), true);

      // The lending node's export goes away: the next write is held, not acknowledged.
      writeExports(exports, 2, null, 1);
      assertThat(export.reloadAndReport()).contains("revision 2");
      RemoteDrive d2 = engine.stack().remoteDrives().get("d2");
      waitFor(() -> !d2.online());
      byte[] during = pattern(2, MIB);
      CompletableFuture<Void> held = write(pool, 2048, during);
      assertHeld(held);
      waitFor(() -> awaitingDrop(status).equals("[\"d2\"]"));
      assertThat(pool.state(1)).isNotEqualTo(MemberState.FAILED);
      assertThat(read(pool, 0, MIB)).isEqualTo(before); // reads go on from d1

      // The control plane consents: d2 is outdated. The write completes, d2 is dropped.
      writeLayout(engineDir, 2, port, "ACTIVE", 1, "\"d2\"");
      assertThat(engine.reloadAndReport()).doesNotContain("NOT applied");
      held.get(5, TimeUnit.SECONDS);
      assertThat(pool.state(1)).isEqualTo(MemberState.FAILED);
      waitFor(() -> awaitingDrop(status).equals("[]"));

      // The export comes back: d2 is put back and resynced in the one region written meanwhile.
      writeExports(exports, 3, remoteFile, 1);
      assertThat(export.reloadAndReport()).contains("revision 3");
      waitFor(() -> pool.state(1) == MemberState.ONLINE, 30);
      // the region written (16 rows) and, when the pool's metadata at its end was journalled
      // meanwhile, that last region's one row: never the whole 65-row member
      assertThat(pool.rowsRebuilt()).as("rows copied to d2").isBetween(16L, 17L);
      assertThat(read(pool, 2048, MIB)).isEqualTo(during);
      assertThat(slice(engineDir.resolve("d1.img"))).isEqualTo(slice(remoteFile));
    }
  }

  @Test
  void anEngineFencedByANewerEpochCannotAcknowledgeAWriteWhileTheNewOneWrites() throws Exception {
    Path remoteFile = sized(dir.resolve("x1.img"));
    Path exports = dir.resolve("exports.json");
    writeExports(exports, 1, remoteFile, 1);
    int port = freePort();
    Path oldDir = Files.createDirectories(dir.resolve("old-active"));
    Path newDir = Files.createDirectories(dir.resolve("new-active"));
    Path oldLayout = writeLayout(oldDir, 1, port, "ACTIVE", 1, "");
    try (DriveExportService export = DriveExportService.start(exports,
        new Portal("127.0.0.1", port, 1), dir.resolve("export-status.json"))) {
      LayoutService old = LayoutService.open(oldLayout, "iqn.2026-01.io.strata:ha1");
      old.reportTo(oldDir.resolve("status.json"));
      Pool oldPool = old.stack().pools().get("p0");
      byte[] first = pattern(1, MIB);
      oldPool.write(0, ByteBuffer.wrap(first), true);

      // The control plane loses the old active's node and promotes the other engine: the
      // export rises to epoch 2 first, which closes the old engine's session at once.
      writeExports(exports, 2, remoteFile, 2);
      assertThat(export.reloadAndReport()).contains("1 fenced session(s) closed");
      RemoteDrive oldD2 = old.stack().remoteDrives().get("d2");
      waitFor(() -> String.valueOf(oldD2.offlineReason()).contains("fenced"));

      try (LayoutService promoted = LayoutService.open(writeLayout(newDir, 1, port, "ACTIVE", 2,
          ""), "iqn.2026-01.io.strata:ha1")) {
        Pool newPool = promoted.stack().pools().get("p0");
        assertThat(promoted.stack().remoteDrives().get("d2").online()).isTrue();
        byte[] second = pattern(2, MIB);
        newPool.write(0, ByteBuffer.wrap(second), true); // acknowledged by the new active

        // The isolated old engine writes: held, waiting for a consent that never comes.
        CompletableFuture<Void> isolated = write(oldPool, 0, pattern(3, MIB));
        assertHeld(isolated);
        Thread.sleep(1500);
        assertThat(isolated).as("the fenced engine acknowledged nothing").isNotDone();
        assertThat(read(newPool, 0, MIB)).isEqualTo(second);

        // Its agent hears the new desired state and demotes it: the held write fails.
        writeLayout(oldDir, 2, port, "STANDBY", 2, "");
        old.reloadAndReport();
        assertThatThrownBy(() -> isolated.get(5, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class).hasMessageContaining("not acknowledged");
        // The drive holds what the new active wrote, never the fenced engine's write.
        assertThat(read(newPool, 0, MIB)).isEqualTo(second);

        // An epoch is never lowered.
        writeLayout(oldDir, 3, port, "STANDBY", 1, "");
        assertThat(old.reloadAndReport()).contains("NOT applied")
            .contains("ha.epoch 1 is lower than the epoch 2");
        // Demoted, it holds nothing open: no pool of it can write or acknowledge anything more.
        assertThat(old.haState()).isEqualTo(LayoutService.HaState.STANDBY);
        assertThat(old.stack().health()).as("no drive open after the demotion").isEmpty();
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private static CompletableFuture<Void> write(Pool pool, long lba, byte[] data) {
    return CompletableFuture.runAsync(() -> {
      try {
        pool.write(lba, ByteBuffer.wrap(data), true);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  private static void assertHeld(CompletableFuture<Void> write) {
    assertThatThrownBy(() -> write.get(500, TimeUnit.MILLISECONDS))
        .as("the write is held, not acknowledged").isInstanceOf(TimeoutException.class);
  }

  private static String awaitingDrop(Path status) {
    try {
      JsonNode ha = JSON.readTree(status.toFile()).get("ha");
      return ha == null ? "none" : ha.get("awaitingDrop").toString();
    } catch (java.io.IOException e) {
      return "unreadable";
    }
  }

  @Test
  void aStandbyWarmsUpWithOneLoginAndOneReadOfItsRemoteDriveAndWritesNothing() throws Exception {
    Path remoteFile = sized(dir.resolve("x1.img"));
    try (RandomAccessFile f = new RandomAccessFile(remoteFile.toFile(), "rw")) {
      f.write(pattern(7, 4096));
    }
    byte[] before = digest(remoteFile);
    Path exports = dir.resolve("exports.json");
    writeExports(exports, 1, remoteFile, 2);
    int port = freePort();
    Path engineDir = Files.createDirectories(dir.resolve("standby"));
    ArrayLayout standby = ArrayLayout.read(writeLayout(engineDir, 1, port, "STANDBY", 2, ""));
    ArrayLayout.DriveSpec d2 = standby.drives().stream().filter(d -> d.remote() != null)
        .findFirst().orElseThrow();
    try (DriveExportService export = DriveExportService.start(exports,
        new Portal("127.0.0.1", port, 1), dir.resolve("export-status.json"))) {
      assertThat(StandbyWarmUp.warm(d2, 2)).as("logged in at the export's epoch and read").isTrue();
      // a standby that rejoined at an older epoch is refused: nothing thrown, nothing warmed
      assertThat(StandbyWarmUp.warm(d2, 1)).isFalse();
    }
    assertThat(digest(remoteFile)).as("the warm-up writes nothing").isEqualTo(before);
  }

  private static byte[] digest(Path file) throws Exception {
    return java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
  }

  private Path writeLayout(Path engineDir, long revision, int port, String role, long epoch,
      String outdated) throws Exception {
    Path file = engineDir.resolve("layout.json");
    Files.writeString(file, "{\"revision\": " + revision + ", \"metadata\": \"meta\","
        + " \"drives\": [{\"name\": \"d1\", \"path\": \"d1.img\", \"media\": \"SSD\","
        + " \"size\": \"66M\"}, {\"name\": \"d2\", \"media\": \"SSD\", \"size\": \"66M\","
        + " \"remote\": {\"portal\": \"127.0.0.1:" + port + "\", \"target\": \"" + TARGET
        + "\", \"initiator\": \"" + ENGINE + "\", \"chap\": {\"user\": \"ha1\", \"secret\": \""
        + SECRET + "\"}}}],"
        + " \"pools\": [{\"name\": \"p0\", \"drives\": [\"d1\", \"d2\"], \"protection\":"
        + " \"mirror\"}],"
        + " \"ha\": {\"role\": \"" + role + "\", \"epoch\": " + epoch + ", \"portGroup\": 1,"
        + " \"peerPortGroup\": 2, \"outdated\": [" + outdated + "]}}");
    return file;
  }

  /** The exports file: drive x1 at {@code path} (null: nothing exported), fenced at {@code epoch}. */
  private static void writeExports(Path file, long revision, Path path, long epoch)
      throws Exception {
    String export = path == null ? "" : "{\"target\": \"" + TARGET + "\", \"path\": \"" + path
        + "\", \"media\": \"SSD\", \"initiator\": \"" + ENGINE + "\", \"chap\": {\"user\":"
        + " \"ha1\", \"secret\": \"" + SECRET + "\"}, \"epoch\": " + epoch + "}";
    Files.writeString(file, "{\"revision\": " + revision + ", \"exports\": [" + export + "]}");
  }

  private static Path sized(Path file) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(SIZE);
    }
    return file;
  }

  /** The pool data area of a member file (after its 1 MiB label area). */
  private static byte[] slice(Path member) throws Exception {
    byte[] all = Files.readAllBytes(member);
    return java.util.Arrays.copyOfRange(all, 1 << 20, (int) (Pool.ROW_BLOCKS * 512L * 65 + MIB));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    waitFor(condition, 10);
  }

  private static void waitFor(BooleanSupplier condition, int seconds) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("condition not met within " + seconds + " s");
      }
      Thread.sleep(20);
    }
  }
}
