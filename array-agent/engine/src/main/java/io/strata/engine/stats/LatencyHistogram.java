package io.strata.engine.stats;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
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
 *
 * <p>Striped: a recorder per stripe, a thread records into the stripe its thread id picks, and
 * the reader merges the stripes' interval histograms into one before folding. One shared recorder
 * made two threads recording on the same LUN bounce its phaser's and counts' cache lines between
 * the cores (303-349 ns per I/O instead of 77, docs/benchmarks/observability.md); with a stripe
 * each they do not. A stripe's recorder is made on its first record, so a LUN served by one thread
 * holds one; at most {@link #STRIPES} (two per core rounded up to a power of two, at most 16), about
 * 42 kB each (its recorder's two histograms), plus the reader's 21 kB merge histogram. Two threads
 * whose ids pick the same stripe share it as before: still correct (a {@link Recorder} takes any
 * number of writers), only slower.
 */
public final class LatencyHistogram {

  /** Upper bounds of the buckets in microseconds (1-2.5-5 steps, 25 µs to 10 s); a last bucket is +Inf. */
  public static final long[] BOUNDS_MICROS = {25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
      25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 10_000_000};

  private static final long MAX_TRACKED_MICROS = TimeUnit.MINUTES.toMicros(1);

  /** Two significant digits: ±1 % on a value (the bounds are coarser anyway); ~21 kB a histogram. */
  private static final int SIGNIFICANT_DIGITS = 2;

  /** Bounds a LUN's latency memory on a many-core node: 16 stripes × 2 directions × ~42 kB. */
  static final int MAX_STRIPES = 16;

  /** Stripes per histogram: a power of two (so {@link #stripeIndex} is a mask), two per core up to 16. */
  static final int STRIPES = stripesFor(Runtime.getRuntime().availableProcessors());

  /** Per stripe, its recorder once a thread has recorded there (made lazily: most LUNs see few threads). */
  private final AtomicReferenceArray<Recorder> stripes = new AtomicReferenceArray<>(STRIPES);
  // the reader's side, under the monitor: each stripe's last interval (recycled), and their merge
  private final Histogram[] recycled = new Histogram[STRIPES];
  private final Histogram merged = new Histogram(MAX_TRACKED_MICROS, SIGNIFICANT_DIGITS);
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
    stripeOf(Thread.currentThread()).recordValue(Math.min(MAX_TRACKED_MICROS, Math.max(0, nanos / 1000)));
  }

  /** Folds what was recorded since the last call into the cumulative counts; by one thread at a time. */
  public synchronized Buckets fold() {
    Histogram interval = takeInterval();
    for (HistogramIterationValue v : interval.recordedValues()) {
      long micros = interval.highestEquivalentValue(v.getValueIteratedTo());
      long n = v.getCountAtValueIteratedTo();
      sumMicros += interval.medianEquivalentValue(v.getValueIteratedTo()) * n;
      for (int i = bucketOf(micros); i < cumulative.length; i++) {
        cumulative[i] += n;
      }
    }
    return new Buckets(cumulative.clone(), sumMicros);
  }

  /**
   * What all stripes recorded since the last call, merged: the same histogram one recorder would
   * have held (in microseconds). Valid until the next call; under the monitor.
   */
  synchronized Histogram takeInterval() {
    merged.reset();
    for (int i = 0; i < STRIPES; i++) {
      Recorder stripe = stripes.get(i);
      if (stripe != null) {
        recycled[i] = stripe.getIntervalHistogram(recycled[i]);
        merged.add(recycled[i]);
      }
    }
    return merged;
  }

  /** How many stripes have a recorder (threads that picked distinct stripes have recorded). */
  int stripesInUse() {
    int n = 0;
    for (int i = 0; i < STRIPES; i++) {
      n += stripes.get(i) == null ? 0 : 1;
    }
    return n;
  }

  /** The stripe a thread records into: its id masked, so threads made one after another get distinct stripes. */
  @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+; the engine builds for 17
  static int stripeIndex(Thread thread) {
    return (int) thread.getId() & (STRIPES - 1);
  }

  private Recorder stripeOf(Thread thread) {
    int i = stripeIndex(thread);
    Recorder stripe = stripes.get(i);
    if (stripe == null) { // once per stripe for the histogram's life
      stripes.compareAndSet(i, null, new Recorder(MAX_TRACKED_MICROS, SIGNIFICANT_DIGITS));
      stripe = stripes.get(i);
    }
    return stripe;
  }

  /** Two per core rounded up to a power of two, at most {@link #MAX_STRIPES}. */
  static int stripesFor(int cores) {
    int atLeast = Math.min(MAX_STRIPES, 2 * Math.max(1, cores));
    return Integer.highestOneBit(atLeast - 1) << 1;
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
