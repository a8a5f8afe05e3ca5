package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import java.nio.ByteBuffer;

/**
 * A drive in memory for pool tests: what is written stays (as in the page cache after a process
 * is killed), and {@link #copy} snapshots it so one set of written drives can be lost in many
 * different ways.
 */
final class RamDevice implements BlockDevice {
  private final byte[] bytes;

  RamDevice(long sizeBytes) {
    this(new byte[Math.toIntExact(sizeBytes)]);
  }

  private RamDevice(byte[] bytes) {
    this.bytes = bytes;
  }

  RamDevice copy() {
    return new RamDevice(bytes.clone());
  }

  @Override
  public int blockSize() {
    return 512;
  }

  @Override
  public long blockCount() {
    return bytes.length / 512;
  }

  @Override
  public void read(long lba, ByteBuffer dst) {
    dst.put(bytes, Math.toIntExact(lba * 512), dst.remaining());
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) {
    src.duplicate().get(bytes, Math.toIntExact(lba * 512), src.remaining());
  }

  @Override
  public void flush() {}

  @Override
  public void unmap(long lba, long blocks) {
    java.util.Arrays.fill(bytes, Math.toIntExact(lba * 512), Math.toIntExact((lba + blocks) * 512),
        (byte) 0);
  }

  @Override
  public void close() {}
}
