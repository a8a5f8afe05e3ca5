package io.strata.controlplane.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * When a heartbeat shows its node alive (NodeReports.aliveAt, docs/replicas.md N4b): an agent
 * clock running behind must not make a node read promptly look dead, and a heartbeat read late
 * must still not count as fresh.
 */
class HeartbeatStampTest {
  static final Instant READ = Instant.parse("2026-12-07T20:00:00Z");
  static final Duration BOUND = Duration.ofSeconds(1);

  @Test
  void aPromptlyReadHeartbeatOfAnAgentWhoseClockRunsTenSecondsBehindCountsFromItsReadLessTheBound() {
    Instant sent = READ.minusSeconds(10);
    assertThat(NodeReports.aliveAt(sent, READ, Duration.ofMillis(300), BOUND)).isEqualTo(READ.minus(BOUND));
    // read a little later than the bound: the bound it reached Kafka within is what counts
    assertThat(NodeReports.aliveAt(sent, READ, Duration.ofMillis(1500), BOUND)).isEqualTo(READ.minusMillis(1500));
  }

  @Test
  void aHeartbeatReadLateCountsFromWhenItWasSentNotAsFresh() {
    Instant sent = READ.minusSeconds(10);
    assertThat(NodeReports.aliveAt(sent, READ, Duration.ofSeconds(12), BOUND)).isEqualTo(sent);
    // sent by a slow clock and read late: never fresher than what the reader knows of its age
    assertThat(NodeReports.aliveAt(sent, READ, Duration.ofSeconds(8), BOUND)).isEqualTo(READ.minusSeconds(8));
    // a replay or a backlog after a rebalance: how late is unknown, only the agent's word counts
    assertThat(NodeReports.aliveAt(sent, READ, null, BOUND)).isEqualTo(sent);
  }

  @Test
  void aHeartbeatOfAnAgentInTimeCountsFromItsSendTimeAndNeverAfterItsRead() {
    assertThat(NodeReports.aliveAt(READ.minusMillis(200), READ, Duration.ofMillis(300), BOUND))
        .isEqualTo(READ.minusMillis(200));
    assertThat(NodeReports.aliveAt(READ.plusSeconds(3), READ, Duration.ofMillis(300), BOUND)).isEqualTo(READ);
    assertThat(NodeReports.aliveAt(null, READ, null, BOUND)).isEqualTo(READ);
  }
}
