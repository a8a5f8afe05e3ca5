package io.strata.engine.volume;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A RAM disk with a volatile write cache, for crash tests: a write lands in the cache (reads see
 * it) and is durable only after a flush or with FUA. {@link #cutAfterWrites} cuts the power at a
 * given write: that write gets a random part of its blocks into the cache, it and every later I/O
 * fail; {@link #restart} then keeps a random subset of the cached blocks (a disk cache destages
 * in any order; each block is written whole or not at all) and drops the rest, as a machine that
 * lost power would.
 */
final class CrashingDevice implements BlockDevice {
  /** What the device reports once the power is off. */
  static final class PowerLost extends IOException {
    PowerLost() {
      super("power lost");
    }
  }

  private final byte[] durable;
  private final Map<Long, byte[]> cached = new LinkedHashMap<>();
  private final Random random;
  private long writesLeft = -1;
  private boolean off;
  long writes;

  CrashingDevice(long bytes, long seed) {
    this.durable = new byte[(int) bytes];
    this.random = new Random(seed);
  }

  /** Lets {@code n} more writes through, then cuts the power at the next one. */
  synchronized void cutAfterWrites(long n) {
    writesLeft = n;
  }

  synchronized boolean off() {
    return off;
  }

  /** Power back on: a random subset of the cached blocks reached the medium, the rest is lost. */
  synchronized void restart() {
    for (Map.Entry<Long, byte[]> e : cached.entrySet()) {
      if (random.nextBoolean()) {
        System.arraycopy(e.getValue(), 0, durable, (int) (e.getKey() * 512), 512);
      }
    }
    cached.clear();
    off = false;
    writesLeft = -1;
  }

  /** Damages {@code length} bytes at byte {@code offset} of the medium (bit rot). */
  synchronized void corrupt(long offset, int length) {
    for (int i = 0; i < length; i++) {
      durable[(int) offset + i] ^= (byte) 0x5a;
    }
  }

  @Override
  public int blockSize() {
    return 512;
  }

  @Override
  public long blockCount() {
    return durable.length / 512;
  }

  @Override
  public synchronized void read(long lba, ByteBuffer dst) throws IOException {
    check();
    for (long b = lba; dst.hasRemaining(); b++) {
      byte[] block = cached.get(b);
      if (block != null) {
        dst.put(block);
      } else {
        dst.put(durable, (int) (b * 512), 512);
      }
    }
  }

  @Override
  public synchronized void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    check();
    writes++;
    List<byte[]> blocks = new ArrayList<>();
    while (src.hasRemaining()) {
      byte[] block = new byte[512];
      src.get(block);
      blocks.add(block);
    }
    if (writesLeft >= 0 && writesLeft-- == 0) {
      for (int i = 0; i < blocks.size(); i++) {
        if (random.nextBoolean()) {
          cached.put(lba + i, blocks.get(i)); // torn: some blocks of the write got through
        }
      }
      off = true;
      throw new PowerLost();
    }
    for (int i = 0; i < blocks.size(); i++) {
      if (fua) {
        cached.remove(lba + i);
        System.arraycopy(blocks.get(i), 0, durable, (int) ((lba + i) * 512), 512);
      } else {
        cached.put(lba + i, blocks.get(i));
      }
    }
  }

  @Override
  public synchronized void flush() throws IOException {
    check();
    for (Map.Entry<Long, byte[]> e : cached.entrySet()) {
      System.arraycopy(e.getValue(), 0, durable, (int) (e.getKey() * 512), 512);
    }
    cached.clear();
  }

  @Override
  public synchronized void unmap(long lba, long blocks) throws IOException {
    write(lba, ByteBuffer.allocate((int) (blocks * 512)), false);
  }

  private void check() throws IOException {
    if (off) {
      throw new PowerLost();
    }
  }

  @Override
  public void close() {}
}
