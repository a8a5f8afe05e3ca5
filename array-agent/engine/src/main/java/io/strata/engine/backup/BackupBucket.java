package io.strata.engine.backup;

import java.io.Closeable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The objects of one {@link BackupTarget}, laid out as
 *
 * <pre>
 *   PREFIX/chunks/ab/abcdef...          a chunk, zstd-compressed, named by its content's SHA-256
 *   PREFIX/manifests/VOLUME/ID          a backup point's {@link Manifest}
 *   PREFIX/locks/KIND-UUID              a backup or sweep in progress ({@link PrefixLock})
 * </pre>
 *
 * Counts what it uploads and downloads, so that a caller (and a test) can see what a backup cost.
 */
public final class BackupBucket implements Closeable {
  static final String CHUNKS = "chunks/";
  static final String MANIFESTS = "manifests/";
  static final String LOCKS = "locks/";

  private final BackupTarget target;
  private final S3Client s3;
  private final AtomicLong chunksUploaded = new AtomicLong();
  private final AtomicLong bytesUploaded = new AtomicLong();
  private final AtomicLong chunkBytesUploaded = new AtomicLong();
  private final AtomicLong bytesDownloaded = new AtomicLong();

  /** A stored object: its key under the prefix, size and last change. */
  record Stored(String path, long size, Instant lastModified) {}

  private BackupBucket(BackupTarget target, S3Client s3) {
    this.target = target;
    this.s3 = s3;
  }

  /** Opens the target, making its bucket if it does not exist yet. */
  public static BackupBucket open(BackupTarget target) {
    S3Client s3 = target.client();
    try {
      ensureBucket(s3, target.bucket());
      return new BackupBucket(target, s3);
    } catch (RuntimeException e) {
      s3.close();
      throw e;
    }
  }

  private static void ensureBucket(S3Client s3, String bucket) {
    try {
      s3.headBucket(b -> b.bucket(bucket));
    } catch (S3Exception e) {
      if (e.statusCode() != 404) {
        throw e;
      }
      s3.createBucket(b -> b.bucket(bucket));
    }
  }

  public BackupTarget target() {
    return target;
  }

  // ------------------------------------------------------------------ chunks

  static String chunkPath(String sha256) {
    return CHUNKS + sha256.substring(0, 2) + "/" + sha256;
  }

  boolean hasChunk(String sha256) {
    return exists(chunkPath(sha256));
  }

  /** Whether backup point {@code id} of {@code volume} is (still) stored. */
  boolean hasManifest(String volume, String id) {
    return exists(manifestPath(volume, id));
  }

  private boolean exists(String path) {
    try {
      s3.headObject(r -> r.bucket(target.bucket()).key(target.key(path)));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  void putChunk(String sha256, byte[] compressed) {
    put(chunkPath(sha256), compressed);
    chunksUploaded.incrementAndGet();
    chunkBytesUploaded.addAndGet(compressed.length);
  }

  byte[] getChunk(String sha256) {
    return get(chunkPath(sha256));
  }

  List<Stored> listChunks() {
    return list(CHUNKS);
  }

  void deleteChunk(String sha256) {
    delete(chunkPath(sha256));
  }

  /** The SHA-256 a chunk's path names. */
  static String chunkName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  // ------------------------------------------------------------------ manifests

  static String manifestPath(String volume, String id) {
    return MANIFESTS + volume + "/" + id;
  }

  void putManifest(Manifest m) {
    put(manifestPath(m.volume(), m.id()), m.encode());
  }

  /** The manifest of backup point {@code id} of {@code volume}. */
  public Manifest manifest(String volume, String id) {
    String path = manifestPath(volume, id);
    try {
      return Manifest.decode(path, get(path));
    } catch (NoSuchKeyException e) {
      throw new IllegalArgumentException("no backup point '" + id + "' of volume '" + volume
          + "' in " + target);
    }
  }

  /** The ids of {@code volume}'s backup points, oldest first (their ids sort by time). */
  public List<String> backupIds(String volume) {
    List<String> ids = new ArrayList<>();
    for (Stored s : list(manifestPath(volume, ""))) {
      ids.add(s.path().substring(s.path().lastIndexOf('/') + 1));
    }
    ids.sort(null);
    return ids;
  }

  /** Every manifest under the prefix, of every volume. */
  List<Stored> listManifests() {
    return list(MANIFESTS);
  }

  Manifest readManifest(String path) {
    return Manifest.decode(path, get(path));
  }

  void deleteManifest(String volume, String id) {
    delete(manifestPath(volume, id));
  }

  // ------------------------------------------------------------------ plain objects

  void put(String path, byte[] data) {
    s3.putObject(r -> r.bucket(target.bucket()).key(target.key(path)), RequestBody.fromBytes(data));
    bytesUploaded.addAndGet(data.length);
  }

  byte[] get(String path) {
    byte[] data = s3.getObjectAsBytes(r -> r.bucket(target.bucket()).key(target.key(path)))
        .asByteArray();
    bytesDownloaded.addAndGet(data.length);
    return data;
  }

  void delete(String path) {
    s3.deleteObject(r -> r.bucket(target.bucket()).key(target.key(path)));
  }

  List<Stored> list(String pathPrefix) {
    String keyPrefix = target.key(pathPrefix);
    int cut = target.prefix().isEmpty() ? 0 : target.prefix().length() + 1;
    List<Stored> out = new ArrayList<>();
    for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(target.bucket()).prefix(keyPrefix))
        .contents()) {
      out.add(new Stored(o.key().substring(cut), o.size(), o.lastModified()));
    }
    return out;
  }

  // ------------------------------------------------------------------ counters

  /** Chunks uploaded through this bucket so far. */
  public long chunksUploaded() {
    return chunksUploaded.get();
  }

  /** Bytes of chunks uploaded (compressed, as stored) so far. */
  public long chunkBytesUploaded() {
    return chunkBytesUploaded.get();
  }

  /** Bytes uploaded (chunks, manifests and locks, as stored: compressed) so far. */
  public long bytesUploaded() {
    return bytesUploaded.get();
  }

  public long bytesDownloaded() {
    return bytesDownloaded.get();
  }

  @Override
  public void close() {
    s3.close();
  }
}
