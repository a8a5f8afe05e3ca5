package io.strata.agent.heartbeat;

import io.strata.contracts.event.NodeHeartbeat;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * Says every few seconds that this node is alive and how many of its engines run.
 *
 * <p>The beat has a thread of its own and reads counts that take no lock: the control plane calls
 * a node that is silent for its heartbeat timeout OFFLINE and degrades its arrays, so nothing the
 * agent does elsewhere (sampling, applying a command, starting an engine) may delay it. A beat
 * that still went out late (a stalled JVM, a blocked send) is logged with how late it was.
 */
public final class Heartbeats implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Heartbeats.class);
  /** A beat this many intervals after the one before is worth a warning. */
  static final int LATE_AFTER_INTERVALS = 3;

  private final ScheduledExecutorService thread;
  private long lastSentNanos;

  /** The figures a beat carries, read when it is sent. */
  public record Counts(IntSupplier arrays, IntSupplier enginesRunning) {}

  public Heartbeats(String nodeId, Duration interval, Counts counts, Consumer<NodeHeartbeat> send) {
    long startedAt = System.currentTimeMillis();
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "strata-agent-heartbeat");
      t.setDaemon(true);
      return t;
    });
    thread.scheduleAtFixedRate(() -> {
      try {
        send.accept(new NodeHeartbeat(nodeId, startedAt, counts.arrays().getAsInt(),
            counts.enginesRunning().getAsInt(), interval.toMillis()));
        noteIfLate(interval);
      } catch (RuntimeException e) {
        LOG.warnf("heartbeat not sent: %s", e.getMessage());
      }
    }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void noteIfLate(Duration interval) {
    long now = System.nanoTime();
    if (lastSentNanos != 0 && now - lastSentNanos > interval.toNanos() * LATE_AFTER_INTERVALS) {
      LOG.warnf("heartbeat sent %d ms after the one before (interval %d ms)",
          TimeUnit.NANOSECONDS.toMillis(now - lastSentNanos), interval.toMillis());
    }
    lastSentNanos = now;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
