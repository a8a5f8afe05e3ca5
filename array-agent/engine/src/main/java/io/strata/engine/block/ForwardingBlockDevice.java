package io.strata.engine.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A {@link BlockDevice} that passes every call to the device it wraps. Decorators that change
 * only a few calls (QoS limits, HDD emulation, fault injection in tests) extend it and override
 * just those, so a call they do not mean to change (a new one of {@link BlockDevice} too) is
 * never silently answered by the interface's default instead of the wrapped device. SPDK's
 * pass-through bdev is the model: the same interface, one layer more.
 */
public abstract class ForwardingBlockDevice implements BlockDevice {
  /** The wrapped device. */
  protected final BlockDevice inner;

  protected ForwardingBlockDevice(BlockDevice inner) {
    this.inner = Objects.requireNonNull(inner, "inner");
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
    inner.read(lba, dst);
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    inner.write(lba, src, fua);
  }

  @Override
  public void flush() throws IOException {
    inner.flush();
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    inner.unmap(lba, blocks);
  }

  @Override
  public boolean thinProvisioned() {
    return inner.thinProvisioned();
  }

  @Override
  public boolean readOnly() {
    return inner.readOnly();
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
