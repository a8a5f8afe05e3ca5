package io.strata.engine.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.engine.iscsi.initiator.InitiatorConfig;
import io.strata.engine.iscsi.initiator.InitiatorSession;
import io.strata.engine.iscsi.initiator.LoginRefusedException;
import io.strata.engine.iscsi.initiator.RemoteDrive;
import io.strata.engine.iscsi.login.ChapCredentials;
import io.strata.engine.transport.Portal;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The export mode in this JVM: targets per drive, who may log in, reload, status. */
class DriveExportServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String A1 = "iqn.2026-01.io.strata:drive.a1";
  private static final String B1 = "iqn.2026-01.io.strata:drive.b1";
  private static final String ENGINE_A = "iqn.2026-01.io.strata:engine.arrayA";
  private static final String ENGINE_B = "iqn.2026-01.io.strata:engine.arrayB";
  private static final String SECRET_A = "secret-of-array-A-0123456789";
  private static final String SECRET_B = "secret-of-array-B-0123456789";

  @TempDir Path dir;

  @Test
  void aBorrowingNodeMayHoldMoreConnectionsThanAnEnginePortAllowsOneHost() throws Exception {
    Path file = dir.resolve("exports.json");
    writeExports(file, 1, export(A1, sized(dir.resolve("a1.img"), 4 << 20), ENGINE_A, "arrayA", SECRET_A));
    int port = freePort();
    int connections = io.strata.engine.transport.ConnectionLimits.DEFAULT_PER_SOURCE + 16;
    java.util.List<java.net.Socket> open = new java.util.ArrayList<>();
    try (DriveExportService service = DriveExportService.start(file,
        new Portal("127.0.0.1", port, 1), dir.resolve("status.json"))) {
      for (int i = 0; i < connections; i++) {
        java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
        socket.setSoTimeout(200);
        open.add(socket);
      }
      // A refused connection is closed as it is accepted (end of stream); an admitted one waits
      // for its login. Every connection is watched for 200 ms, all at once (one after the other,
      // the 80 of them took 16 s).
      java.util.concurrent.ExecutorService watchers = java.util.concurrent.Executors.newFixedThreadPool(open.size());
      try {
        java.util.List<java.util.concurrent.Future<Boolean>> closed = new java.util.ArrayList<>();
        for (java.net.Socket socket : open) {
          closed.add(watchers.submit(() -> closedWithin(socket)));
        }
        for (int i = 0; i < open.size(); i++) {
          assertThat(closed.get(i).get()).as("connection %d closed", i).isFalse();
        }
      } finally {
        watchers.shutdownNow();
      }
    } finally {
      for (java.net.Socket socket : open) {
        socket.close();
      }
    }
  }

  /** Whether the other end closed the connection within the socket's read timeout. */
  private static boolean closedWithin(java.net.Socket socket) throws java.io.IOException {
    try {
      return socket.getInputStream().read() == -1;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    }
  }

  @Test
  void servesEachDriveToItsOwnArrayOnlyAndReloads() throws Exception {
    Path driveA = sized(dir.resolve("a1.img"), 4 << 20);
    Path driveB = sized(dir.resolve("b1.img"), 8 << 20);
    Path file = dir.resolve("exports.json");
    Path status = dir.resolve("status.json");
    writeExports(file, 1, export(A1, driveA, ENGINE_A, "arrayA", SECRET_A),
        export(B1, driveB, ENGINE_B, "arrayB", SECRET_B));
    int port = freePort();
    try (DriveExportService service = DriveExportService.start(file,
        new Portal("127.0.0.1", port, 1), status)) {
      assertThat(service.targetNames()).containsExactlyInAnyOrder(A1, B1);
      assertThat(JSON.readTree(status.toFile()).get("revision").asLong()).isEqualTo(1);
      assertThat(JSON.readTree(status.toFile()).get("ok").asBoolean()).isTrue();

      // Array A's engine reads and writes its drive, which is the whole file.
      try (RemoteDrive a = RemoteDrive.open("a", config(port, A1, ENGINE_A, "arrayA", SECRET_A),
          4 << 20)) {
        assertThat(a.online()).as(String.valueOf(a.offlineReason())).isTrue();
        byte[] data = new byte[4096];
        new Random(5).nextBytes(data);
        a.write(8, ByteBuffer.wrap(data), true);
        byte[] onDisk = new byte[4096];
        try (RandomAccessFile raw = new RandomAccessFile(driveA.toFile(), "r")) {
          raw.seek(8 * 512);
          raw.readFully(onDisk);
        }
        assertThat(onDisk).isEqualTo(data);

        // Array B's engine may not log in to A's drive, even with its own valid CHAP; A with a
        // wrong secret may not either.
        assertRefused(config(port, A1, ENGINE_B, "arrayB", SECRET_B));
        assertRefused(config(port, A1, ENGINE_A, "arrayA", SECRET_B));

        // Reload without A's drive: its session is closed and it cannot come back.
        writeExports(file, 2, export(B1, driveB, ENGINE_B, "arrayB", SECRET_B));
        assertThat(service.reloadAndReport()).contains("revision 2");
        waitFor(() -> !a.online());
        assertThat(service.targetNames()).containsExactly(B1);
        assertRefused(config(port, A1, ENGINE_A, "arrayA", SECRET_A));
        assertThat(JSON.readTree(status.toFile()).get("revision").asLong()).isEqualTo(2);
      }

      // A broken revision changes nothing and says why.
      Files.writeString(file, "{\"revision\": 3, \"exports\": [{\"target\": \"x\"}]}");
      assertThat(service.reloadAndReport()).contains("NOT applied");
      JsonNode s = JSON.readTree(status.toFile());
      assertThat(s.get("ok").asBoolean()).isFalse();
      assertThat(s.get("revision").asLong()).isEqualTo(3);
      assertThat(s.get("error").asText()).contains("needs a path");
      assertThat(service.targetNames()).containsExactly(B1);

      // Adding A's drive back makes it reachable again.
      writeExports(file, 4, export(A1, driveA, ENGINE_A, "arrayA", SECRET_A),
          export(B1, driveB, ENGINE_B, "arrayB", SECRET_B));
      assertThat(service.reloadAndReport()).contains("1 added");
      try (RemoteDrive b = RemoteDrive.open("b", config(port, B1, ENGINE_B, "arrayB", SECRET_B),
          0);
          RemoteDrive a = RemoteDrive.open("a", config(port, A1, ENGINE_A, "arrayA", SECRET_A),
              0)) {
        assertThat(b.online()).isTrue();
        assertThat(b.blockCount()).isEqualTo((8 << 20) / 512);
        assertThat(a.online()).isTrue();
      }
    }
  }

  @Test
  void anEngineOfAnOlderEpochIsRefusedAndItsSessionClosedWhenTheEpochRises() throws Exception {
    Path drive = sized(dir.resolve("a1.img"), 4 << 20);
    Path file = dir.resolve("exports.json");
    Path status = dir.resolve("status.json");
    writeExports(file, 1, export(A1, drive, ENGINE_A, "arrayA", SECRET_A).replace("}}",
        "}, \"epoch\": 1}"));
    int port = freePort();
    InitiatorConfig config = config(port, A1, ENGINE_A, "arrayA", SECRET_A);
    try (DriveExportService service = DriveExportService.start(file,
        new Portal("127.0.0.1", port, 1), status)) {
      // An engine presenting no epoch, or a lower one, is refused: authorization failure.
      assertFenced(config, 0);
      try (RemoteDrive old = RemoteDrive.open("old", config, 4 << 20, 1);
          RemoteDrive unfenced = RemoteDrive.open("no-epoch", config, 4 << 20, 0)) {
        assertThat(old.online()).as(String.valueOf(old.offlineReason())).isTrue();
        assertThat(unfenced.online()).isFalse();
        assertThat(unfenced.offlineReason()).contains("status 0x0202")
            .contains("fenced").contains("none was");
        old.write(0, ByteBuffer.wrap(new byte[512]), true);

        // The control plane promotes the other engine: epoch 2. The old session is closed
        // before the status says revision 2 is applied, and the old engine cannot come back.
        writeExports(file, 2, export(A1, drive, ENGINE_A, "arrayA", SECRET_A).replace("}}",
            "}, \"epoch\": 2}"));
        assertThat(service.reloadAndReport()).contains("1 fenced session(s) closed");
        assertThat(JSON.readTree(status.toFile()).get("revision").asLong()).isEqualTo(2);
        waitFor(() -> !old.online());
        assertThatThrownBy(() -> old.write(0, ByteBuffer.wrap(new byte[512]), true))
            .isInstanceOf(java.io.IOException.class);
        waitFor(() -> String.valueOf(old.offlineReason()).contains("fenced: the export admits"
            + " only a higher epoch than 1"));
        assertFenced(config, 1);

        // The new active engine, at epoch 2, logs in and writes.
        try (RemoteDrive promoted = RemoteDrive.open("new", config, 4 << 20, 2)) {
          assertThat(promoted.online()).as(String.valueOf(promoted.offlineReason())).isTrue();
          promoted.write(0, ByteBuffer.wrap(new byte[512]), true);
        }
      }
    }
  }

  @Test
  void aRaisedEpochOnTheEngineSideLogsInAgainWithoutFailingIo() throws Exception {
    Path drive = sized(dir.resolve("a1.img"), 4 << 20);
    Path file = dir.resolve("exports.json");
    writeExports(file, 1, export(A1, drive, ENGINE_A, "arrayA", SECRET_A));
    int port = freePort();
    try (DriveExportService service = DriveExportService.start(file,
        new Portal("127.0.0.1", port, 1), dir.resolve("status.json"));
        RemoteDrive d = RemoteDrive.open("d", config(port, A1, ENGINE_A, "arrayA", SECRET_A),
            4 << 20, 3)) {
      assertThat(d.online()).isTrue();
      java.util.List<Boolean> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
      d.listener((remote, online) -> changes.add(online));
      d.presentEpoch(4);
      assertThat(d.epoch()).isEqualTo(4);
      // The export rises to 4: the session at 4 stays, I/O goes on.
      writeExports(file, 2, export(A1, drive, ENGINE_A, "arrayA", SECRET_A).replace("}}",
          "}, \"epoch\": 4}"));
      // The epoch-3 session is retired in the background once it has no command left; if it is
      // still open at the reload, the reload fences it (1 closed). The epoch-4 one must stay.
      assertThat(service.reloadAndReport()).containsPattern("[01] fenced session\\(s\\) closed");
      d.write(0, ByteBuffer.wrap(new byte[512]), true);
      assertThat(d.online()).isTrue();
      assertThat(changes).as("the epoch-4 session was never lost (no offline, no re-login)").isEmpty();
      assertThatThrownBy(() -> d.presentEpoch(3)).hasMessageContaining("below epoch 4");
    }
  }

  private static void assertFenced(InitiatorConfig config, long epoch) {
    try (InitiatorSession s = InitiatorSession.open(config, 3, epoch)) {
      throw new AssertionError("login at epoch " + epoch + " was accepted");
    } catch (LoginRefusedException expected) {
      assertThat(expected.getMessage()).contains("status 0x0202");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertRefused(InitiatorConfig config) {
    try (InitiatorSession s = InitiatorSession.open(config, 3)) {
      throw new AssertionError("login as " + config.initiatorName() + " to "
          + config.targetName() + " was accepted");
    } catch (LoginRefusedException expected) {
      assertThat(expected.statusClass()).isEqualTo(2);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static InitiatorConfig config(int port, String target, String initiator, String user,
      String secret) {
    return InitiatorConfig.of("127.0.0.1", port, target, 0, initiator,
            new ChapCredentials(user, secret.getBytes(StandardCharsets.UTF_8)))
        .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(10))
        .withBackoff(Duration.ofMillis(100), Duration.ofMillis(300));
  }

  private static String export(String target, Path path, String initiator, String user,
      String secret) {
    return String.format("{\"target\": \"%s\", \"path\": \"%s\", \"media\": \"SSD\","
        + " \"initiator\": \"%s\", \"chap\": {\"user\": \"%s\", \"secret\": \"%s\"}}", target,
        path, initiator, user, secret);
  }

  private static void writeExports(Path file, long revision, String... exports) throws Exception {
    Files.writeString(file, "{\"revision\": " + revision + ", \"exports\": ["
        + String.join(", ", exports) + "]}");
  }

  private static Path sized(Path file, long bytes) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(bytes);
    }
    return file;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(20);
    }
  }
}
