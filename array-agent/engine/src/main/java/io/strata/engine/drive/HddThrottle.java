package io.strata.engine.drive;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes a fast file behave like one spinning disk, for tests and benchmarks: one head (I/Os are
 * served one at a time, in arrival order), a fixed penalty whenever an I/O does not start where
 * the previous one ended (a seek plus rotational delay), a media transfer rate, and a flush
 * after writes that costs one more positioning (the drive's write cache going to the platter).
 * A 7200 rpm disk is roughly {@code new HddThrottle(8_000, 150 << 20)}: 8 ms per random I/O
 * (about 125 IOPS) and 150 MiB/s.
 *
 * <p>{@link #flash} models an SSD instead: a fixed latency per I/O plus its transfer, with no
 * head, so concurrent I/Os overlap, and free flushes. {@link Drive} applies a throttle to its
 * own I/O; {@link #wrap} applies it to any device (the benchmarks throttle page-cache files).
 */
public final class HddThrottle {
  private final long seekNanos;
  private final long bytesPerSecond;
  /** Null for flash: no head, I/Os overlap. Fair: requests are served in arrival order. */
  private final ReentrantLock head;
  private long headPosition = -1;
  private boolean writtenSinceFlush;

  /**
   * @param seekMicros added latency of an I/O that is not sequential to the previous one
   * @param bytesPerSecond transfer rate; 0 means unlimited
   */
  public HddThrottle(long seekMicros, long bytesPerSecond) {
    this(seekMicros, bytesPerSecond, true);
  }

  private HddThrottle(long seekMicros, long bytesPerSecond, boolean oneHead) {
    if (seekMicros < 0 || bytesPerSecond < 0) {
      throw new IllegalArgumentException("throttle figures must not be negative");
    }
    this.seekNanos = TimeUnit.MICROSECONDS.toNanos(seekMicros);
    this.bytesPerSecond = bytesPerSecond;
    this.head = oneHead ? new ReentrantLock(true) : null;
  }

  /** A flash device: {@code latencyMicros} per I/O plus transfer; I/Os overlap. */
  public static HddThrottle flash(long latencyMicros, long bytesPerSecond) {
    return new HddThrottle(latencyMicros, bytesPerSecond, false);
  }

  public long seekMicros() {
    return TimeUnit.NANOSECONDS.toMicros(seekNanos);
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  private long transferNanos(long bytes) {
    return bytesPerSecond == 0 ? 0 : bytes * 1_000_000_000L / bytesPerSecond;
  }

  /** The time a read of {@code bytes} at byte {@code position} takes. */
  void occupy(long position, long bytes) {
    occupy(position, bytes, false);
  }

  /** The time an I/O of {@code bytes} at byte {@code position} takes, serialised like a head. */
  void occupy(long position, long bytes, boolean write) {
    if (head == null) {
      waitFor(seekNanos + transferNanos(bytes));
      return;
    }
    head.lock();
    try {
      long nanos = transferNanos(bytes);
      if (position != headPosition) {
        nanos += seekNanos;
      }
      headPosition = position + bytes;
      writtenSinceFlush |= write;
      waitFor(nanos);
    } finally {
      head.unlock();
    }
  }

  /** A flush: after writes, one positioning time; the head's position is then unknown. */
  void flush() {
    if (head == null) {
      return;
    }
    head.lock();
    try {
      if (writtenSinceFlush) {
        waitFor(seekNanos);
        writtenSinceFlush = false;
        headPosition = -1;
      }
    } finally {
      head.unlock();
    }
  }

  private static void waitFor(long nanos) {
    long until = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = until - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  /** {@code inner} with this throttle's timing on every read, write and flush. */
  public BlockDevice wrap(BlockDevice inner) {
    int blockSize = inner.blockSize();
    return new ForwardingBlockDevice(inner) {
      @Override
      public void read(long lba, ByteBuffer dst) throws IOException {
        occupy(lba * blockSize, dst.remaining(), false);
        inner.read(lba, dst);
      }

      @Override
      public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
        occupy(lba * blockSize, src.remaining(), true);
        inner.write(lba, src, fua);
        if (fua) {
          HddThrottle.this.flush();
        }
      }

      @Override
      public void flush() throws IOException {
        HddThrottle.this.flush();
        inner.flush();
      }
    };
  }
}
