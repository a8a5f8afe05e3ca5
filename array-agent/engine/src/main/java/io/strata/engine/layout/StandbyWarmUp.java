package io.strata.engine.layout;

import io.strata.engine.iscsi.initiator.RemoteDrive;
import io.strata.engine.layout.ArrayLayout.DriveSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Readies a standby engine for its first promotion. A standby opens no drive, so the first
 * promotion of an engine process was the first time it logged in to the other node's drive
 * export service and read through it, and the first time that service answered one: cold code on
 * both sides, 0.8–1.7 s against 0.2–0.4 s for later promotions on the loaded test machine
 * (docs/benchmarks/failover.md). Once, when a standby starts, this logs in to each remote drive of
 * the layout at the layout's epoch, reads its first 4 KiB and logs out again: nothing is written,
 * no pool is opened, and a refused login (a fenced epoch) or an unreachable drive only costs a
 * log line. The promotion itself opens its drives as before.
 */
final class StandbyWarmUp {
  private static final Logger LOG = Logger.getLogger(StandbyWarmUp.class.getName());
  private static final int READ_BYTES = 4096;

  private StandbyWarmUp() {}

  /** Starts the warm-up of {@code layout}'s remote drives on a thread of its own. */
  static void start(ArrayLayout layout) {
    List<DriveSpec> remotes = layout.drives().stream().filter(d -> d.remote() != null).toList();
    if (remotes.isEmpty() || layout.ha() == null) {
      return;
    }
    long epoch = layout.ha().epoch();
    Thread t = new Thread(() -> remotes.forEach(d -> warm(d, epoch)), "standby-warm-up");
    t.setDaemon(true);
    t.start();
  }

  /** One login, one read of the first 4 KiB, one logout; says what it did. True: warmed. */
  static boolean warm(DriveSpec d, long epoch) {
    long began = System.nanoTime();
    RemoteDrive drive = RemoteDrive.open(d.name(), d.remote().initiatorConfig(), 0, epoch);
    try {
      if (!drive.online()) {
        LOG.info("standby warm-up: remote drive " + d.name() + " not reached ("
            + drive.offlineReason() + "); its first promotion logs in cold");
        return false;
      }
      drive.read(0, ByteBuffer.allocate(READ_BYTES));
      LOG.info("standby warm-up: logged in to remote drive " + d.name() + " and read "
          + READ_BYTES + " bytes in "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) + " ms, logged out");
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.INFO, "standby warm-up: reading remote drive " + d.name() + ": " + e);
      return false;
    } finally {
      drive.close();
    }
  }
}
