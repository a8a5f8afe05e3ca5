package io.strata.engine.backup;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restores a backup point into a block device (a new volume, of any array): every chunk is
 * downloaded, checked against its SHA-256 and written at its offset; the ranges the manifest
 * leaves out are unmapped, so that they read as zeros whatever the device held.
 */
public final class BackupRestorer {
  private final BackupBucket bucket;
  private final int threads;

  /** Told after each chunk, from the restoring threads: bytes written so far of the total. */
  @FunctionalInterface
  public interface Progress {
    void restored(long bytesDone, long bytesTotal);
  }

  public record Result(long chunks, long bytesWritten, Duration took) {}

  public BackupRestorer(BackupBucket bucket, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " is not at least 1");
    }
    this.bucket = bucket;
    this.threads = threads;
  }

  public Result restore(Manifest manifest, BlockDevice target, Progress progress)
      throws IOException {
    int blockSize = target.blockSize();
    if (manifest.sizeBytes() % blockSize != 0) {
      throw new IllegalArgumentException("target: a device of " + blockSize + "-byte blocks cannot"
          + " hold a volume of " + manifest.sizeBytes() + " bytes");
    }
    if (target.blockCount() * blockSize < manifest.sizeBytes()) {
      throw new IllegalArgumentException("target: " + target.blockCount() * blockSize
          + " bytes is smaller than the backed-up volume's " + manifest.sizeBytes());
    }
    if (target.readOnly()) {
      throw new IllegalArgumentException("target: " + target + " is read-only");
    }
    Instant started = Instant.now();
    unmapGaps(manifest, target);
    long total = manifest.storedBytes();
    AtomicLong done = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "restore-" + manifest.volume());
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (Manifest.Chunk chunk : manifest.chunks()) {
        tasks.add(pool.submit(() -> {
          byte[] data = ChunkCodec.decompressAndVerify(bucket.getChunk(chunk.sha256()), chunk);
          target.write(chunk.offset() / blockSize, ByteBuffer.wrap(data), false);
          progress.restored(done.addAndGet(data.length), total);
          return null;
        }));
      }
      for (Future<?> task : tasks) {
        BackupWriter.await(task);
      }
    } finally {
      pool.shutdownNow();
    }
    target.flush();
    return new Result(manifest.chunks().size(), done.get(), Duration.between(started, Instant.now()));
  }

  /** Unmaps what the manifest leaves out (unmapped or zeros at the backup). */
  private static void unmapGaps(Manifest manifest, BlockDevice target) throws IOException {
    int blockSize = target.blockSize();
    long at = 0;
    for (Manifest.Chunk c : manifest.chunks()) {
      if (c.offset() > at) {
        target.unmap(at / blockSize, (c.offset() - at) / blockSize);
      }
      at = c.offset() + c.length();
    }
    if (manifest.sizeBytes() > at) {
      target.unmap(at / blockSize, (manifest.sizeBytes() - at) / blockSize);
    }
  }
}
