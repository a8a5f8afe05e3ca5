package io.strata.engine.bench;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.LbaStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A device that takes as long as a hard disk would (for benchmarks, not tests).
 *
 * <p>Model: one actuator, so requests are served one at a time in arrival order (a fair lock).
 * A request that starts where the previous one ended costs only its transfer at the sequential
 * rate; any other request first pays a positioning time (seek plus half a rotation, 6 ms by
 * default: a 7200 rpm drive's average random I/O is 4-8 ms). A flush after writes costs one
 * positioning time (the drive's write cache going to the platter). Unmap is free. The data
 * itself goes to the wrapped device (a file), whose own time is hidden inside the modelled time;
 * the file is not fsynced (durability is not what a benchmark measures).
 *
 * <p>{@link #ssd} models a flash device instead: a fixed latency per I/O plus transfer, with no
 * actuator, so concurrent requests overlap.
 */
public final class ThrottledDevice implements BlockDevice {
  private final BlockDevice inner;
  private final long positionNanos;
  private final double nanosPerByte;
  private final ReentrantLock actuator;
  private long nextLba = -1;
  private boolean writtenSinceFlush;
  final LongAdder ios = new LongAdder();
  final LongAdder busyNanos = new LongAdder();

  /**
   * @param positionMillis average positioning time of a random I/O
   * @param sequentialMBps sequential transfer rate in MB/s (10^6 bytes)
   */
  public ThrottledDevice(BlockDevice inner, double positionMillis, double sequentialMBps) {
    this(inner, positionMillis, sequentialMBps, true);
  }

  /** A flash device: {@code latencyMicros} per I/O, no seek, requests overlap. */
  public static ThrottledDevice ssd(BlockDevice inner, double latencyMicros, double mbps) {
    return new ThrottledDevice(inner, latencyMicros / 1000, mbps, false);
  }

  private ThrottledDevice(BlockDevice inner, double positionMillis, double sequentialMBps,
      boolean singleActuator) {
    this.actuator = singleActuator ? new ReentrantLock(true) : null;
    this.inner = inner;
    this.positionNanos = (long) (positionMillis * 1e6);
    this.nanosPerByte = 1e9 / (sequentialMBps * 1e6);
  }

  private void serve(long lba, long bytes, boolean write, IoAction action) throws IOException {
    if (actuator == null) {
      long until = System.nanoTime() + (long) (bytes * nanosPerByte) + positionNanos;
      action.run();
      waitUntil(until);
      ios.increment();
      return;
    }
    actuator.lock();
    try {
      long cost = (long) (bytes * nanosPerByte) + (lba == nextLba ? 0 : positionNanos);
      long until = System.nanoTime() + cost;
      action.run();
      waitUntil(until);
      nextLba = lba + bytes / inner.blockSize();
      writtenSinceFlush |= write;
      ios.increment();
      busyNanos.add(cost);
    } finally {
      actuator.unlock();
    }
  }

  private static void waitUntil(long deadline) {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  @FunctionalInterface
  private interface IoAction {
    void run() throws IOException;
  }

  @Override
  public int blockSize() {
    return inner.blockSize();
  }

  @Override
  public long blockCount() {
    return inner.blockCount();
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    serve(lba, dst.remaining(), false, () -> inner.read(lba, dst));
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    serve(lba, src.remaining(), true, () -> inner.write(lba, src, fua));
  }

  @Override
  public void flush() throws IOException {
    if (actuator == null) {
      return;
    }
    actuator.lock();
    try {
      if (writtenSinceFlush) {
        waitUntil(System.nanoTime() + positionNanos);
        writtenSinceFlush = false;
        nextLba = -1;
        busyNanos.add(positionNanos);
      }
    } finally {
      actuator.unlock();
    }
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    inner.unmap(lba, blocks);
  }

  @Override
  public LbaStatus status(long lba) {
    return inner.status(lba);
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
