package io.strata.engine.layout;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.engine.layout.ArrayLayout.PoolSpec;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * Which SSDs hold part of a pool's data besides its members: its SSD tier (extents the mover put
 * there live only there) and a write-back flash cache (dirty lines live only there until
 * destaged). A cache or tier on a mirror of two SSDs is recorded as both, {@code s1,s2}.
 * Written whenever the pool opens: among the named records of the pool's metadata on
 * the pool ({@link #RECORD}), or, for a pool whose metadata is in files, to its metadata
 * directory. A later layout
 * (a restart: a reload cannot change a kept pool) naming the pool without that tier or
 * write-back cache, or with another drive for it, would serve stale data from the members, so
 * the pool is refused instead (as a pool claiming another pool's drive is; {@link DriveClaims}),
 * its data left where it is until the layout names its SSDs again.
 */
final class PoolServiceRecord {
  static final String FILE = "services.properties";
  /** The same record among the named records of a pool whose metadata is on the pool. */
  static final String RECORD = "pool/services";
  private static final String TIER = "tier";
  private static final String WRITE_BACK_CACHE = "writeBackCache";

  private PoolServiceRecord() {}

  /** Why {@code spec} cannot open over the data recorded in {@code poolMeta}; null when it can. */
  static String mismatch(Path poolMeta, PoolSpec spec) throws IOException {
    Path file = poolMeta.resolve(FILE);
    if (!Files.exists(file)) {
      return null; // a new pool, or one opened before this record existed
    }
    Properties was = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      was.load(in);
    }
    return mismatch(was, spec);
  }

  /** Why {@code spec} cannot open over the data {@code recorded} describes; null when it can. */
  static String mismatch(byte[] recorded, PoolSpec spec) throws IOException {
    if (recorded == null) {
      return null; // a pool made just now
    }
    Properties was = new Properties();
    was.load(new java.io.StringReader(new String(recorded, StandardCharsets.UTF_8)));
    return mismatch(was, spec);
  }

  private static String mismatch(Properties was, PoolSpec spec) {
    String tier = was.getProperty(TIER);
    if (tier != null && !tier.equals(tierDrive(spec))) {
      return "its data is partly on SSD tier '" + tier + "' and the layout names "
          + describe(tierDrive(spec), "tier") + "; refusing to open it without that tier";
    }
    String cache = was.getProperty(WRITE_BACK_CACHE);
    if (cache != null && !cache.equals(cacheDrive(spec))) {
      return "its write-back flash cache '" + cache + "' may hold dirty lines and the layout"
          + " names " + describe(cacheDrive(spec), "cache") + "; refusing to open it without"
          + " that cache";
    }
    return null;
  }

  /**
   * The record of the tier and write-back cache {@code spec} opens with, as the named record of
   * a pool whose metadata is on the pool: the same properties, without the file's date comment
   * (so that an unchanged record is not written again).
   */
  static byte[] encode(PoolSpec spec) {
    StringBuilder sb = new StringBuilder();
    recordOf(spec).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static java.util.SortedMap<String, String> recordOf(PoolSpec spec) {
    java.util.SortedMap<String, String> now = new java.util.TreeMap<>();
    if (tierDrive(spec) != null) {
      now.put(TIER, tierDrive(spec));
    }
    if (cacheDrive(spec) != null && writeBack(spec.cache())) {
      now.put(WRITE_BACK_CACHE, cacheDrive(spec));
    }
    return now;
  }

  /** Records the tier and write-back cache {@code spec} opened with. */
  static void write(Path poolMeta, PoolSpec spec) throws IOException {
    Properties now = new Properties();
    now.putAll(recordOf(spec));
    Files.createDirectories(poolMeta);
    Path tmp = poolMeta.resolve(FILE + ".tmp");
    try (Writer out = Files.newBufferedWriter(tmp)) {
      now.store(out, "the SSDs holding part of pool " + spec.name() + "'s data");
    }
    Files.move(tmp, poolMeta.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  private static String describe(String drive, String what) {
    return drive == null ? "no " + what : "the " + what + " '" + drive + "'";
  }

  private static String tierDrive(PoolSpec spec) {
    return drivesOf(PoolServices.serviceDrives(spec.name(), "tiering", spec.tiering()));
  }

  private static String cacheDrive(PoolSpec spec) {
    return drivesOf(PoolServices.serviceDrives(spec.name(), "cache", spec.cache()));
  }

  /**
   * The SSDs of a cache or tier as recorded: {@code s1}, or {@code s1,s2} for a mirror (member
   * order: the mirror's labels fix it), so that a restart or another engine opens the same pair;
   * null for none.
   */
  private static String drivesOf(List<String> drives) {
    return drives.isEmpty() ? null : String.join(",", drives);
  }

  /** The cache's mode is write-back unless the layout says otherwise (PoolServices' default). */
  private static boolean writeBack(JsonNode cache) {
    return !cache.hasNonNull("mode")
        || Objects.equals(cache.get("mode").asText().toLowerCase(java.util.Locale.ROOT), "write-back");
  }
}
