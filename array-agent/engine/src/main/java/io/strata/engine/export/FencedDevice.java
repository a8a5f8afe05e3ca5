package io.strata.engine.export;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An exported drive as its LUN sees it: every I/O runs under a shared lock, so that {@link
 * #drain} can wait for the I/O already running. Fencing an export closes the sessions of older
 * epochs (their queued commands are aborted) and then drains, so a write an old engine had
 * started is on the drive before the export says the new epoch applies, never after.
 */
final class FencedDevice extends ForwardingBlockDevice {
  private final ReentrantReadWriteLock running = new ReentrantReadWriteLock();

  FencedDevice(BlockDevice drive) {
    super(drive);
  }

  /** Returns once every I/O that had started when it was called has finished. */
  void drain() {
    running.writeLock().lock();
    running.writeLock().unlock();
  }

  /** One I/O on the drive. */
  private interface Io {
    void run() throws IOException;
  }

  private void whileNotDraining(Io io) throws IOException {
    running.readLock().lock();
    try {
      io.run();
    } finally {
      running.readLock().unlock();
    }
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    whileNotDraining(() -> inner.read(lba, dst));
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    whileNotDraining(() -> inner.write(lba, src, fua));
  }

  @Override
  public void flush() throws IOException {
    whileNotDraining(inner::flush);
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    whileNotDraining(() -> inner.unmap(lba, blocks));
  }

  /** The drive is closed by the service (it owns it), not by the LUN. */
  @Override
  public void close() {}
}
