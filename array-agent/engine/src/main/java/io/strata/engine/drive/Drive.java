package io.strata.engine.drive;

import com.sun.nio.file.ExtendedOpenOption;
import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * One of the array's drives: a file (development, tests) or a block device, declared SSD or HDD,
 * as a {@link BlockDevice} of 512-byte blocks with I/O statistics.
 *
 * <p>Direct I/O: the drive is opened a second time with {@code O_DIRECT} when the file system
 * allows it (ext4, xfs; not tmpfs). I/Os whose offset and length are multiples of the file
 * system's block size (the pool's extent copies, rebuild and allocation writes, 4 KiB-aligned host
 * I/O) bypass the page cache through an aligned bounce buffer; smaller or unaligned I/Os go through
 * the page cache. Linux keeps the two coherent: a direct write invalidates the cached pages it
 * covers and a direct read first writes back dirty pages. Either way a write is in the kernel when
 * it returns (it survives a crash of the engine) and {@link #flush} (fdatasync) makes it survive a
 * crash of the machine.
 */
public final class Drive implements BlockDevice {
  private static final Logger LOG = Logger.getLogger(Drive.class.getName());
  public static final int BLOCK_SIZE = 512;
  /** Aligned bounce buffers are kept per thread up to this size; larger I/Os allocate one. */
  private static final int CACHED_BOUNCE_BYTES = 2 << 20;

  private final String name;
  private final Path path;
  private final MediaType media;
  private final FileChannel buffered;
  private final FileChannel direct;
  private final int alignment;
  private final long blockCount;
  private final DriveStats stats = new DriveStats();
  private final HddThrottle throttle;
  private final ThreadLocal<ByteBuffer> bounce = new ThreadLocal<>();

  private Drive(String name, Path path, MediaType media, FileChannel buffered, FileChannel direct,
      int alignment, long blockCount, HddThrottle throttle) {
    this.name = name;
    this.path = path;
    this.media = media;
    this.buffered = buffered;
    this.direct = direct;
    this.alignment = alignment;
    this.blockCount = blockCount;
    this.throttle = throttle;
  }

  /**
   * Opens a drive. A regular file is created (sparse) or extended to {@code sizeBytes}; a block
   * device keeps its own size and its media type comes from the kernel's rotational flag, which
   * wins over {@code declared}.
   *
   * @param sizeBytes the size of a file drive; ignored for block devices
   * @param throttle HDD emulation, or null for full speed
   */
  public static Drive open(String name, Path path, MediaType declared, long sizeBytes,
      HddThrottle throttle) throws IOException {
    Objects.requireNonNull(declared, "media type");
    boolean blockDevice = isBlockDevice(path);
    MediaType media = declared;
    long bytes;
    FileChannel buffered;
    if (blockDevice) {
      MediaType kernel = MediaType.ofBlockDevice(path);
      if (kernel != null && kernel != declared) {
        LOG.warning("drive " + name + " (" + path + ") was declared " + declared
            + " but the kernel reports it " + kernel + "; using " + kernel);
        media = kernel;
      }
      buffered = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      bytes = blockDeviceSize(path, buffered);
    } else {
      if (sizeBytes < 1 << 20) {
        throw new IllegalArgumentException("drive " + name + ": a file drive needs a size of at "
            + "least 1M, not " + sizeBytes);
      }
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      buffered = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      bytes = Math.max(buffered.size(), sizeBytes);
      if (buffered.size() < bytes) {
        buffered.write(ByteBuffer.wrap(new byte[1]), bytes - 1);
      }
    }
    FileChannel direct = null;
    int alignment = 0;
    try {
      alignment = (int) Files.getFileStore(path).getBlockSize();
      direct = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
          ExtendedOpenOption.DIRECT);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.info("drive " + name + ": no direct I/O on " + path + " (" + e.getMessage()
          + "); using buffered I/O and fdatasync");
      direct = null;
      alignment = 0;
    }
    return new Drive(name, path, media, buffered, direct, alignment, bytes / BLOCK_SIZE, throttle);
  }

  private static boolean isBlockDevice(Path path) {
    if (!Files.exists(path) || Files.isRegularFile(path) || Files.isDirectory(path)) {
      return false;
    }
    try {
      return Files.readAttributes(path, "unix:mode").get("mode") instanceof Integer mode
          && (mode & 0170000) == 0060000;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  private static long blockDeviceSize(Path path, FileChannel channel) throws IOException {
    long size = channel.size();
    if (size > 0) {
      return size;
    }
    // fstat reports 0 for block devices; the kernel gives the size in 512-byte sectors.
    Path sectors = Path.of("/sys/class/block", path.toRealPath().getFileName().toString(), "size");
    return Long.parseLong(Files.readString(sectors).trim()) * 512;
  }

  public String name() {
    return name;
  }

  public Path path() {
    return path;
  }

  public MediaType media() {
    return media;
  }

  /** Whether aligned I/O bypasses the page cache. */
  public boolean directIo() {
    return direct != null;
  }

  public DriveStats stats() {
    return stats;
  }

  @Override
  public int blockSize() {
    return BLOCK_SIZE;
  }

  @Override
  public long blockCount() {
    return blockCount;
  }

  private boolean aligned(long position, int length) {
    return direct != null && position % alignment == 0 && length % alignment == 0;
  }

  private ByteBuffer bounceBuffer(int length) {
    if (length > CACHED_BOUNCE_BYTES) {
      return ByteBuffer.allocateDirect(length + alignment).alignedSlice(alignment).limit(length);
    }
    ByteBuffer b = bounce.get();
    if (b == null) {
      b = ByteBuffer.allocateDirect(CACHED_BOUNCE_BYTES + alignment).alignedSlice(alignment);
      bounce.set(b);
    }
    return b.clear().limit(length);
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    int length = dst.remaining();
    long pos = checkRange(lba, length);
    long start = System.nanoTime();
    if (throttle != null) {
      throttle.occupy(pos, length);
    }
    try {
      if (aligned(pos, length)) {
        ByteBuffer b = bounceBuffer(length);
        readFully(direct, b, pos);
        dst.put(b.flip());
      } else {
        readFully(buffered, dst, pos);
      }
    } catch (IOException e) {
      stats.error();
      throw e;
    }
    stats.read(length, System.nanoTime() - start);
  }

  private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
    while (dst.hasRemaining()) {
      int n = ch.read(dst, pos);
      if (n < 0) {
        throw new IOException("short read at byte " + pos);
      }
      pos += n;
    }
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    int length = src.remaining();
    long pos = checkRange(lba, length);
    long start = System.nanoTime();
    if (throttle != null) {
      throttle.occupy(pos, length, true);
    }
    try {
      if (aligned(pos, length)) {
        ByteBuffer b = bounceBuffer(length);
        b.put(src).flip();
        writeFully(direct, b, pos);
      } else {
        writeFully(buffered, src, pos);
      }
      if (fua) {
        flush();
      }
    } catch (IOException e) {
      stats.error();
      throw e;
    }
    stats.write(length, System.nanoTime() - start);
  }

  private static void writeFully(FileChannel ch, ByteBuffer src, long pos) throws IOException {
    while (src.hasRemaining()) {
      pos += ch.write(src, pos);
    }
  }

  @Override
  public void flush() throws IOException {
    stats.flush();
    if (throttle != null) {
      throttle.flush();
    }
    buffered.force(false);
  }

  /** A drive cannot deallocate: it writes zeros, as the contract allows. */
  @Override
  public void unmap(long lba, long blocks) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
    long perChunk = zeros.capacity() / BLOCK_SIZE;
    for (long done = 0; done < blocks; done += perChunk) {
      long n = Math.min(perChunk, blocks - done);
      write(lba + done, zeros.clear().limit((int) (n * BLOCK_SIZE)), false);
    }
  }

  private long checkRange(long lba, int bytes) {
    if (bytes % BLOCK_SIZE != 0) {
      throw new IllegalArgumentException(bytes + " bytes is not a whole number of blocks");
    }
    long blocks = bytes / BLOCK_SIZE;
    if (lba < 0 || lba > blockCount || blocks > blockCount - lba) {
      throw new IllegalArgumentException("blocks " + lba + "+" + blocks + " outside drive " + name
          + " of " + blockCount + " blocks");
    }
    return lba * BLOCK_SIZE;
  }

  @Override
  public void close() throws IOException {
    if (!buffered.isOpen()) {
      return; // closed already (by its pool)
    }
    try {
      buffered.force(false);
    } finally {
      try {
        buffered.close();
      } finally {
        if (direct != null) {
          direct.close();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "drive " + name + " (" + media + ", " + path + ")";
  }
}
