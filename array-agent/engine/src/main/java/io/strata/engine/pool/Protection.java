package io.strata.engine.pool;

import java.util.Locale;

/** How a pool survives the loss of a drive. */
public enum Protection {
  /** Drives concatenated: all the capacity, no redundancy. */
  NONE,
  /** RAID-1: every drive (two or three) holds a full copy. */
  MIRROR,
  /** RAID-5: data striped over all drives but one, plus a rotating parity chunk per stripe. */
  PARITY;

  public static Protection parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "protection '" + text + "' is not one of none, mirror, parity");
    }
  }
}
