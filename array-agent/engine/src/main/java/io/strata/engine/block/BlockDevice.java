package io.strata.engine.block;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A range of logical blocks that can be read, written, flushed and unmapped.
 *
 * <p>Every layer of the block stack is one of these (a drive, a RAID pool, a flash cache, a tier,
 * a thin volume), and most wrap another: the SCSI layer sees only this interface, so it never
 * knows what sits below it.
 *
 * <p>Durability contract: when {@link #write} returns, the data survives a crash of this process
 * (at least in the kernel's page cache); when it returns with {@code fua} set, or after {@link
 * #flush} returns, it survives a crash of the machine.
 */
public interface BlockDevice extends Closeable {

  /** Bytes per logical block; a power of two, 512 or 4096. */
  int blockSize();

  /** Number of logical blocks; may grow while the device is open (online resize). */
  long blockCount();

  /** Reads {@code dst.remaining()} bytes (a whole number of blocks) starting at {@code lba}. */
  void read(long lba, ByteBuffer dst) throws IOException;

  /** Writes {@code src.remaining()} bytes (a whole number of blocks) starting at {@code lba}. */
  void write(long lba, ByteBuffer src, boolean fua) throws IOException;

  /**
   * Starts a write for a caller that has other writes to issue meanwhile (a mirror writing its
   * copies at once) and returns without waiting where the device can ({@link
   * #writesInBackground}); {@code src} must not change until the write is awaited. By default the
   * write is done here, before this returns.
   */
  default PendingWrite startWrite(long lba, ByteBuffer src, boolean fua) {
    try {
      write(lba, src, fua);
      return PendingWrite.DONE;
    } catch (IOException e) {
      return PendingWrite.failed(e);
    }
  }

  /**
   * Whether {@link #startWrite} returns before the write is done (a drive on another node, whose
   * write is a network round trip): a mirror starts those before it writes its other copies.
   */
  default boolean writesInBackground() {
    return false;
  }

  /** Makes every write that has returned durable on stable storage. */
  void flush() throws IOException;

  /**
   * Deallocates {@code blocks} blocks from {@code lba}; afterwards they read as zeros. A device
   * that cannot deallocate writes zeros instead.
   */
  void unmap(long lba, long blocks) throws IOException;

  /** Whether blocks are allocated on first write (thin provisioning) rather than up front. */
  default boolean thinProvisioned() {
    return false;
  }

  /** Whether writes are refused (a snapshot exposed as a LUN); the SCSI layer reports it. */
  default boolean readOnly() {
    return false;
  }

  /**
   * The provisioning state of the run of blocks that starts at {@code lba}: whether it is mapped
   * and how many blocks share that state. A thick device is mapped everywhere.
   */
  default LbaStatus status(long lba) {
    return new LbaStatus(lba, blockCount() - lba, true);
  }
}
