package io.strata.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real initiator writing to a LUN while the test changes what is under it (a move, a pool
 * growing, a drive replaced, a scrub): it rewrites the LUN's first MiB with a new random pattern,
 * round after round, until closed, and remembers the last pattern whose write succeeded, which
 * the test reads back afterwards.
 */
final class BackgroundWriter implements AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger succeeded = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicReference<byte[]> lastWritten;
  private final Thread thread;

  /** Starts writing; {@code firstMib} is what the LUN's first MiB holds before the first round. */
  BackgroundWriter(Initiator initiator, String portal, String target, int lun, Path folder, byte[] firstMib) {
    this.lastWritten = new AtomicReference<>(firstMib.clone());
    this.thread = new Thread(() -> {
      int round = 0;
      try {
        while (!stop.get()) {
          byte[] pattern = RunningStack.randomBytes(1, 1000 + round);
          Path file = Files.write(folder.resolve("round-" + round + ".bin"), pattern);
          if (initiator.write(portal, target, lun, file).exit() == 0) {
            lastWritten.set(pattern);
            succeeded.incrementAndGet();
            round++;
          } else {
            failed.incrementAndGet();
          }
          Files.deleteIfExists(file);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "background-writer");
    thread.start();
  }

  /** Writes that succeeded so far. */
  int succeeded() {
    return succeeded.get();
  }

  /** Writes the target refused so far (none, while the LUN serves throughout). */
  int failed() {
    return failed.get();
  }

  /** The pattern of the last write that succeeded: what the LUN's first MiB must hold. */
  byte[] lastWritten() {
    return lastWritten.get();
  }

  /** Stops after the round under way. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join();
  }
}
