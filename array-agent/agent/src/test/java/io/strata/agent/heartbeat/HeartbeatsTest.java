package io.strata.agent.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.contracts.event.NodeHeartbeat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The beat that tells the control plane this node lives. */
class HeartbeatsTest {

  @Test
  void beatsCarryTheCountsAndGoOnAfterASendFails() throws Exception {
    List<NodeHeartbeat> sent = new CopyOnWriteArrayList<>();
    AtomicBoolean failOnce = new AtomicBoolean(true);
    try (Heartbeats beats = new Heartbeats("n1", Duration.ofMillis(20), new Heartbeats.Counts(() -> 3, () -> 2),
        beat -> {
          if (failOnce.getAndSet(false)) {
            throw new IllegalStateException("broker away");
          }
          sent.add(beat);
        })) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (sent.size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    assertThat(sent).hasSizeGreaterThanOrEqualTo(3);
    assertThat(sent.get(0).nodeId()).isEqualTo("n1");
    assertThat(sent.get(0).arrays()).isEqualTo(3);
    assertThat(sent.get(0).enginesRunning()).isEqualTo(2);
  }

  @Test
  void closingStopsTheBeats() throws Exception {
    List<NodeHeartbeat> sent = new CopyOnWriteArrayList<>();
    Heartbeats beats = new Heartbeats("n1", Duration.ofMillis(10), new Heartbeats.Counts(() -> 0, () -> 0), sent::add);
    Thread.sleep(100);
    beats.close();
    Thread.sleep(50);
    int after = sent.size();
    Thread.sleep(100);
    assertThat(sent).hasSize(after);
  }
}
