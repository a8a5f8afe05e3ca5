package io.strata.agent.heartbeat;

import io.strata.agent.commands.Reconciler;
import io.strata.agent.events.EventPublisher;
import io.strata.contracts.event.Events;
import io.strata.contracts.event.NodeHeartbeat;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** Says every few seconds that this node is alive and how many of its engines run. */
public final class Heartbeats implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Heartbeats.class);

  private final ScheduledFuture<?> task;

  public Heartbeats(String nodeId, Duration interval, Reconciler reconciler, EventPublisher events,
      ScheduledExecutorService scheduler) {
    long startedAt = System.currentTimeMillis();
    this.task = scheduler.scheduleAtFixedRate(() -> {
      try {
        events.publishAboutNode(Events.NODE_HEARTBEAT, new NodeHeartbeat(
            nodeId, startedAt, reconciler.arrayCount(), reconciler.enginesRunning(), interval.toMillis()));
      } catch (RuntimeException e) {
        LOG.warnf("heartbeat not sent: %s", e.getMessage());
      }
    }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
