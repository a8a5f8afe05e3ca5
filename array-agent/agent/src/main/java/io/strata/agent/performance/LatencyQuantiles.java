package io.strata.agent.performance;

import io.strata.engine.stats.LatencyHistogram;

/**
 * Quantiles of the I/Os counted between two readings of an engine's cumulative latency buckets,
 * interpolated linearly inside the bucket the quantile falls in (as Prometheus's
 * {@code histogram_quantile} does), in microseconds.
 */
final class LatencyQuantiles {
  private LatencyQuantiles() {}

  /** {@code later} minus {@code earlier}, bucket by bucket (an engine restart: {@code later} alone). */
  static long[] between(LatencyHistogram.Buckets earlier, LatencyHistogram.Buckets later) {
    long[] out = later.counts().clone();
    if (earlier == null || earlier.count() > later.count()) {
      return out;
    }
    for (int i = 0; i < out.length && i < earlier.counts().length; i++) {
      out[i] = Math.max(0, out[i] - earlier.counts()[i]);
    }
    return out;
  }

  /** Bucket counts added up (pools and arrays: their volumes'). */
  static long[] plus(long[] a, long[] b) {
    if (a == null) {
      return b.clone();
    }
    long[] out = a.clone();
    for (int i = 0; i < out.length && i < b.length; i++) {
      out[i] += b[i];
    }
    return out;
  }

  /** The {@code q} quantile (0..1) of cumulative {@code counts}, or null when they count nothing. */
  static Long quantileMicros(long[] counts, double q) {
    if (counts == null || counts.length == 0 || counts[counts.length - 1] == 0) {
      return null;
    }
    long[] bounds = LatencyHistogram.BOUNDS_MICROS;
    double rank = q * counts[counts.length - 1];
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] >= rank) {
        if (i >= bounds.length) {
          return bounds[bounds.length - 1]; // beyond the last bound: say the last bound, as Prometheus does
        }
        long lower = i == 0 ? 0 : bounds[i - 1];
        long below = i == 0 ? 0 : counts[i - 1];
        long inBucket = counts[i] - below;
        double share = inBucket == 0 ? 1 : (rank - below) / inBucket;
        return Math.round(lower + (bounds[i] - lower) * share);
      }
    }
    return bounds[bounds.length - 1];
  }
}
