package io.strata.engine.qos;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A volume with IOPS and bandwidth limits: token buckets (Bucket4j) in front of another device.
 *
 * <p>Each request reserves its tokens at once, going into debt if the bucket is short, and then
 * waits out the debt before it runs. Reserving first keeps requests in arrival order (no request
 * starves behind smaller ones) and lets a request larger than the bucket pass after a
 * proportional wait. A request costs one operation and its length in bytes; UNMAP costs one
 * operation; flush is free. Limits can be changed while the volume is in use.
 */
public final class QosLimitedDevice extends ForwardingBlockDevice {
  /** How a request waits; tests substitute a clock that advances instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  private final TimeMeter clock;
  private final Sleeper sleeper;
  private volatile QosLimits limits;
  private volatile Bucket iopsBucket;
  private volatile Bucket bytesBucket;

  public QosLimitedDevice(BlockDevice inner, QosLimits limits) {
    this(inner, limits, TimeMeter.SYSTEM_NANOTIME, TimeUnit.NANOSECONDS::sleep);
  }

  QosLimitedDevice(BlockDevice inner, QosLimits limits, TimeMeter clock, Sleeper sleeper) {
    super(inner);
    this.clock = clock;
    this.sleeper = sleeper;
    setLimits(limits);
  }

  public QosLimits limits() {
    return limits;
  }

  /** Replaces the limits; requests already waiting keep their reservation. */
  public void setLimits(QosLimits newLimits) {
    this.iopsBucket = bucket(newLimits.iops(), newLimits);
    this.bytesBucket = bucket(newLimits.bytesPerSecond(), newLimits);
    this.limits = newLimits;
  }

  private Bucket bucket(long perSecond, QosLimits l) {
    if (perSecond == 0) {
      return null;
    }
    long capacity = Math.max(1, (long) (perSecond * (l.burst().toNanos() / 1e9)));
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(capacity).refillGreedy(perSecond,
            java.time.Duration.ofSeconds(1)))
        .withCustomTimePrecision(clock)
        .build();
  }

  /** Reserves one operation of {@code bytes} and waits until both buckets allow it. */
  private void admit(long bytes) throws IOException {
    Bucket ops = iopsBucket;
    Bucket data = bytesBucket;
    long waitNanos = 0;
    if (ops != null) {
      waitNanos = ops.consumeIgnoringRateLimits(1);
    }
    if (data != null && bytes > 0) {
      waitNanos = Math.max(waitNanos, data.consumeIgnoringRateLimits(bytes));
    }
    if (waitNanos > 0) {
      try {
        sleeper.sleepNanos(waitNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the volume's QoS limit");
      }
    }
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    admit(dst.remaining());
    inner.read(lba, dst);
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    admit(src.remaining());
    inner.write(lba, src, fua);
  }

  /** Costs one operation; flush and the rest are free and pass through. */
  @Override
  public void unmap(long lba, long blocks) throws IOException {
    admit(0);
    inner.unmap(lba, blocks);
  }
}
