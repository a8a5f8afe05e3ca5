package io.strata.engine.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Deletes expired backup points and then the chunks no point needs any more, by mark and sweep
 * over the manifests: every remaining manifest of the prefix is read (not the chunks: about 50
 * bytes per MiB of backed-up data), the chunks they name are marked, and the chunks listed in the
 * bucket that no manifest names are deleted.
 *
 * <p>Why not reference counts: S3 has no transactions, so a count kept beside the chunks would be
 * a read-modify-write that a crash or a concurrent backup can leave wrong, and a count too low
 * deletes data. Mark and sweep keeps no state: a sweep that dies part way is simply run again, and
 * a chunk it missed is found by the next one. Its cost grows with the manifests, not with the data.
 *
 * <p>A sweep and a backup of the same prefix never overlap ({@link PrefixLock}); as a second
 * guard a sweep keeps chunks younger than its {@code grace}.
 */
public final class BackupRetention {
  private final BackupBucket bucket;

  public record SweepResult(int manifestsRead, long chunksKept, long chunksDeleted,
      long bytesFreed, Duration took) {}

  public BackupRetention(BackupBucket bucket) {
    this.bucket = bucket;
  }

  /**
   * Deletes the manifests of {@code volume}'s points but the newest {@code keepLast}, reading
   * none; returns the ids deleted. Their chunks go at the next {@link #sweep}.
   */
  public List<String> expire(String volume, int keepLast) {
    if (keepLast < 1) {
      throw new IllegalArgumentException("keepLast: " + keepLast + " would delete every point");
    }
    List<String> ids = bucket.backupIds(volume);
    List<String> expired = new ArrayList<>(ids.subList(0, Math.max(0, ids.size() - keepLast)));
    for (String id : expired) {
      bucket.deleteManifest(volume, id);
    }
    return expired;
  }

  /** Deletes one backup point (its manifest); its chunks go at the next {@link #sweep}. */
  public void delete(String volume, String id) {
    bucket.manifest(volume, id); // a clear error for a point that is not there
    bucket.deleteManifest(volume, id);
  }

  /** Deletes the chunks that no manifest of the prefix names and that are older than {@code grace}. */
  public SweepResult sweep(Duration grace) {
    Instant started = Instant.now();
    Instant keepAfter = started.minus(grace);
    try (PrefixLock lock = PrefixLock.take(bucket, PrefixLock.Kind.SWEEP)) {
      Set<String> marked = new HashSet<>();
      int manifests = 0;
      for (BackupBucket.Stored m : bucket.listManifests()) {
        marked.addAll(bucket.readManifest(m.path()).chunkNames());
        manifests++;
        lock.keepAlive();
      }
      long kept = 0;
      long deleted = 0;
      long freed = 0;
      for (BackupBucket.Stored c : bucket.listChunks()) {
        if (marked.contains(BackupBucket.chunkName(c.path()))
            || c.lastModified().isAfter(keepAfter)) {
          kept++;
        } else {
          bucket.delete(c.path());
          deleted++;
          freed += c.size();
          lock.keepAlive();
        }
      }
      return new SweepResult(manifests, kept, deleted, freed, Duration.between(started, Instant.now()));
    }
  }
}
