package io.strata.engine.drive;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Per-drive I/O counters and a latency histogram (microseconds, 3 significant digits). */
public final class DriveStats {
  private static final long MAX_TRACKED_MICROS = TimeUnit.MINUTES.toMicros(1);

  private final LongAdder reads = new LongAdder();
  private final LongAdder writes = new LongAdder();
  private final LongAdder flushes = new LongAdder();
  private final LongAdder bytesRead = new LongAdder();
  private final LongAdder bytesWritten = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final ConcurrentHistogram readLatency = new ConcurrentHistogram(MAX_TRACKED_MICROS, 3);
  private final ConcurrentHistogram writeLatency = new ConcurrentHistogram(MAX_TRACKED_MICROS, 3);

  /** A copy of the counters at one moment. */
  public record Snapshot(long reads, long writes, long flushes, long bytesRead,
      long bytesWritten, long errors, Histogram readLatencyMicros, Histogram writeLatencyMicros) {}

  void read(long bytes, long nanos) {
    reads.increment();
    bytesRead.add(bytes);
    readLatency.recordValue(clamp(nanos));
  }

  void write(long bytes, long nanos) {
    writes.increment();
    bytesWritten.add(bytes);
    writeLatency.recordValue(clamp(nanos));
  }

  void flush() {
    flushes.increment();
  }

  void error() {
    errors.increment();
  }

  private static long clamp(long nanos) {
    return Math.min(MAX_TRACKED_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos)));
  }

  /** I/O errors so far (without copying the latency histograms as {@link #snapshot} does). */
  public long errors() {
    return errors.sum();
  }

  public Snapshot snapshot() {
    return new Snapshot(reads.sum(), writes.sum(), flushes.sum(), bytesRead.sum(),
        bytesWritten.sum(), errors.sum(), readLatency.copy(), writeLatency.copy());
  }

  /** One line for logs: counts, bytes and p50/p99 latency. */
  public String summary() {
    Snapshot s = snapshot();
    return String.format("reads=%d (%d B, p50 %d us, p99 %d us) writes=%d (%d B, p50 %d us, "
            + "p99 %d us) flushes=%d errors=%d",
        s.reads(), s.bytesRead(), s.readLatencyMicros().getValueAtPercentile(50),
        s.readLatencyMicros().getValueAtPercentile(99), s.writes(), s.bytesWritten(),
        s.writeLatencyMicros().getValueAtPercentile(50),
        s.writeLatencyMicros().getValueAtPercentile(99), s.flushes(), s.errors());
  }
}
