package io.strata.engine.pool;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** No protection: the drives' capacities one after the other. Losing a drive loses the pool. */
public final class ConcatPool extends Pool {
  private final long[] starts;
  private final long blockCount;

  private ConcatPool(String name, List<BlockDevice> members) {
    super(name, Protection.NONE, members);
    starts = new long[members.size() + 1];
    for (int i = 0; i < members.size(); i++) {
      BlockDevice m = members.get(i);
      long usable = m == null ? 0
          : (m.blockCount() - DATA_OFFSET_BLOCKS) / ROW_BLOCKS * ROW_BLOCKS;
      starts[i + 1] = starts[i] + Math.max(0, usable);
    }
    blockCount = starts[members.size()];
  }

  static ConcatPool open(String name, List<BlockDevice> members) throws IOException {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a pool needs at least one drive");
    }
    ConcatPool pool = new ConcatPool(name, members);
    pool.assemble();
    return pool;
  }

  @Override
  protected int redundancy() {
    return 0;
  }

  /** Nothing to agree on: each block has one copy (the pool keeps no write-intent bitmap). */
  @Override
  protected boolean canResync() {
    return true;
  }

  @Override
  protected void resyncRow(long row) {}

  @Override
  protected void rebuildRow(int target, long row) throws IOException {
    throw new IOException("a pool without protection cannot rebuild a drive");
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  private int memberOf(long lba) {
    for (int i = 0; i < memberCount(); i++) {
      if (lba < starts[i + 1]) {
        return i;
      }
    }
    return memberCount() - 1;
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    checkRange(lba, dst.remaining());
    while (dst.hasRemaining()) {
      int i = memberOf(lba);
      int blocks = (int) Math.min(dst.remaining() / BLOCK_SIZE, starts[i + 1] - lba);
      ByteBuffer piece = dst.duplicate().limit(dst.position() + blocks * BLOCK_SIZE);
      try {
        member(i).read(DATA_OFFSET_BLOCKS + lba - starts[i], piece);
      } catch (IOException e) {
        fail(i, e);
        throw e;
      }
      dst.position(piece.limit());
      lba += blocks;
    }
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    checkRange(lba, src.remaining());
    while (src.hasRemaining()) {
      int i = memberOf(lba);
      int blocks = (int) Math.min(src.remaining() / BLOCK_SIZE, starts[i + 1] - lba);
      ByteBuffer piece = src.duplicate().limit(src.position() + blocks * BLOCK_SIZE);
      try {
        member(i).write(DATA_OFFSET_BLOCKS + lba - starts[i], piece, fua);
      } catch (IOException e) {
        fail(i, e);
        throw e;
      }
      src.position(piece.limit());
      lba += blocks;
    }
  }
}
