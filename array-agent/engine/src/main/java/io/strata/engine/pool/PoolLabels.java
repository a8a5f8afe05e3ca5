package io.strata.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A drive's label area: its first MiB, where a pool keeps its superblock (and a cache or tier
 * its own, at block 0). A pool refuses a drive labelled for another pool, so a drive that leaves
 * a pool has its label cleared: by the engine when a reload removes the pool, by the agent when
 * the array is deleted or the drive no longer lent.
 */
public final class PoolLabels {

  public static final int LABEL_BYTES = (int) (Pool.DATA_OFFSET_BLOCKS * Pool.BLOCK_SIZE);

  private PoolLabels() {}

  /** Zeroes the label area of a closed drive (an image file or a block device) and makes it durable. */
  public static void clear(Path drive) throws IOException {
    try (FileChannel channel = FileChannel.open(drive, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      // A block device's channel says its size is 0: every drive has its first MiB.
      long length = Files.isRegularFile(drive) ? Math.min(LABEL_BYTES, channel.size()) : LABEL_BYTES;
      ByteBuffer zeros = ByteBuffer.allocate((int) length);
      long at = 0;
      while (zeros.hasRemaining()) {
        at += channel.write(zeros, at);
      }
      channel.force(true);
    }
  }
}
