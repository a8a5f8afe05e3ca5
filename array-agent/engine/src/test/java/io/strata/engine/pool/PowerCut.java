package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault injection for crash tests: devices wrapped by one {@code PowerCut} share a switch that,
 * once {@link #afterDataWrites armed}, lets a given number of writes into the pools' data area
 * (past the label area) through and then cuts the power: the next write is not done and every
 * later I/O on any of the devices fails with {@link PowerLost}. The pool that was running is then
 * dead, as after SIGKILL or a power loss; a test "restarts" by opening a new pool on the same
 * underlying devices.
 */
final class PowerCut {
  /** What a device reports once the power is off (not an IOException: no drive failed). */
  static final class PowerLost extends RuntimeException {
    PowerLost() {
      super("power lost");
    }
  }

  private final AtomicInteger writesLeft = new AtomicInteger(-1);
  private volatile boolean off;

  /** Lets {@code writes} data-area writes through, then cuts the power at the next one. */
  void afterDataWrites(int writes) {
    writesLeft.set(writes);
  }

  boolean off() {
    return off;
  }

  BlockDevice wrap(BlockDevice inner) {
    return new ForwardingBlockDevice(inner) {
      private void check() {
        if (off) {
          throw new PowerLost();
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
        if (lba >= Pool.DATA_OFFSET_BLOCKS && writesLeft.get() >= 0
            && writesLeft.getAndDecrement() == 0) {
          off = true;
          throw new PowerLost();
        }
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

      /** The drives outlive the dead pool: a "restarted" one opens them again. */
      @Override
      public void close() {}
    };
  }
}
