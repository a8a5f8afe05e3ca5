package io.strata.engine.backup;

import com.github.luben.zstd.Zstd;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How a chunk is named and stored: by the SHA-256 of its content (so equal chunks, in any backup
 * of any volume under one prefix, are stored once), compressed with zstd (level 3: close to the
 * best ratio of the fast levels at hundreds of MB/s per core).
 */
final class ChunkCodec {
  static final int ZSTD_LEVEL = 3;

  private ChunkCodec() {}

  static String sha256(byte[] data, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(data, 0, length);
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  static boolean allZeros(byte[] data, int length) {
    for (int i = 0; i < length; i++) {
      if (data[i] != 0) {
        return false;
      }
    }
    return true;
  }

  static byte[] compress(byte[] data, int length) {
    byte[] exact = length == data.length ? data : java.util.Arrays.copyOf(data, length);
    return Zstd.compress(exact, ZSTD_LEVEL);
  }

  /**
   * The content of a stored chunk, checked against its name: a chunk damaged or replaced in the
   * object store is refused, never written into a restored volume.
   */
  static byte[] decompressAndVerify(byte[] stored, Manifest.Chunk chunk) {
    byte[] data;
    try {
      data = Zstd.decompress(stored, chunk.length());
    } catch (RuntimeException e) {
      throw new CorruptBackupException("chunk " + chunk.sha256() + " (volume offset "
          + chunk.offset() + ") does not decompress: " + e.getMessage());
    }
    if (data.length != chunk.length() || !sha256(data, data.length).equals(chunk.sha256())) {
      throw new CorruptBackupException("chunk " + chunk.sha256() + " (volume offset "
          + chunk.offset() + ") does not match its SHA-256: the object store returned other data");
    }
    return data;
  }
}
