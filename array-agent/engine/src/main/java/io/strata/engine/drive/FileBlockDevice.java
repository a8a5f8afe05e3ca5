package io.strata.engine.drive;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.LbaStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

/**
 * A {@link BlockDevice} over a plain file, with positional I/O so that any number of threads can
 * read and write at once without a shared lock.
 *
 * <p>Deallocation (UNMAP, WRITE SAME with UNMAP) is tracked in an allocation map kept beside the
 * data file ({@code <file>.alloc}, one bit per block, set = deallocated). Deallocated blocks read
 * as zeros whatever the data file holds, so LBPRZ is honest without writing zeros, and GET LBA
 * STATUS reports exactly what was unmapped. The map is written before an unmap returns (so an
 * unmap survives a crash of the process) and a write into deallocated blocks clears their bits
 * after the data is written and before the write returns: a crash in between leaves blocks that
 * read as zeros, which is correct because that write was never acknowledged. The data file keeps
 * its space (Java has no hole punching); the point of the map is correct SCSI behaviour.
 */
public final class FileBlockDevice implements BlockDevice {
  private static final int MAX_ZERO_CHUNK = 1 << 20;

  private final Path path;
  private final int blockSize;
  private final FileChannel data;
  private final FileChannel allocMap;
  private final long blockCount;
  /** Set bit = the block is deallocated. Guarded by {@code this}. */
  private final BitSet deallocated;
  /** Fast path: reads and writes skip the map entirely while nothing is deallocated. */
  private volatile boolean anyDeallocated;

  private FileBlockDevice(Path path, int blockSize, FileChannel data, FileChannel allocMap,
      long blockCount, BitSet deallocated) {
    this.path = path;
    this.blockSize = blockSize;
    this.data = data;
    this.allocMap = allocMap;
    this.blockCount = blockCount;
    this.deallocated = deallocated;
    this.anyDeallocated = !deallocated.isEmpty();
  }

  /**
   * Opens (creating or extending as needed) a file of {@code sizeBytes} bytes as a device of
   * {@code blockSize}-byte blocks. An existing larger file is not shrunk; its extra bytes are used.
   */
  public static FileBlockDevice open(Path path, long sizeBytes, int blockSize) throws IOException {
    if (blockSize != 512 && blockSize != 4096) {
      throw new IllegalArgumentException("block size must be 512 or 4096, not " + blockSize);
    }
    if (sizeBytes < blockSize) {
      throw new IllegalArgumentException("size " + sizeBytes + " is smaller than one block");
    }
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileChannel data =
        FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    try {
      long existing = data.size();
      long wanted = Math.max(existing, sizeBytes) / blockSize * blockSize;
      if (existing < wanted) {
        // Extending with one byte at the end makes a sparse file of the full size.
        data.write(ByteBuffer.wrap(new byte[1]), wanted - 1);
      }
      long blocks = wanted / blockSize;
      Path mapPath = allocMapPath(path);
      FileChannel map =
          FileChannel.open(mapPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      BitSet bits = loadMap(map, blocks);
      return new FileBlockDevice(path, blockSize, data, map, blocks, bits);
    } catch (IOException | RuntimeException e) {
      data.close();
      throw e;
    }
  }

  /** The allocation map file that sits beside {@code dataFile}. */
  public static Path allocMapPath(Path dataFile) {
    return dataFile.resolveSibling(dataFile.getFileName() + ".alloc");
  }

  private static BitSet loadMap(FileChannel map, long blocks) throws IOException {
    long bytes = Math.min(map.size(), (blocks + 7) / 8);
    ByteBuffer buf = ByteBuffer.allocate((int) bytes);
    while (buf.hasRemaining() && map.read(buf, buf.position()) > 0) {
      // keep reading until the whole map is in
    }
    buf.flip();
    BitSet bits = BitSet.valueOf(buf);
    if (bits.length() > blocks) {
      bits.clear((int) blocks, bits.length());
    }
    return bits;
  }

  public Path path() {
    return path;
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  @Override
  public boolean thinProvisioned() {
    return true;
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    int length = dst.remaining();
    checkRange(lba, length);
    int start = dst.position();
    long pos = lba * blockSize;
    while (dst.hasRemaining()) {
      int n = data.read(dst, pos);
      if (n < 0) {
        // Past the end of a file that someone truncated behind our back: zeros.
        while (dst.hasRemaining()) {
          dst.put((byte) 0);
        }
        break;
      }
      pos += n;
    }
    if (anyDeallocated) {
      zeroDeallocated(lba, length / blockSize, dst, start);
    }
  }

  private void zeroDeallocated(long lba, int blocks, ByteBuffer dst, int start) {
    synchronized (this) {
      int i = deallocated.nextSetBit((int) lba);
      while (i >= 0 && i < lba + blocks) {
        int off = start + (int) (i - lba) * blockSize;
        for (int j = 0; j < blockSize; j++) {
          dst.put(off + j, (byte) 0);
        }
        i = deallocated.nextSetBit(i + 1);
      }
    }
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    int length = src.remaining();
    checkRange(lba, length);
    long pos = lba * blockSize;
    while (src.hasRemaining()) {
      pos += data.write(src, pos);
    }
    if (anyDeallocated) {
      markAllocated(lba, length / blockSize);
    }
    if (fua) {
      data.force(false);
      allocMap.force(false);
    }
  }

  private void markAllocated(long lba, long blocks) throws IOException {
    synchronized (this) {
      int first = deallocated.nextSetBit((int) lba);
      if (first < 0 || first >= lba + blocks) {
        return;
      }
      deallocated.clear((int) lba, (int) (lba + blocks));
      persistMap(lba, blocks);
      anyDeallocated = !deallocated.isEmpty();
    }
  }

  @Override
  public void flush() throws IOException {
    data.force(false);
    allocMap.force(false);
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    if (blocks == 0) {
      return;
    }
    checkRange(lba, blocks * blockSize);
    synchronized (this) {
      deallocated.set((int) lba, (int) (lba + blocks));
      anyDeallocated = true;
      persistMap(lba, blocks);
    }
  }

  /** Writes the bytes of the map that cover {@code [lba, lba+blocks)}. Caller holds the lock. */
  private void persistMap(long lba, long blocks) throws IOException {
    int firstByte = (int) (lba / 8);
    int lastByte = (int) ((lba + blocks - 1) / 8);
    byte[] all = deallocated.toByteArray();
    byte[] slice = new byte[lastByte - firstByte + 1];
    if (firstByte < all.length) {
      System.arraycopy(all, firstByte, slice, 0, Math.min(slice.length, all.length - firstByte));
    }
    ByteBuffer buf = ByteBuffer.wrap(slice);
    long pos = firstByte;
    while (buf.hasRemaining()) {
      pos += allocMap.write(buf, pos);
    }
  }

  @Override
  public LbaStatus status(long lba) {
    if (lba < 0 || lba >= blockCount) {
      throw new IllegalArgumentException("LBA " + lba + " outside 0.." + (blockCount - 1));
    }
    synchronized (this) {
      boolean mapped = !deallocated.get((int) lba);
      int next = mapped ? deallocated.nextSetBit((int) lba) : deallocated.nextClearBit((int) lba);
      long end = next < 0 || next > blockCount ? blockCount : next;
      return new LbaStatus(lba, end - lba, mapped);
    }
  }

  private void checkRange(long lba, long bytes) {
    if (bytes % blockSize != 0) {
      throw new IllegalArgumentException(bytes + " bytes is not a whole number of blocks");
    }
    long blocks = bytes / blockSize;
    if (lba < 0 || blocks < 0 || lba > blockCount || blocks > blockCount - lba) {
      throw new IllegalArgumentException(
          "blocks " + lba + "+" + blocks + " outside the device of " + blockCount + " blocks");
    }
  }

  /** Zero-fill helper for callers that need a reusable zero buffer of at most 1 MiB. */
  static ByteBuffer zeros(int bytes) {
    return ByteBuffer.allocate(Math.min(bytes, MAX_ZERO_CHUNK));
  }

  @Override
  public void close() throws IOException {
    try {
      flush();
    } finally {
      try {
        data.close();
      } finally {
        allocMap.close();
      }
    }
  }
}
