package io.strata.engine.cli;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One {@code --lun N=PATH:SIZE} option: LUN number, backing file, size in bytes (K, M, G, T
 * suffixes are powers of 1024).
 */
public record LunSpec(int lun, Path path, long sizeBytes) {

  public static LunSpec parse(String spec) {
    int eq = spec.indexOf('=');
    int colon = spec.lastIndexOf(':');
    if (eq <= 0 || colon <= eq + 1 || colon == spec.length() - 1) {
      throw new IllegalArgumentException("expected N=PATH:SIZE, got '" + spec + "'");
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
    return new LunSpec(lun, Path.of(spec.substring(eq + 1, colon)), size(spec.substring(colon + 1)));
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
