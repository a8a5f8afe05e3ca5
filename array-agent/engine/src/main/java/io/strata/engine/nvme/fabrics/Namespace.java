package io.strata.engine.nvme.fabrics;

import io.strata.engine.block.BlockDevice;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * One namespace of a subsystem: a volume attached to the array (its LUN {@code n} is namespace
 * {@code n + 1}), served from the same block device the iSCSI target serves it from.
 *
 * @param volumeId the volume's stable id; its NGUID and EUI-64 are derived from it, so they stay
 *     the same across engine restarts and on every portal
 */
public record Namespace(int id, String volumeId, BlockDevice device, boolean writeProtected) {

  public Namespace {
    if (id < 1 || id == 0xFFFFFFFF) {
      throw new IllegalArgumentException("namespace id " + Integer.toUnsignedString(id)
          + " not in 1..FFFFFFFEh");
    }
  }

  /** The 16-byte namespace globally unique identifier (Identify Namespace bytes 104-119). */
  public byte[] nguid() {
    return Arrays.copyOf(digest("strata/nvme/nguid/" + volumeId), 16);
  }

  /** The IEEE extended unique identifier (bytes 120-127). */
  public byte[] eui64() {
    return Arrays.copyOf(digest("strata/nvme/eui64/" + volumeId), 8);
  }

  private static byte[] digest(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
