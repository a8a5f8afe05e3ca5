package io.strata.engine.backup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One backup point: what a restore needs to rebuild the volume as it was in the snapshot, and
 * nothing else. Chunks are listed by volume offset; ranges that were unmapped (or all zeros) in
 * the snapshot are left out and restore as zeros. Stored as zstd-compressed JSON.
 *
 * @param format of this document (1)
 * @param id the backup point's id, unique per volume; ids sort in the order they were taken
 * @param volume the volume backed up
 * @param snapshot the snapshot it was read from (the next backup reads only what changed since it,
 *     while the snapshot is still there)
 * @param createdAt when the backup was taken (ISO-8601)
 * @param sizeBytes the volume's size
 * @param blockSize its logical block size
 * @param chunkBytes the size of every chunk but a shorter last one
 * @param chunks the stored chunks, ascending by offset
 */
public record Manifest(int format, String id, String volume, String snapshot, String createdAt,
    long sizeBytes, int blockSize, int chunkBytes, List<Chunk> chunks) {

  static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** A chunk of the volume: {@code length} bytes at {@code offset}, stored under its SHA-256. */
  public record Chunk(long offset, int length, String sha256) {}

  public Manifest {
    chunks = List.copyOf(chunks);
  }

  /** The distinct chunks this point needs. */
  public Set<String> chunkNames() {
    Set<String> names = new HashSet<>();
    for (Chunk c : chunks) {
      names.add(c.sha256());
    }
    return names;
  }

  /** The bytes a restore writes (the chunks'; the rest of the volume is zeros). */
  public long storedBytes() {
    long total = 0;
    for (Chunk c : chunks) {
      total += c.length();
    }
    return total;
  }

  byte[] encode() {
    try {
      return Zstd.compress(JSON.writeValueAsBytes(this), ChunkCodec.ZSTD_LEVEL);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write manifest " + id, e);
    }
  }

  /** Reads a stored manifest, refusing one that does not describe a volume consistently. */
  static Manifest decode(String key, byte[] stored) {
    Manifest m;
    try {
      long size = Zstd.getFrameContentSize(stored);
      if (size <= 0 || size > Integer.MAX_VALUE) {
        throw new CorruptBackupException("manifest " + key + " is not a zstd frame with its size");
      }
      m = JSON.readValue(Zstd.decompress(stored, (int) size), Manifest.class);
    } catch (IOException | RuntimeException e) {
      if (e instanceof CorruptBackupException c) {
        throw c;
      }
      throw new CorruptBackupException("manifest " + key + " cannot be read: " + e.getMessage());
    }
    m.check(key);
    return m;
  }

  private void check(String key) {
    if (format != FORMAT) {
      throw new CorruptBackupException("manifest " + key + " has format " + format
          + "; this engine reads format " + FORMAT);
    }
    if (sizeBytes <= 0 || blockSize <= 0 || chunkBytes <= 0 || chunkBytes % blockSize != 0) {
      throw new CorruptBackupException("manifest " + key + ": size " + sizeBytes + ", block size "
          + blockSize + ", chunk size " + chunkBytes + " do not describe a volume");
    }
    long end = 0;
    for (Chunk c : chunks) {
      if (c.offset() < end || c.offset() % blockSize != 0 || c.length() <= 0
          || c.length() % blockSize != 0 || c.offset() + c.length() > sizeBytes
          || c.sha256() == null || !c.sha256().matches("[0-9a-f]{64}")) {
        throw new CorruptBackupException("manifest " + key + ": chunk " + c
            + " is out of order, unaligned, past the volume's end or badly named");
      }
      end = c.offset() + c.length();
    }
  }
}
