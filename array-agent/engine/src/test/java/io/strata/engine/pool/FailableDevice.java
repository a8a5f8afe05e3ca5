package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A device that can be made to fail every I/O, as a pulled or dead drive does. */
final class FailableDevice implements BlockDevice {
  private final BlockDevice inner;
  volatile boolean dead;

  FailableDevice(BlockDevice inner) {
    this.inner = inner;
  }

  private void check() throws IOException {
    if (dead) {
      throw new IOException("drive is gone (injected failure)");
    }
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
    check();
    inner.flush();
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    check();
    inner.unmap(lba, blocks);
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
