package io.strata.engine.cli;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One {@code --lun N=PATH:SIZE[:OPTION,...]} option: LUN number, backing file, size in bytes (K,
 * M, G, T suffixes are powers of 1024), and options: {@code ro} (write-protected: every medium
 * write fails with WRITE PROTECTED) and {@code physical=BYTES} (the physical block size READ
 * CAPACITY 16 reports, a power-of-two multiple of the 512-byte logical block, e.g. 4096).
 */
public record LunSpec(int lun, Path path, long sizeBytes, boolean readOnly, int physicalBlockBytes) {
  /** The logical block size of file-backed LUNs. */
  static final int LOGICAL_BLOCK_BYTES = 512;

  /** A LUN with default options: writable, one logical block per physical block. */
  public LunSpec(int lun, Path path, long sizeBytes) {
    this(lun, path, sizeBytes, false, LOGICAL_BLOCK_BYTES);
  }

  public static LunSpec parse(String spec) {
    int eq = spec.indexOf('=');
    int colon = spec.lastIndexOf(':');
    if (eq <= 0 || colon <= eq + 1 || colon == spec.length() - 1) {
      throw new IllegalArgumentException("expected N=PATH:SIZE[:OPTIONS], got '" + spec + "'");
    }
    String options = "";
    int before = spec.lastIndexOf(':', colon - 1);
    if (!startsWithDigit(spec.substring(colon + 1)) && before > eq + 1) {
      // The last field is not a size: it is the options, and the size comes before it.
      options = spec.substring(colon + 1);
      colon = before;
    }
    int lun;
    try {
      lun = Integer.parseInt(spec.substring(0, eq));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("LUN is not a number in '" + spec + "'");
    }
    if (lun < 0 || lun > 16383) {
      throw new IllegalArgumentException("LUN " + lun + " not in 0..16383");
    }
    Path path = Path.of(spec.substring(eq + 1, colon));
    long size = size(spec.substring(colon + 1, options.isEmpty() ? spec.length() : spec.lastIndexOf(':')));
    boolean readOnly = false;
    int physical = LOGICAL_BLOCK_BYTES;
    for (String option : options.isEmpty() ? new String[0] : options.split(",")) {
      if (option.equals("ro")) {
        readOnly = true;
      } else if (option.startsWith("physical=")) {
        physical = physicalBlockBytes(option.substring("physical=".length()));
      } else {
        throw new IllegalArgumentException(
            "unknown LUN option '" + option + "' in '" + spec + "' (known: ro, physical=BYTES)");
      }
    }
    return new LunSpec(lun, path, size, readOnly, physical);
  }

  /** LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT for READ CAPACITY 16. */
  public int physicalBlockExponent() {
    return Integer.numberOfTrailingZeros(physicalBlockBytes / LOGICAL_BLOCK_BYTES);
  }

  private static boolean startsWithDigit(String s) {
    return !s.isEmpty() && Character.isDigit(s.charAt(0));
  }

  private static int physicalBlockBytes(String text) {
    long bytes = size(text);
    if (bytes < LOGICAL_BLOCK_BYTES || bytes > (LOGICAL_BLOCK_BYTES << 15)
        || Long.bitCount(bytes) != 1) {
      throw new IllegalArgumentException(
          "physical block size '" + text + "' must be a power of two from 512 to 16M");
    }
    return (int) bytes;
  }

  public static long size(String text) {
    String s = text.trim().toUpperCase(Locale.ROOT);
    if (s.endsWith("B")) {
      s = s.substring(0, s.length() - 1);
    }
    long unit = 1;
    if (!s.isEmpty()) {
      switch (s.charAt(s.length() - 1)) {
        case 'K' -> unit = 1L << 10;
        case 'M' -> unit = 1L << 20;
        case 'G' -> unit = 1L << 30;
        case 'T' -> unit = 1L << 40;
        default -> unit = 1;
      }
    }
    if (unit != 1) {
      s = s.substring(0, s.length() - 1);
    }
    long value;
    try {
      value = Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("size '" + text + "' is not like 512M or 1G");
    }
    if (value <= 0 || value > Long.MAX_VALUE / unit) {
      throw new IllegalArgumentException("size '" + text + "' out of range");
    }
    return value * unit;
  }
}
