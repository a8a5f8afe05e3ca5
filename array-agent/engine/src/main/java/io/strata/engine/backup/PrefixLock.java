package io.strata.engine.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Keeps backups and sweeps of one prefix apart, with lock objects in the bucket itself (S3 reads
 * its own writes and lists them at once): each writes its own lock, then lists the others; a
 * backup that sees a live sweep lock, or a sweep that sees a live backup lock, removes its own
 * and refuses ({@link BackupBusyException}). Both may refuse at once, never both proceed. Backups
 * do not exclude each other. A lock not refreshed for {@link #STALE} (its holder died) is ignored.
 *
 * <p>Why: a backup that finds a chunk already stored does not upload it again; a sweep running
 * meanwhile could delete that chunk as unreferenced before the backup's manifest names it.
 */
final class PrefixLock implements AutoCloseable {
  static final Duration STALE = Duration.ofMinutes(15);
  static final Duration REFRESH = Duration.ofMinutes(1);

  enum Kind { BACKUP, SWEEP }

  private final BackupBucket bucket;
  private final String path;
  private Instant refreshed;

  private PrefixLock(BackupBucket bucket, String path) {
    this.bucket = bucket;
    this.path = path;
  }

  static PrefixLock take(BackupBucket bucket, Kind kind) {
    Kind other = kind == Kind.BACKUP ? Kind.SWEEP : Kind.BACKUP;
    PrefixLock lock = new PrefixLock(bucket, BackupBucket.LOCKS + kind.name().toLowerCase()
        + "-" + UUID.randomUUID());
    lock.refresh();
    Instant liveSince = Instant.now().minus(STALE);
    for (BackupBucket.Stored s : bucket.list(BackupBucket.LOCKS + other.name().toLowerCase() + "-")) {
      if (s.lastModified().isAfter(liveSince)) {
        lock.close();
        throw new BackupBusyException("a " + other.name().toLowerCase() + " of " + bucket.target()
            + " is in progress (" + s.path() + "); the " + kind.name().toLowerCase()
            + " was not started, retry it later");
      }
    }
    return lock;
  }

  /** Rewrites the lock when it is due, so that a long backup's lock never looks stale. */
  void keepAlive() {
    if (Instant.now().isAfter(refreshed.plus(REFRESH))) {
      refresh();
    }
  }

  private void refresh() {
    bucket.put(path, Instant.now().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    refreshed = Instant.now();
  }

  @Override
  public void close() {
    bucket.delete(path);
  }
}
