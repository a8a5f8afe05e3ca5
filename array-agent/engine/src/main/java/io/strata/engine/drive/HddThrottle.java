package io.strata.engine.drive;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Makes a fast file behave like one spinning disk, for tests and benchmarks: one head (I/Os are
 * served one at a time), a fixed penalty whenever an I/O does not start where the previous one
 * ended (a seek plus rotational delay), and a media transfer rate. A 7200 rpm disk is roughly
 * {@code new HddThrottle(8_000, 150 << 20)}: 8 ms per random I/O (about 125 IOPS) and 150 MiB/s.
 */
public final class HddThrottle {
  private final long seekNanos;
  private final long bytesPerSecond;
  private long headPosition = -1;

  /**
   * @param seekMicros added latency of an I/O that is not sequential to the previous one
   * @param bytesPerSecond transfer rate; 0 means unlimited
   */
  public HddThrottle(long seekMicros, long bytesPerSecond) {
    if (seekMicros < 0 || bytesPerSecond < 0) {
      throw new IllegalArgumentException("throttle figures must not be negative");
    }
    this.seekNanos = TimeUnit.MICROSECONDS.toNanos(seekMicros);
    this.bytesPerSecond = bytesPerSecond;
  }

  public long seekMicros() {
    return TimeUnit.NANOSECONDS.toMicros(seekNanos);
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  /** The time an I/O of {@code bytes} at byte {@code position} takes, serialised like a head. */
  synchronized void occupy(long position, long bytes) {
    long nanos = 0;
    if (position != headPosition) {
      nanos += seekNanos;
    }
    if (bytesPerSecond > 0) {
      nanos += bytes * 1_000_000_000L / bytesPerSecond;
    }
    headPosition = position + bytes;
    long until = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = until - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }
}
