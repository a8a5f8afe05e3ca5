package io.strata.engine.stats;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.Recorder;

/**
 * Latencies of one kind of I/O, recorded on the data path without a lock or an allocation
 * (HdrHistogram's {@link Recorder}: a wait-free record into the active histogram, swapped out by
 * the reader), and folded once a second by the stats writer into cumulative counts at the fixed
 * bounds of {@link #BOUNDS_MICROS} — the shape of a Prometheus histogram, so the agent exports
 * them as {@code _bucket}/{@code _sum}/{@code _count} and anyone can take quantiles over any window
 * from two readings.
 */
public final class LatencyHistogram {

  /** Upper bounds of the buckets in microseconds (1-2.5-5 steps, 25 µs to 10 s); a last bucket is +Inf. */
  public static final long[] BOUNDS_MICROS = {25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
      25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 10_000_000};

  private static final long MAX_TRACKED_MICROS = TimeUnit.MINUTES.toMicros(1);

  // two significant digits: ±1 % on a value, ~10 kB per recorder (the bounds are coarser anyway)
  private final Recorder recorder = new Recorder(MAX_TRACKED_MICROS, 2);
  private Histogram recycled;
  private final long[] cumulative = new long[BOUNDS_MICROS.length + 1];
  private long sumMicros;

  /**
   * One cumulative reading: {@code counts[i]} I/Os took at most {@code BOUNDS_MICROS[i]}; the
   * last element counts all of them (the +Inf bucket); {@code sumMicros} their latencies added.
   */
  public record Buckets(long[] counts, long sumMicros) {
    public static final Buckets EMPTY = new Buckets(new long[BOUNDS_MICROS.length + 1], 0);

    public long count() {
      return counts[counts.length - 1];
    }

    /** This reading plus {@code other} (an array's figures are the sum of its volumes'). */
    public Buckets plus(Buckets other) {
      long[] sum = counts.clone();
      for (int i = 0; i < sum.length && i < other.counts.length; i++) {
        sum[i] += other.counts[i];
      }
      return new Buckets(sum, sumMicros + other.sumMicros);
    }
  }

  /** Records one I/O that took {@code nanos}; called on the data path. */
  public void record(long nanos) {
    recorder.recordValue(Math.min(MAX_TRACKED_MICROS, Math.max(0, nanos / 1000)));
  }

  /** Folds what was recorded since the last call into the cumulative counts; by one thread at a time. */
  public synchronized Buckets fold() {
    recycled = recorder.getIntervalHistogram(recycled);
    for (HistogramIterationValue v : recycled.recordedValues()) {
      long micros = recycled.highestEquivalentValue(v.getValueIteratedTo());
      long n = v.getCountAtValueIteratedTo();
      sumMicros += recycled.medianEquivalentValue(v.getValueIteratedTo()) * n;
      for (int i = bucketOf(micros); i < cumulative.length; i++) {
        cumulative[i] += n;
      }
    }
    return new Buckets(cumulative.clone(), sumMicros);
  }

  private static int bucketOf(long micros) {
    for (int i = 0; i < BOUNDS_MICROS.length; i++) {
      if (micros <= BOUNDS_MICROS[i]) {
        return i;
      }
    }
    return BOUNDS_MICROS.length;
  }
}
