package io.strata.engine.iscsi.initiator;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.iscsi.IscsiService;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: an engine that stops (hibernation, a resize's restart, the agent's shutdown) asks its
 * initiators to log out (RFC 7143 11.9.1, AsyncEvent 1) before it closes, and an initiator that
 * honours it logs out cleanly: its session ends with a Logout Response, not with a connection that
 * dropped (or hangs until a timeout). The project's own initiator (what remote drives and the e2e
 * tests use) is the one checked here; open-iscsi handles the same event by logging out.
 */
class TargetStopLogoutTest {
  static final long SIZE = 4L << 20;

  @TempDir Path dir;

  interface Command {
    InitiatorSession.Completion run() throws Exception;
  }

  /** The first command of a new session meets the LUN's unit attention (power on, reset): sent again. */
  static InitiatorSession.Completion pastUnitAttention(Command command) throws Exception {
    InitiatorSession.Completion c = command.run();
    for (int i = 0; i < 3 && c.status() == ScsiCommands.CHECK_CONDITION; i++) {
      c = command.run();
    }
    return c;
  }

  @Test
  void aStoppingTargetAsksItsInitiatorToLogOutAndItDoesCleanly() throws Exception {
    LocalTarget target = new LocalTarget(dir.resolve("drive"), SIZE, 60);
    InitiatorSession session = InitiatorSession.open(target.config(LocalTarget.CHAP), 11);
    try {
      // a write before the stop, acknowledged
      byte[] data = new byte[4096];
      java.util.Arrays.fill(data, (byte) 0x5a);
      assertThat(pastUnitAttention(() -> session.execute(ScsiCommands.write16(0, data.length / 512, true), null,
          ByteBuffer.wrap(data))).status()).isZero();

      target.stop();

      assertThat(session.awaitClosed(IscsiService.LOGOUT_GRACE.toSeconds() + 10, TimeUnit.SECONDS)).isTrue();
      assertThat(session.closeReason()).as("how the session ended").isEqualTo(InitiatorSession.LOGGED_OUT_ON_REQUEST);
    } finally {
      session.close();
    }
    // the data written before the stop is there after a start (what a resume is)
    target.start();
    try (InitiatorSession again = InitiatorSession.open(target.config(LocalTarget.CHAP), 12)) {
      ByteBuffer back = ByteBuffer.allocate(4096);
      assertThat(pastUnitAttention(() -> again.execute(ScsiCommands.read16(0, 8), back.clear(), null)).status()).isZero();
      assertThat(back.array()).containsOnly((byte) 0x5a);
    } finally {
      target.stop();
    }
  }
}
