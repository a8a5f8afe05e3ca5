package io.strata.engine.backup;

import io.strata.engine.volume.MetadataState;
import io.strata.engine.volume.Volume;
import io.strata.engine.volume.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backs up a snapshot of a volume to a {@link BackupBucket}, incremental forever: every backup
 * point is complete by itself (its manifest lists every chunk), while only the chunks not already
 * stored under the prefix are uploaded.
 *
 * <p>Chunks are {@link #CHUNK_BYTES} (1 MiB), the engine's extent: the engine knows which extents
 * changed between two snapshots, so an incremental backup reads and sends exactly the changed
 * extents. A larger chunk would send up to its size for each small write; a smaller one would not
 * read less (the engine cannot tell which part of an extent changed). The cost is one manifest
 * entry (about 100 bytes of JSON before compression) per MiB of mapped data.
 *
 * <p>With the previous point's snapshot still in the pool, only extents whose maps differ are read
 * (the others reuse the previous manifest's entries unread). Without it (deleted, or a first
 * backup) every mapped extent is read and hashed: the uploads are still only the new chunks, but
 * the read costs the volume's mapped size.
 *
 * <p>The manifest is written last, after every chunk it names is stored: a backup that fails
 * part way leaves no point, only chunks the next backup finds already there (or a sweep removes).
 */
public final class BackupWriter {
  public static final int CHUNK_BYTES = MetadataState.EXTENT_BYTES;

  private final BackupBucket bucket;
  private final int threads;

  /** What a backup did. */
  public record Result(Manifest manifest, boolean incremental, long chunksRead, long bytesRead,
      long chunksReused, long chunksAlreadyStored, long chunksUploaded, long bytesUploaded,
      Duration took) {}

  /** @param threads chunks hashed, compressed and uploaded at once (S3 is latency-bound) */
  public BackupWriter(BackupBucket bucket, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " is not at least 1");
    }
    this.bucket = bucket;
    this.threads = threads;
  }

  /**
   * Backs up snapshot {@code snapshot} of volume {@code volume} (in {@code store}) as point
   * {@code id}; {@code previous} is the volume's last point, or null for a first backup.
   */
  public Result backUp(VolumeStore store, String volume, String snapshot, String id,
      Manifest previous) throws IOException {
    if (id == null || !id.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new IllegalArgumentException("id: '" + id + "' is not 1-128 letters, digits, '.', '_' or '-'");
    }
    if (volume == null || !volume.matches("[A-Za-z0-9._-]{1,128}")) {
      throw new IllegalArgumentException("volume: '" + volume + "' is not a volume name");
    }
    if (previous != null && !previous.volume().equals(volume)) {
      throw new IllegalArgumentException("previous: point " + previous.id() + " is of volume '"
          + previous.volume() + "', not '" + volume + "'");
    }
    Instant started = Instant.now();
    try (PrefixLock lock = PrefixLock.take(bucket, PrefixLock.Kind.BACKUP)) {
      // Under the lock no sweep runs, so a previous point still stored now keeps its chunks
      // stored until this point's manifest names them. One deleted meanwhile (expired, perhaps
      // swept) is not trusted: its chunks may be gone.
      if (previous != null && !bucket.hasManifest(previous.volume(), previous.id())) {
        previous = null;
      }
      return backUp(store, volume, snapshot, id, previous, lock, started);
    }
  }

  private Result backUp(VolumeStore store, String volume, String snapshot, String id,
      Manifest previous, PrefixLock lock, Instant started) throws IOException {
    BitSet mapped = store.mappedExtents(snapshot);
    BitSet changed = null;
    Map<Long, Manifest.Chunk> before = new HashMap<>();
    if (previous != null && previous.chunkBytes() == CHUNK_BYTES
        && !previous.snapshot().equals(snapshot)
        && store.kind(previous.snapshot()) == MetadataState.Kind.SNAPSHOT) {
      changed = store.changedExtents(previous.snapshot(), snapshot);
      for (Manifest.Chunk c : previous.chunks()) {
        before.put(c.offset(), c);
      }
    }
    Set<String> known = ConcurrentHashMap.newKeySet();
    if (previous != null) {
      known.addAll(previous.chunkNames()); // stored, and kept stored by its manifest
    }
    Volume device = store.open(snapshot);
    long size = device.blockCount() * device.blockSize();
    Counters counters = new Counters();
    Map<Long, Manifest.Chunk> chunks = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "backup-" + volume);
      t.setDaemon(true);
      return t;
    });
    Semaphore inFlight = new Semaphore(threads * 2); // bounds the chunks held in memory
    List<Future<?>> tasks = new ArrayList<>();
    try {
      for (int extent = mapped.nextSetBit(0); extent >= 0; extent = mapped.nextSetBit(extent + 1)) {
        long offset = (long) extent * CHUNK_BYTES;
        if (changed != null && !changed.get(extent)) {
          Manifest.Chunk unchanged = before.get(offset);
          if (unchanged != null) {
            chunks.put(offset, unchanged);
          } // else it was all zeros at the previous point and still is
          counters.reused.incrementAndGet();
          continue;
        }
        int length = (int) Math.min(CHUNK_BYTES, size - offset);
        byte[] data = new byte[length];
        device.read(offset / device.blockSize(), ByteBuffer.wrap(data));
        counters.read.incrementAndGet();
        counters.bytesRead.addAndGet(length);
        lock.keepAlive();
        acquire(inFlight);
        tasks.add(pool.submit(() -> {
          try {
            Manifest.Chunk c = storeChunk(offset, data, known, counters);
            if (c != null) {
              chunks.put(offset, c);
            }
          } finally {
            inFlight.release();
          }
          return null;
        }));
        failFast(tasks);
      }
      for (Future<?> task : tasks) {
        await(task);
      }
    } finally {
      pool.shutdownNow();
    }
    List<Manifest.Chunk> ordered = new ArrayList<>(chunks.values());
    ordered.sort((a, b) -> Long.compare(a.offset(), b.offset()));
    Manifest manifest = new Manifest(Manifest.FORMAT, id, volume, snapshot, started.toString(),
        size, device.blockSize(), CHUNK_BYTES, ordered);
    bucket.putManifest(manifest);
    return new Result(manifest, changed != null, counters.read.get(), counters.bytesRead.get(),
        counters.reused.get(), counters.alreadyStored.get(), counters.uploaded.get(),
        counters.bytesUploaded.get(), Duration.between(started, Instant.now()));
  }

  private static final class Counters {
    final AtomicLong read = new AtomicLong();
    final AtomicLong bytesRead = new AtomicLong();
    final AtomicLong reused = new AtomicLong();
    final AtomicLong alreadyStored = new AtomicLong();
    final AtomicLong uploaded = new AtomicLong();
    final AtomicLong bytesUploaded = new AtomicLong();
  }

  /** The chunk's entry, after storing it unless it is stored already; null for all zeros. */
  private Manifest.Chunk storeChunk(long offset, byte[] data, Set<String> known,
      Counters counters) {
    if (ChunkCodec.allZeros(data, data.length)) {
      return null; // restores as zeros, like an unmapped range
    }
    String sha256 = ChunkCodec.sha256(data, data.length);
    Manifest.Chunk chunk = new Manifest.Chunk(offset, data.length, sha256);
    if (known.contains(sha256)) {
      counters.alreadyStored.incrementAndGet();
    } else if (bucket.hasChunk(sha256)) { // another point or volume under the prefix has it
      counters.alreadyStored.incrementAndGet();
      known.add(sha256);
    } else {
      byte[] compressed = ChunkCodec.compress(data, data.length);
      bucket.putChunk(sha256, compressed);
      known.add(sha256);
      counters.uploaded.incrementAndGet();
      counters.bytesUploaded.addAndGet(compressed.length);
    }
    return chunk;
  }

  private static void acquire(Semaphore s) throws IOException {
    try {
      s.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("backup interrupted", e);
    }
  }

  /** Stops at the first chunk that failed, rather than reading the rest of the volume first. */
  private static void failFast(List<Future<?>> tasks) throws IOException {
    for (Future<?> t : tasks) {
      if (t.isDone()) {
        await(t);
      }
    }
    tasks.removeIf(Future::isDone);
  }

  static void await(Future<?> task) throws IOException {
    try {
      task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("backup interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(cause);
    }
  }
}
