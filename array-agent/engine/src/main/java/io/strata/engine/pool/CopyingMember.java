package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ForwardingBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A healthy pool member being copied onto its replacement ({@link Pool#copyOnto}): it stands in
 * the member's slot while the copy runs. Reads come from the outgoing drive (it holds everything);
 * every data write goes to the outgoing drive and then to the incoming one, so that a row the copy
 * has passed stays current on the incoming drive. Writes into the label area (labels and the
 * write-intent bitmap, below {@link Pool#DATA_OFFSET_BLOCKS}) go to the outgoing drive only: the
 * incoming drive carries no label until the copy is done, so an engine that restarts meanwhile
 * takes it for a blank drive and rebuilds it in full, never trusts a half copy.
 *
 * <p>A failing incoming drive does not fail the member (the outgoing drive still holds
 * everything): the failure is remembered and the copy gives up ({@link #incomingFailure}). A
 * failing outgoing drive fails the I/O, as the member itself would.
 */
final class CopyingMember extends ForwardingBlockDevice {
  private static final Logger LOG = Logger.getLogger(CopyingMember.class.getName());
  private final BlockDevice outgoing;
  private final BlockDevice incoming;
  private volatile IOException incomingFailure;

  CopyingMember(BlockDevice outgoing, BlockDevice incoming) {
    super(outgoing);
    this.outgoing = outgoing;
    this.incoming = incoming;
  }

  BlockDevice outgoing() {
    return outgoing;
  }

  BlockDevice incoming() {
    return incoming;
  }

  /** The incoming drive's first failure, or null while it takes every write. */
  IOException incomingFailure() {
    return incomingFailure;
  }

  // blockSize, blockCount and read: the outgoing drive's (ForwardingBlockDevice)

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    ByteBuffer copy = src.duplicate();
    outgoing.write(lba, src, fua);
    if (lba >= Pool.DATA_OFFSET_BLOCKS) {
      toIncoming(() -> incoming.write(lba, copy, fua));
    }
  }

  @Override
  public void flush() throws IOException {
    outgoing.flush();
    toIncoming(incoming::flush);
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    outgoing.unmap(lba, blocks);
    if (lba >= Pool.DATA_OFFSET_BLOCKS) {
      toIncoming(() -> incoming.unmap(lba, blocks));
    }
  }

  private interface Io {
    void run() throws IOException;
  }

  private void toIncoming(Io io) {
    if (incomingFailure != null) {
      return;
    }
    try {
      io.run();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "the drive a pool member is being copied onto failed; the copy"
          + " stops and the member keeps its drive", e);
      incomingFailure = e;
    }
  }

  /** Closes the outgoing drive only: the incoming one is the pool's (or closed by the copy). */
  @Override
  public void close() throws IOException {
    outgoing.close();
  }
}
