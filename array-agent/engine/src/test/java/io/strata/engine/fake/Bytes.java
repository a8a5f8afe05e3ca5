package io.strata.engine.fake;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;

/** Test data: a reproducible random pattern per seed, and a device's bytes read back. */
public final class Bytes {
  private Bytes() {}

  /** {@code bytes} random bytes, the same for the same seed. */
  public static ByteBuffer pattern(int seed, int bytes) {
    byte[] b = new byte[bytes];
    new Random(seed).nextBytes(b);
    return ByteBuffer.wrap(b);
  }

  /** {@code bytes} read from {@code dev} at {@code lba}. */
  public static byte[] read(BlockDevice dev, long lba, int bytes) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    dev.read(lba, b);
    return b.array();
  }
}
