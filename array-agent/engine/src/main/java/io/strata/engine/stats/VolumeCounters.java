package io.strata.engine.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * The I/O of one LUN: completed reads and writes, their bytes and latencies, and the commands
 * being executed now (the queue depth). Striped counters ({@link LongAdder}) and wait-free
 * recorders: the data path neither locks nor allocates. Nothing here is one shared word that
 * every I/O writes: each {@link LongAdder} moves to per-thread cells once two threads collide on
 * it, and the latency histograms are striped per thread ({@link LatencyHistogram}).
 */
public final class VolumeCounters {
  final LongAdder readOps = new LongAdder();
  final LongAdder writeOps = new LongAdder();
  final LongAdder readBytes = new LongAdder();
  final LongAdder writeBytes = new LongAdder();
  final LongAdder inFlight = new LongAdder();
  final LatencyHistogram readLatency = new LatencyHistogram();
  final LatencyHistogram writeLatency = new LatencyHistogram();

  /**
   * One reading, for the stats file.
   *
   * @param queueDepth commands of this LUN being executed at the moment of reading
   */
  public record Reading(long readOps, long writeOps, long readBytes, long writeBytes, long queueDepth,
      LatencyHistogram.Buckets readLatency, LatencyHistogram.Buckets writeLatency) {}

  /** The operations and bytes so far, for the engine's totals (no latency fold). */
  IoCounters.Snapshot totals() {
    return new IoCounters.Snapshot(readOps.sum(), writeOps.sum(), readBytes.sum(), writeBytes.sum());
  }

  /** Reads the counters and folds the latencies recorded since the last reading; by the stats writer. */
  public Reading read() {
    return new Reading(readOps.sum(), writeOps.sum(), readBytes.sum(), writeBytes.sum(),
        Math.max(0, inFlight.sum()), readLatency.fold(), writeLatency.fold());
  }
}
