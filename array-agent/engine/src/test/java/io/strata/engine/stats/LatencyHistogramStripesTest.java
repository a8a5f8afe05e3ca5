package io.strata.engine.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The per-LUN latency histogram is striped per thread so that two threads recording on one LUN do
 * not share a recorder; what the stats file shows must not change: the reader's merge of the
 * stripes holds exactly what one histogram fed every value would, whatever the threads and values.
 */
class LatencyHistogramStripesTest {

  /** The micros {@link LatencyHistogram#record} keeps of a latency in nanos (clamped to a minute). */
  static long micros(long nanos) {
    return Math.min(60_000_000L, Math.max(0, nanos / 1000));
  }

  /** Records {@code values} from {@code threads} threads at once, thread i taking every i-th value. */
  static void recordFromThreads(LatencyHistogram histogram, List<Long> values, int threads) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Thread> started = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int first = t;
      Thread thread = new Thread(() -> {
        try {
          start.await();
          for (int i = first; i < values.size(); i += threads) {
            histogram.record(values.get(i));
          }
        } catch (Exception e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      });
      thread.start();
      started.add(thread);
    }
    for (Thread thread : started) {
      thread.join();
    }
    assertThat(failures).isEmpty();
  }

  @Property(tries = 60)
  void nThreadsMergedEqualOneHistogramOfTheSameValues(
      @ForAll @Size(max = 3000) List<@LongRange(min = 0, max = 90_000_000_000L) Long> nanos,
      @ForAll @IntRange(min = 1, max = 8) int threads) throws Exception {
    LatencyHistogram striped = new LatencyHistogram();
    recordFromThreads(striped, nanos, threads);
    LatencyHistogram oneThread = new LatencyHistogram();
    Histogram single = new Histogram(60_000_000L, 2);
    for (long n : nanos) {
      oneThread.record(n);
      single.recordValue(micros(n));
    }

    Histogram merged = striped.takeInterval();
    assertThat(merged).isEqualTo(single); // every count at every value, the total, min and max
    assertThat(merged.getTotalCount()).isEqualTo(nanos.size());
    for (double p : new double[] {50, 90, 99, 99.9, 100}) {
      assertThat(merged.getValueAtPercentile(p)).as("p%s", p).isEqualTo(single.getValueAtPercentile(p));
    }
    // the next interval starts empty, and the stats file's buckets are those of one recorder
    assertThat(striped.takeInterval().getTotalCount()).isZero();
    LatencyHistogram restriped = new LatencyHistogram();
    recordFromThreads(restriped, nanos, threads);
    LatencyHistogram.Buckets expected = oneThread.fold();
    LatencyHistogram.Buckets actual = restriped.fold();
    assertThat(actual.counts()).containsExactly(expected.counts());
    assertThat(actual.sumMicros()).isEqualTo(expected.sumMicros());
  }

  @Property(tries = 30)
  void foldsAccumulateAcrossIntervalsAsBefore(
      @ForAll @Size(max = 500) List<@LongRange(min = 0, max = 20_000_000_000L) Long> first,
      @ForAll @Size(max = 500) List<@LongRange(min = 0, max = 20_000_000_000L) Long> second,
      @ForAll @IntRange(min = 2, max = 6) int threads) throws Exception {
    LatencyHistogram striped = new LatencyHistogram();
    LatencyHistogram oneThread = new LatencyHistogram();
    recordFromThreads(striped, first, threads);
    first.forEach(oneThread::record);
    striped.fold();
    oneThread.fold();
    recordFromThreads(striped, second, threads);
    second.forEach(oneThread::record);
    LatencyHistogram.Buckets expected = oneThread.fold();
    LatencyHistogram.Buckets actual = striped.fold();
    assertThat(actual.counts()).containsExactly(expected.counts());
    assertThat(actual.count()).isEqualTo(first.size() + second.size());
    assertThat(actual.sumMicros()).isEqualTo(expected.sumMicros());
  }

  @Test
  void twoThreadsOnOneLunRecordIntoTwoRecorders() throws Exception {
    // the old histogram had one recorder for all threads, whose cache lines two cores then bounced
    LatencyHistogram histogram = new LatencyHistogram();
    Runnable recordOne = () -> histogram.record(1_000_000);
    Thread a = new Thread(recordOne);
    Thread b = new Thread(recordOne);
    for (int tries = 0; tries < 64 && LatencyHistogram.stripeIndex(b) == LatencyHistogram.stripeIndex(a); tries++) {
      b = new Thread(recordOne); // a thread's id is fixed when it is made; the next ids differ in their low bits
    }
    assertThat(LatencyHistogram.stripeIndex(b)).isNotEqualTo(LatencyHistogram.stripeIndex(a));
    for (Thread t : new Thread[] {a, b}) {
      t.start();
      t.join();
    }
    assertThat(histogram.stripesInUse()).isEqualTo(2);
    assertThat(histogram.fold().count()).isEqualTo(2);
  }

  @Test
  void stripesAreTwoPerCoreAsAPowerOfTwoAndBounded() {
    assertThat(LatencyHistogram.stripesFor(1)).isEqualTo(2);
    assertThat(LatencyHistogram.stripesFor(2)).isEqualTo(4);
    assertThat(LatencyHistogram.stripesFor(3)).isEqualTo(8);
    assertThat(LatencyHistogram.stripesFor(64)).isEqualTo(LatencyHistogram.MAX_STRIPES);
  }
}
