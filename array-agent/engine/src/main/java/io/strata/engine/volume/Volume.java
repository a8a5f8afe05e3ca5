package io.strata.engine.volume;

import static io.strata.engine.volume.MetadataState.BLOCK_SIZE;
import static io.strata.engine.volume.MetadataState.EXTENT_BLOCKS;
import static io.strata.engine.volume.MetadataState.EXTENT_BYTES;
import static io.strata.engine.volume.MetadataState.UNMAPPED;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.ExtentSharing;
import io.strata.engine.block.LbaStatus;
import io.strata.engine.volume.MetadataRecord.Map;
import io.strata.engine.volume.MetadataState.Kind;
import io.strata.engine.volume.MetadataState.Obj;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A volume, clone or snapshot of a {@link VolumeStore} as a {@link BlockDevice}.
 *
 * <p>A write to an extent this object alone maps goes in place. A write to an unmapped extent,
 * or to one it shares with a snapshot or clone, is redirected: a new physical extent receives
 * the old content (or zeros) with the write laid over it, is made durable, and only then does a
 * journaled map record point the volume at it. A crash before that record leaves the old map,
 * which is right because the write was not acknowledged.
 *
 * <p>Deallocation is per whole extent: UNMAP of a whole extent drops it from the map (it reads as
 * zeros and GET LBA STATUS reports it deallocated); UNMAP of part of an extent writes zeros.
 */
public final class Volume implements BlockDevice, ExtentSharing {
  private final VolumeStore store;
  private final Obj obj;
  private final VolumeStore.Handle handle;
  /** This pool's copy itself, even while the volume moves (a {@link VolumeMove}'s own access). */
  private final boolean copy;

  Volume(VolumeStore store, Obj obj, VolumeStore.Handle handle, boolean copy) {
    this.store = store;
    this.obj = obj;
    this.handle = handle;
    this.copy = copy;
  }

  /** Under the object's read lock: where the I/O goes while the volume moves, or null. */
  private BlockDevice moving() {
    return copy ? null : handle.redirect;
  }

  public String name() {
    return obj.name();
  }

  public boolean snapshot() {
    return obj.kind() == Kind.SNAPSHOT;
  }

  @Override
  public int blockSize() {
    return BLOCK_SIZE;
  }

  @Override
  public long blockCount() {
    return obj.sizeBytes / BLOCK_SIZE;
  }

  @Override
  public boolean thinProvisioned() {
    return !obj.thick();
  }

  @Override
  public boolean readOnly() {
    return snapshot();
  }

  private void checkRange(long lba, long bytes) throws IOException {
    if (obj.deleted) {
      throw new IOException("'" + obj.name() + "' was deleted");
    }
    if (bytes % BLOCK_SIZE != 0) {
      throw new IllegalArgumentException(bytes + " bytes is not a whole number of blocks");
    }
    long blocks = bytes / BLOCK_SIZE;
    long count = blockCount();
    if (lba < 0 || lba > count || blocks > count - lba) {
      throw new IllegalArgumentException("blocks " + lba + "+" + blocks + " outside '"
          + obj.name() + "' of " + count + " blocks");
    }
  }

  private long poolLba(long physical, long offsetBlocks) {
    return store.extentLba(physical) + offsetBlocks;
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    Lock objectLock = handle.object.readLock();
    objectLock.lock();
    try {
      BlockDevice moving = moving();
      if (moving != null) {
        moving.read(lba, dst);
        return;
      }
      checkRange(lba, dst.remaining());
      while (dst.hasRemaining()) {
        long extent = lba / EXTENT_BLOCKS;
        long offset = lba % EXTENT_BLOCKS;
        int blocks = (int) Math.min(dst.remaining() / BLOCK_SIZE, EXTENT_BLOCKS - offset);
        ByteBuffer piece = dst.duplicate().limit(dst.position() + blocks * BLOCK_SIZE);
        Lock stripe = handle.stripe(extent).readLock();
        stripe.lock();
        try {
          long pe = obj.map[(int) extent];
          if (pe == UNMAPPED) {
            while (piece.hasRemaining()) {
              piece.put((byte) 0);
            }
          } else {
            store.pool.read(poolLba(pe, offset), piece);
          }
        } finally {
          stripe.unlock();
        }
        dst.position(dst.position() + blocks * BLOCK_SIZE);
        lba += blocks;
      }
    } finally {
      objectLock.unlock();
    }
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    if (readOnly()) {
      throw new IOException("snapshot '" + obj.name() + "' is read-only");
    }
    Lock objectLock = handle.object.readLock();
    objectLock.lock();
    try {
      BlockDevice moving = moving();
      if (moving != null) {
        moving.write(lba, src, fua);
        return;
      }
      checkRange(lba, src.remaining());
      while (src.hasRemaining()) {
        long extent = lba / EXTENT_BLOCKS;
        long offset = lba % EXTENT_BLOCKS;
        int blocks = (int) Math.min(src.remaining() / BLOCK_SIZE, EXTENT_BLOCKS - offset);
        ByteBuffer piece = src.duplicate().limit(src.position() + blocks * BLOCK_SIZE);
        writePiece(extent, offset, piece, fua);
        src.position(src.position() + blocks * BLOCK_SIZE);
        lba += blocks;
      }
    } finally {
      objectLock.unlock();
    }
  }

  private boolean exclusive(long pe) {
    return pe != UNMAPPED && store.state.refs(pe) == 1;
  }

  private void writePiece(long extent, long offset, ByteBuffer piece, boolean fua)
      throws IOException {
    ReentrantReadWriteLock stripe = handle.stripe(extent);
    stripe.readLock().lock();
    try {
      long pe = obj.map[(int) extent];
      if (exclusive(pe)) {
        store.pool.write(poolLba(pe, offset), piece, fua);
        return;
      }
    } finally {
      stripe.readLock().unlock();
    }
    stripe.writeLock().lock();
    try {
      long pe = obj.map[(int) extent];
      if (exclusive(pe)) {
        store.pool.write(poolLba(pe, offset), piece, fua);
      } else {
        redirect(extent, pe, offset, piece);
      }
    } finally {
      stripe.writeLock().unlock();
    }
  }

  /** Under the extent's exclusive lock: the write goes to a new extent, then the map moves. */
  private void redirect(long extent, long old, long offset, ByteBuffer piece) throws IOException {
    long fresh = store.allocate(obj, extent);
    try {
      // Before the write: the whole extent is about to be overwritten, so a tiered pool can put
      // it straight on a pinned volume's tier without copying what it held.
      store.placeFresh(obj.name(), fresh);
      ByteBuffer whole = ByteBuffer.allocate(EXTENT_BYTES);
      boolean overwritesAll = offset == 0 && piece.remaining() == EXTENT_BYTES;
      if (old != UNMAPPED && !overwritesAll) {
        store.pool.read(poolLba(old, 0), whole);
      }
      whole.position((int) offset * BLOCK_SIZE);
      whole.put(piece);
      whole.clear();
      // Durable before the map points at it: after a power loss the map must never lead to an
      // extent whose content is still whatever it held before.
      store.pool.write(poolLba(fresh, 0), whole, true);
    } catch (IOException | RuntimeException e) {
      store.abandon(fresh);
      throw e;
    }
    store.commit(new Map(obj.name(), extent, fresh));
  }

  @Override
  public void flush() throws IOException {
    BlockDevice moving = moving();
    if (moving != null) {
      moving.flush();
      return;
    }
    store.pool.flush();
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    if (readOnly()) {
      throw new IOException("snapshot '" + obj.name() + "' is read-only");
    }
    Lock objectLock = handle.object.readLock();
    objectLock.lock();
    try {
      BlockDevice moving = moving();
      if (moving != null) {
        moving.unmap(lba, blocks);
        return;
      }
      checkRange(lba, blocks * BLOCK_SIZE);
      long end = lba + blocks;
      long count = blockCount();
      ByteBuffer zeros = null;
      while (lba < end) {
        long extent = lba / EXTENT_BLOCKS;
        long offset = lba % EXTENT_BLOCKS;
        long n = Math.min(end - lba, EXTENT_BLOCKS - offset);
        boolean wholeExtent = offset == 0 && (n == EXTENT_BLOCKS || lba + n == count);
        if (wholeExtent) {
          deallocate(extent);
        } else if (obj.map[(int) extent] != UNMAPPED) {
          if (zeros == null) {
            zeros = ByteBuffer.allocate(EXTENT_BYTES);
          }
          writePiece(extent, offset, zeros.clear().limit((int) n * BLOCK_SIZE), false);
        }
        lba += n;
      }
    } finally {
      objectLock.unlock();
    }
  }

  private void deallocate(long extent) throws IOException {
    Lock stripe = handle.stripe(extent).writeLock();
    stripe.lock();
    try {
      if (obj.map[(int) extent] != UNMAPPED) {
        store.commit(new Map(obj.name(), extent, UNMAPPED));
      }
    } finally {
      stripe.unlock();
    }
  }

  @Override
  public LbaStatus status(long lba) {
    long count = blockCount();
    if (lba < 0 || lba >= count) {
      throw new IllegalArgumentException("LBA " + lba + " outside 0.." + (count - 1));
    }
    BlockDevice moving = moving();
    if (moving != null) {
      return moving.status(lba);
    }
    if (obj.thick()) {
      return new LbaStatus(lba, count - lba, true); // its extents are reserved: never unmapped
    }
    Lock objectLock = handle.object.readLock();
    objectLock.lock();
    try {
      long[] map = obj.map;
      long extent = lba / EXTENT_BLOCKS;
      boolean mapped = map[(int) extent] != UNMAPPED;
      long next = extent + 1;
      while (next * EXTENT_BLOCKS < count && (map[(int) next] != UNMAPPED) == mapped) {
        next++;
      }
      long end = Math.min(count, next * EXTENT_BLOCKS);
      return new LbaStatus(lba, end - lba, mapped);
    } finally {
      objectLock.unlock();
    }
  }

  /**
   * EXTENDED COPY from another object of the same store: extents that line up whole are shared
   * (one map record each, no data moved), anything else is copied through a buffer.
   */
  @Override
  public boolean copyFrom(BlockDevice source, long sourceLba, long lba, long blocks)
      throws IOException {
    if (!(source instanceof Volume src) || src.store != store || readOnly() || moving() != null
        || src.moving() != null) {
      return false; // a moving volume's extents are not shared: copied through the move instead
    }
    long done = 0;
    ByteBuffer buf = null;
    while (done < blocks) {
      long from = sourceLba + done;
      long to = lba + done;
      long toOffset = to % EXTENT_BLOCKS;
      long n = Math.min(blocks - done, EXTENT_BLOCKS - toOffset);
      if (toOffset == 0 && from % EXTENT_BLOCKS == 0 && n == EXTENT_BLOCKS) {
        share(src, from / EXTENT_BLOCKS, to / EXTENT_BLOCKS);
      } else {
        if (buf == null) {
          buf = ByteBuffer.allocate(EXTENT_BYTES);
        }
        buf.clear().limit((int) n * BLOCK_SIZE);
        src.read(from, buf);
        buf.flip();
        write(to, buf, false);
      }
      done += n;
    }
    return true;
  }

  private void share(Volume src, long srcExtent, long dstExtent) throws IOException {
    checkRange(dstExtent * EXTENT_BLOCKS, (long) EXTENT_BYTES);
    src.checkRange(srcExtent * EXTENT_BLOCKS, (long) EXTENT_BYTES);
    // Both extents' locks, exclusive, in one global order (no deadlock with a copy the other
    // way): the source's in-place writers must wait, since after this its extent is shared.
    boolean srcFirst = src.obj.name().compareTo(obj.name()) < 0
        || (src.obj == obj && srcExtent <= dstExtent);
    Lock a = (srcFirst ? src.handle.stripe(srcExtent) : handle.stripe(dstExtent)).writeLock();
    Lock b = (srcFirst ? handle.stripe(dstExtent) : src.handle.stripe(srcExtent)).writeLock();
    Lock srcObject = src.handle.object.readLock();
    Lock dstObject = handle.object.readLock();
    srcObject.lock();
    dstObject.lock();
    a.lock();
    b.lock();
    try {
      long pe = src.obj.map[(int) srcExtent];
      if (obj.map[(int) dstExtent] != pe) {
        store.commit(new Map(obj.name(), dstExtent, pe));
      }
    } finally {
      b.unlock();
      a.unlock();
      dstObject.unlock();
      srcObject.unlock();
    }
  }

  /** The store owns the pool; a volume has nothing of its own to close. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return obj.kind().name().toLowerCase() + " " + obj.name() + " of pool " + store.poolName();
  }
}
