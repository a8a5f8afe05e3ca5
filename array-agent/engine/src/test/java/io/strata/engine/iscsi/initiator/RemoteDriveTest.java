package io.strata.engine.iscsi.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.block.DeviceOfflineException;
import io.strata.engine.iscsi.login.ChapCredentials;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's initiator against the engine's own target, in this JVM. */
class RemoteDriveTest {
  private static final long SIZE = 16L << 20;

  @TempDir Path dir;

  @Test
  void logsInWithChapAndReadsWritesAndFlushes() throws Exception {
    try (LocalTarget target = new LocalTarget(dir.resolve("drive"), SIZE, 60);
        RemoteDrive drive = RemoteDrive.open("d1", target.config(LocalTarget.CHAP), SIZE)) {
      assertThat(drive.online()).as(String.valueOf(drive.offlineReason())).isTrue();
      assertThat(drive.blockCount()).isEqualTo(SIZE / 512);
      byte[] data = pattern(1, 8192);
      drive.write(100, ByteBuffer.wrap(data), false);
      drive.write(200, ByteBuffer.wrap(data), true);
      drive.flush();
      ByteBuffer back = ByteBuffer.allocateDirect(8192);
      drive.read(100, back);
      assertThat(bytes(back.flip())).isEqualTo(data);
      back.clear();
      drive.read(200, back);
      assertThat(bytes(back.flip())).isEqualTo(data);
    }
  }

  @Test
  void wrongChapIsRefusedAndSaysSo() throws Exception {
    try (LocalTarget target = new LocalTarget(dir.resolve("drive"), SIZE, 60)) {
      ChapCredentials wrong = new ChapCredentials("array1",
          "not-the-right-secret!".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> InitiatorSession.open(target.config(wrong), 1))
          .isInstanceOfSatisfying(LoginRefusedException.class,
              e -> assertThat(e.authenticationFailure()).isTrue());
      assertThatThrownBy(() -> InitiatorSession.open(target.config(null), 1))
          .isInstanceOf(LoginRefusedException.class);
      try (RemoteDrive drive = RemoteDrive.open("d1", target.config(wrong), 0)) {
        assertThat(drive.online()).isFalse();
        assertThat(drive.offlineReason()).contains("authentication failed");
        assertThatThrownBy(() -> drive.read(0, ByteBuffer.allocate(512)))
            .isInstanceOf(DeviceOfflineException.class).hasMessageContaining("offline");
      }
    }
  }

  @Test
  void largeWritesGoThroughR2tBeyondTheFirstBurst() throws Exception {
    try (LocalTarget target = new LocalTarget(dir.resolve("drive"), SIZE, 60);
        InitiatorSession session = InitiatorSession.open(target.config(LocalTarget.CHAP), 7)) {
      // 3 MiB in one WRITE(16): 256 KiB immediate, the rest asked for by three R2Ts.
      byte[] data = pattern(2, 3 << 20);
      InitiatorSession.Completion c = retryOnUnitAttention(
          () -> session.execute(ScsiCommands.write16(2048, data.length / 512, false), null,
              ByteBuffer.wrap(data)));
      assertThat(c.status()).isZero();
      ByteBuffer back = ByteBuffer.allocate(data.length);
      c = session.execute(ScsiCommands.read16(2048, data.length / 512), back, null);
      assertThat(c.status()).isZero();
      assertThat(back.array()).isEqualTo(data);
    }
  }

  @Test
  void manyCommandsOutstandingAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(48);
    try (LocalTarget target = new LocalTarget(dir.resolve("drive"), SIZE, 60);
        RemoteDrive drive = RemoteDrive.open("d1", target.config(LocalTarget.CHAP), 0)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 48; t++) {
        int id = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 20; i++) {
            long lba = (id * 20L + i) * 16;
            byte[] data = pattern(id * 1000 + i, 8192);
            drive.write(lba, ByteBuffer.wrap(data), false);
            ByteBuffer back = ByteBuffer.allocate(8192);
            drive.read(lba, back);
            assertThat(back.array()).isEqualTo(data);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void answersTheTargetsPingsSoAnIdleSessionStays() throws Exception {
    // The target pings after 1 s idle and drops a connection that does not answer by the next.
    try (LocalTarget target = new LocalTarget(dir.resolve("drive"), SIZE, 1);
        InitiatorSession session = InitiatorSession.open(target.config(LocalTarget.CHAP), 9)) {
      Thread.sleep(2500);
      assertThat(session.isOpen()).as(String.valueOf(session.closeReason())).isTrue();
      assertThat(retryOnUnitAttention(() -> session.execute(ScsiCommands.testUnitReady(), null,
          null)).status()).isZero();
    }
  }

  @Test
  void reconnectsAfterTheTargetRestarts() throws Exception {
    try (LocalTarget target = new LocalTarget(dir.resolve("drive"), SIZE, 60);
        RemoteDrive drive = RemoteDrive.open("d1", target.config(LocalTarget.CHAP), 0)) {
      List<Boolean> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
      drive.listener((d, online) -> changes.add(online));
      byte[] data = pattern(3, 4096);
      drive.write(0, ByteBuffer.wrap(data), true);

      target.stop();
      waitFor(() -> !drive.online());
      assertThatThrownBy(() -> drive.read(0, ByteBuffer.allocate(4096)))
          .isInstanceOf(DeviceOfflineException.class);
      assertThat(drive.offlineReason()).isNotBlank();

      target.start();
      waitFor(drive::online);
      ByteBuffer back = ByteBuffer.allocate(4096);
      drive.read(0, back);
      assertThat(back.array()).isEqualTo(data);
      assertThat(changes).containsExactly(false, true);
    }
  }

  private interface Io<T> {
    T run() throws Exception;
  }

  /** A fresh nexus starts with a POWER ON unit attention; the first command may get it. */
  private static InitiatorSession.Completion retryOnUnitAttention(Io<InitiatorSession.Completion> io)
      throws Exception {
    InitiatorSession.Completion c = io.run();
    for (int i = 0; i < 3 && c.status() == ScsiCommands.CHECK_CONDITION; i++) {
      c = io.run();
    }
    return c;
  }

  static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(20);
    }
  }

  static byte[] pattern(long seed, int length) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
