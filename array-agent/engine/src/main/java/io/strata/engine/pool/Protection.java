package io.strata.engine.pool;

import java.util.Locale;

/** How a pool survives the loss of drives. */
public enum Protection {
  /** Drives concatenated: all the capacity, no redundancy. */
  NONE("none"),
  /** RAID-1: every drive (two or three) holds a full copy. */
  MIRROR("mirror"),
  /** RAID-5: data striped over all drives but one, plus a rotating parity chunk per stripe. */
  PARITY("parity"),
  /**
   * RAID-6: data striped over all drives but two, plus rotating P (XOR) and Q (Reed-Solomon over
   * GF(2^8)) chunks per stripe; survives any two drives. Added after the others: the label
   * stores the ordinal.
   */
  PARITY2("parity2");

  private final String label;

  Protection(String label) {
    this.label = label;
  }

  /** The name in the layout file. */
  public String label() {
    return label;
  }

  /** A layout file's protection: none, mirror, parity (or raid5), parity2 (or raid6). */
  public static Protection parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (Protection p : values()) {
      if (p.label.equals(t)) {
        return p;
      }
    }
    return switch (t) {
      case "raid1" -> MIRROR;
      case "raid5" -> PARITY;
      case "raid6" -> PARITY2;
      default -> throw new IllegalArgumentException("protection '" + text
          + "' is not one of none, mirror (raid1), parity (raid5), parity2 (raid6)");
    };
  }
}
