package io.strata.contracts.event;

import java.time.Instant;
import java.util.List;

/**
 * How fast an array, its pools and its volumes went during one sampling interval
 * ({@code strata.agent.performance-interval}, 60 s by default), sent by the agent of the node that
 * runs the array's engine on {@code strata.events}; the control plane keeps it as the tenant's
 * performance history. Counters count only the interval; latencies are the interval's quantiles;
 * sizes are the state at its end. A volume without I/O in the interval is left out (nothing to
 * chart; it keeps the history small).
 *
 * @param arrayId the array (control-plane UUID)
 * @param nodeId the storage node that sent the sample
 * @param intervalStart start of the interval, inclusive
 * @param intervalEnd end of the interval, exclusive; after {@code intervalStart}
 * @param series one entry for the array, one per pool, one per volume that did I/O
 */
public record ArrayPerformance(String arrayId, String nodeId, Instant intervalStart, Instant intervalEnd,
    List<Series> series) {

  public ArrayPerformance {
    series = series == null ? List.of() : List.copyOf(series);
  }

  /** What a series describes. */
  public enum Kind { ARRAY, POOL, VOLUME }

  /**
   * One object's figures for the interval. Latencies are null when the object did no such I/O;
   * cache figures null without a flash cache; used bytes null for a volume (pools and the array
   * carry them).
   *
   * @param objectId the array's, pool's or volume's id
   * @param readOps reads completed during the interval
   * @param writeOps writes completed during the interval
   * @param readBytes bytes read during the interval
   * @param writtenBytes bytes written during the interval
   * @param readLatencyP50Micros median read latency in the interval, in microseconds
   * @param readLatencyP99Micros 99th percentile of the read latency
   * @param writeLatencyP50Micros median write latency
   * @param writeLatencyP99Micros 99th percentile of the write latency
   * @param cacheReadHits read segments the flash cache served during the interval
   * @param cacheReadMisses read segments it did not
   * @param ssdUsedBytes space written that lives on SSD at the end of the interval
   * @param hddUsedBytes space written that lives on HDD
   */
  public record Series(Kind kind, String objectId, long readOps, long writeOps, long readBytes,
      long writtenBytes, Long readLatencyP50Micros, Long readLatencyP99Micros, Long writeLatencyP50Micros,
      Long writeLatencyP99Micros, Long cacheReadHits, Long cacheReadMisses, Long ssdUsedBytes,
      Long hddUsedBytes) {}
}
