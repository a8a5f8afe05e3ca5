package io.strata.engine.fake;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Wraps a device and, once {@link #pull} is called, fails every I/O as a pulled or dead drive
 * would (pool tests pull a mirror or parity member; cache tests pull the cache SSD).
 */
public final class FailingDevice extends ForwardingBlockDevice {
  private volatile boolean pulled;
  /** Runs inside {@link #flush} before it flushes (tests use it to race a destage). */
  public volatile Runnable onFlush;

  public FailingDevice(BlockDevice inner) {
    super(inner);
  }

  public void pull() {
    pulled = true;
  }

  private void check() throws IOException {
    if (pulled) {
      throw new IOException("device removed");
    }
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    check();
    inner.read(lba, dst);
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    check();
    inner.write(lba, src, fua);
  }

  @Override
  public void flush() throws IOException {
    Runnable hook = onFlush;
    if (hook != null) {
      onFlush = null;
      hook.run();
    }
    check();
    inner.flush();
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    check();
    inner.unmap(lba, blocks);
  }
}
