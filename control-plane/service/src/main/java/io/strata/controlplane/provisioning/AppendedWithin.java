package io.strata.controlplane.provisioning;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How recently an event just read from strata.events at most reached Kafka, measured by the
 * events consumer's own monotonic clock (no wall clock, so no skew with the agent's): a partition
 * read to its end after a poll holds only events appended after the high watermark that poll saw,
 * and that watermark was fetched no earlier than the poll before it started (the client sends a
 * poll's fetch at the end of the previous poll at the earliest). So an event read from a partition
 * that was at its end after the previous poll was appended at most "now less the start of the poll
 * before that" ago. A partition not yet read to its end since this consumer had it (a backlog
 * after a rebalance, a replay) has no such bound: its events' age is unknown.
 *
 * <p>Used by {@link NodeReports#heartbeat} to tell an agent whose clock runs behind (its
 * heartbeats read promptly, yet stamped seconds ago) from a heartbeat read late (a replay, or a
 * backlog after this replica paused), which must not count as fresh (docs/replicas.md, N4b).
 * Not thread-safe: the consumer's thread alone uses it.
 */
final class AppendedWithin {
  /** Per partition: the start (nanos) of the poll before the last poll after which it was at its end. */
  private final Map<Integer, Long> atEndSince = new HashMap<>();
  private long pollStarted;
  private long previousPollStarted;
  private boolean polledTwice;
  private int polls;

  /** A poll starts at {@code nanos} ({@link System#nanoTime()}). */
  void polling(long nanos) {
    previousPollStarted = pollStarted;
    pollStarted = nanos;
    polledTwice = ++polls >= 2;
  }

  /**
   * The poll just handled left {@code partition} at its end (no lag): its next events were
   * appended after the poll before this one started.
   */
  void atEnd(int partition) {
    if (polledTwice) {
      atEndSince.put(partition, previousPollStarted);
    }
  }

  /**
   * At most how long ago an event of {@code partition} read by the current poll reached Kafka,
   * at {@code nowNanos}; null when unknown (never at its end yet for this consumer). A partition
   * at its end some polls ago (a backlog since, or taken away and given back by a rebalance: the
   * group's committed position is past ours) keeps that older, larger bound, which is still true.
   */
  Duration of(int partition, long nowNanos) {
    Long since = atEndSince.get(partition);
    return since == null ? null : Duration.ofNanos(Math.max(0, nowNanos - since));
  }
}
