package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.strata.engine.iscsi.initiator.LocalTarget;
import io.strata.engine.iscsi.initiator.RemoteDrive;
import io.strata.engine.pool.MemberState;
import io.strata.engine.pool.Pool;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Remote drives in the layout: what is refused, and a mirror member that goes and comes back. */
class RemoteDriveLayoutTest {
  @TempDir Path dir;

  private String remote(int port, String extra) {
    return "{\"name\": \"d2\", \"media\": \"SSD\"" + extra + ", \"remote\": {\"portal\":"
        + " \"127.0.0.1:" + port + "\", \"target\": \"" + LocalTarget.TARGET + "\","
        + " \"initiator\": \"" + LocalTarget.INITIATOR + "\", \"chap\": {\"user\": \""
        + LocalTarget.CHAP.user() + "\", \"secret\": \"the-shared-secret-0123\"}}}";
  }

  private Path layout(String drives, String pools) throws Exception {
    Path file = dir.resolve("layout.json");
    Files.writeString(file, "{\"metadata\": \"meta\", \"drives\": [" + drives + "], \"pools\": ["
        + pools + "], \"volumes\": [{\"name\": \"v1\", \"pool\": \"p0\", \"size\": \"4M\"}]}");
    return file;
  }

  private static final String LOCAL =
      "{\"name\": \"d1\", \"path\": \"d1.img\", \"media\": \"SSD\", \"size\": \"16M\"}";
  private static final String MIRROR =
      "{\"name\": \"p0\", \"drives\": [\"d1\", \"d2\"], \"protection\": \"mirror\"}";

  @Test
  void badRemoteDrivesAreRefusedWithTheReason() throws Exception {
    assertThatThrownBy(() -> ArrayLayout.read(layout(LOCAL + ", "
        + remote(3260, ", \"path\": \"x.img\""), MIRROR)))
        .hasMessageContaining("drive d2 has both a path and a remote");
    assertThatThrownBy(() -> ArrayLayout.read(layout(LOCAL + ", "
        + remote(3260, "").replace("127.0.0.1:3260", "nowhere"), MIRROR)))
        .hasMessageContaining("drive d2: remote.portal");
    assertThatThrownBy(() -> ArrayLayout.read(layout(LOCAL + ", "
        + remote(3260, "").replace("\"initiator\": \"" + LocalTarget.INITIATOR + "\",", ""),
        MIRROR)))
        .hasMessageContaining("remote.initiator is missing");
    assertThatThrownBy(() -> ArrayLayout.read(layout(LOCAL + ", "
        + "{\"name\": \"d3\", \"path\": \"d3.img\", \"media\": \"SSD\", \"size\": \"16M\"}, "
        + remote(3260, ""),
        "{\"name\": \"p0\", \"drives\": [\"d1\", \"d3\"], \"protection\": \"mirror\","
            + " \"cache\": {\"drive\": \"d2\"}}")))
        .hasMessageContaining("drive 'd2' is remote; a single cache or tier SSD must be local");
  }

  @Test
  void aNewPoolNeedsItsRemoteDriveAndSaysWhyItCannotStart() throws Exception {
    int port = LocalTarget.freePort(); // nobody listens there
    Path file = layout(LOCAL + ", " + remote(port, ", \"size\": \"16M\""), MIRROR);
    assertThatThrownBy(() -> ArrayStack.open(ArrayLayout.read(file), file))
        .hasMessageContaining("unreachable remote drive(s): d2")
        .hasMessageContaining("refused");
  }

  @Test
  void aRemoteMirrorMemberThatIsAwayIsFailedAndRebuiltWhenItReturns() throws Exception {
    try (LocalTarget target = new LocalTarget(dir.resolve("remote.img"), 16 << 20, 60)) {
      Path file = layout(LOCAL + ", " + remote(target.port, ", \"size\": \"16M\""), MIRROR);
      byte[] first = pattern(1, 64 << 10);
      try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
        assertThat(stack.health()).extracting(ArrayStack.DriveHealth::state)
            .containsExactly("ONLINE", "ONLINE");
        stack.pools().get("p0").write(0, ByteBuffer.wrap(first), true);
      }

      // The remote node is down when the engine starts: the pool opens degraded.
      target.stop();
      byte[] second = pattern(2, 64 << 10);
      try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
        Pool pool = stack.pools().get("p0");
        assertThat(pool.state(1)).isEqualTo(MemberState.FAILED);
        ArrayStack.DriveHealth d2 = stack.health().get(1);
        assertThat(d2.remote()).isTrue();
        assertThat(d2.state()).isEqualTo("FAILED");
        assertThat(d2.reason()).contains("refused");
        pool.write(1024, ByteBuffer.wrap(second), true);

        // It comes back: logged in again, put back in the pool, rebuilt.
        target.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!stack.health().get(1).state().equals("ONLINE") && System.nanoTime() < until) {
          Thread.sleep(50);
        }
        assertThat(stack.health().get(1).state()).isEqualTo("ONLINE");
        assertThat(pool.degraded()).isFalse();
        for (int i = 0; i < 4; i++) { // reads alternate between the two copies
          assertThat(read(pool, 0, first.length)).isEqualTo(first);
          assertThat(read(pool, 1024, second.length)).isEqualTo(second);
        }
      }
    }
  }

  @Test
  void aNewPoolWaitingForItsRemoteDriveAppliesByItselfWhenTheDriveIsServed() throws Exception {
    try (LocalTarget target = new LocalTarget(dir.resolve("remote.img"), 16 << 20, 60)) {
      target.stop(); // the lending node's export service has not started yet
      Path file = reloaded(false, null, target.port);
      Path status = dir.resolve("status.json");
      try (LayoutService service = LayoutService.open(file, "iqn.2026-01.io.strata:test")) {
        service.reportTo(status);
        reloaded(true, "p1", target.port);
        assertThat(service.reloadAndReport()).contains("NOT applied").contains("waits for [d2]");
        var said = new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.toFile());
        assertThat(said.get("ok").asBoolean()).isFalse();
        assertThat(said.get("waitingForDrives").toString()).isEqualTo("[\"d2\"]");

        target.start(); // no new revision, no signal: the engine tries again by itself
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.toFile()).get("ok").asBoolean()) {
          assertThat(System.nanoTime()).as("the waiting layout applied within 30 s").isLessThan(deadline);
          Thread.sleep(200);
        }
        assertThat(service.stack().pools()).containsKey("p1");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.toFile()).has("waitingForDrives")).isFalse();
      }
    }
  }

  /** Pool p0 on local d1; local d3 and remote d2 when asked, and pool {@code pool} over them. */
  private Path reloaded(boolean extraDrives, String pool, int port) throws Exception {
    Path file = dir.resolve("layout.json");
    String d3 = LOCAL.replace("d1", "d3");
    String drives = LOCAL
        + (extraDrives ? ", " + d3 + ", " + remote(port, ", \"size\": \"16M\"") : "");
    String pools = "{\"name\": \"p0\", \"drives\": [\"d1\"]}" + (pool == null ? ""
        : ", {\"name\": \"" + pool + "\", \"drives\": [\"d3\", \"d2\"],"
            + " \"protection\": \"mirror\"}");
    Files.writeString(file, "{\"metadata\": \"meta\", \"drives\": [" + drives + "],"
        + " \"pools\": [" + pools + "],"
        + " \"volumes\": [{\"name\": \"v1\", \"pool\": \"p0\", \"size\": \"4M\"}]}");
    return file;
  }

  @Test
  void aPoolWithARemoteDriveAddedByReloadIsWatchedAndItsRemovalLetsTheDriveGo() throws Exception {
    try (LocalTarget target = new LocalTarget(dir.resolve("remote.img"), 16 << 20, 60)) {
      Path file = reloaded(false, null, target.port);
      try (ArrayStack stack = ArrayStack.open(ArrayLayout.read(file), file)) {
        stack.reconcile(ArrayLayout.read(reloaded(true, "p1", target.port)));
        assertThat(stack.remoteDrives()).containsOnlyKeys("d2");
        assertThat(stack.health()).extracting(ArrayStack.DriveHealth::name,
            ArrayStack.DriveHealth::pool, ArrayStack.DriveHealth::state)
            .containsExactly(tuple("d1", "p0", "ONLINE"), tuple("d3", "p1", "ONLINE"),
                tuple("d2", "p1", "ONLINE"));

        // The drive added by the reload is watched: it goes, a write drops it, it comes back.
        Pool pool = stack.pools().get("p1");
        target.stop();
        byte[] data = pattern(3, 64 << 10);
        pool.write(0, ByteBuffer.wrap(data), true);
        assertThat(pool.state(1)).isEqualTo(MemberState.FAILED);
        assertThat(stack.health().get(2).state()).isEqualTo("FAILED");
        target.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!stack.health().get(2).state().equals("ONLINE") && System.nanoTime() < until) {
          Thread.sleep(50);
        }
        assertThat(stack.health().get(2).state()).isEqualTo("ONLINE");
        for (int i = 0; i < 2; i++) { // reads alternate between the two copies
          assertThat(read(pool, 0, data.length)).isEqualTo(data);
        }

        // The pool and its drives removed: the remote drive is closed and no longer reported.
        RemoteDrive d2 = stack.remoteDrives().get("d2");
        stack.reconcile(ArrayLayout.read(reloaded(false, null, target.port)));
        assertThat(stack.remoteDrives()).isEmpty();
        assertThat(d2.online()).isFalse();
        assertThat(stack.health()).extracting(ArrayStack.DriveHealth::name).containsExactly("d1");

        // Both drives' labels were cleared: they make a new pool of another name.
        stack.reconcile(ArrayLayout.read(reloaded(true, "p2", target.port)));
        assertThat(stack.pools().get("p2").states()).containsOnly(MemberState.ONLINE);
        assertThat(stack.health().get(2).pool()).isEqualTo("p2");
      }
    }
  }

  static byte[] read(Pool pool, long lba, int bytes) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    pool.read(lba, b);
    return b.array();
  }

  static byte[] pattern(long seed, int length) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }
}
