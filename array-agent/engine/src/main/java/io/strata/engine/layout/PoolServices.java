package io.strata.engine.layout;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.engine.block.BlockDevice;
import io.strata.engine.cache.CacheConfig;
import io.strata.engine.cache.CacheMode;
import io.strata.engine.cache.FlashCache;
import io.strata.engine.cli.LunSpec;
import io.strata.engine.drive.MediaType;
import io.strata.engine.layout.ArrayLayout.PoolSpec;
import io.strata.engine.iscsi.initiator.RemoteDrive;
import io.strata.engine.pool.MirrorPool;
import io.strata.engine.pool.Pool;
import io.strata.engine.pool.Protection;
import io.strata.engine.tier.TierConfig;
import io.strata.engine.tier.TieredDevice;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Where a pool's SSD tier and flash cache wrap it before the volumes see it (SPDK's bdev
 * pass-through model: each is a {@link BlockDevice} over a {@link BlockDevice}). The order is
 * fixed: volumes → flash cache → tiered device → pool, so cached lines sit above wherever the
 * mover put their extent (docs/cache-and-tiering.md).
 *
 * <p>Layout fields, both optional on a pool:
 *
 * <pre>
 * "cache":   {"drive": "ssd1", "mode": "write-back" | "write-through" | "write-around", "lineSize": "64K"}
 * "tiering": {"drive": "ssd2", "moveRate": "32M"}
 * </pre>
 *
 * Instead of {@code "drive"}, {@code "drives": ["s1", "s2"]} names two SSDs (one of them may be
 * a remote drive): the cache or tier then lives on a RAID-1 of the two ({@link #mirrorName}, its
 * own pool labels), so its dirty lines or hot extents survive the loss of either SSD and of the
 * node holding it (docs/high-availability.md point 2). A mirrored cache writes back only while
 * both copies are in sync ({@link FlashCache#writeBackOnlyWhile}); one SSD in an HA engine
 * never writes back. Each named drive must be an SSD that belongs to no pool and serves no other
 * cache or tier.
 */
final class PoolServices {
  static final String CACHE = "cache";
  static final String TIER = "tier";

  private PoolServices() {}

  /**
   * The device the pool's volumes are stored on: {@code pool} itself, or the wrappers around it.
   * {@code taken} holds the drives already in use (pool members, other caches and tiers) and
   * gains the ones this pool's services take.
   *
   * @param device an open drive by layout name: local, remote and online, or null (a remote
   *     drive that is offline now: a mirror opens without it)
   * @param media the media of a drive of the layout, null for a name the layout does not have
   * @param haEngine whether the engine is one of an HA pair: a single cache SSD then never
   *     writes back (it has no copy on the other node)
   */
  static Wrapped wrap(PoolSpec spec, BlockDevice pool, Function<String, BlockDevice> device,
      Function<String, MediaType> media, Set<String> taken, boolean haEngine) throws IOException {
    BlockDevice data = pool;
    TieredDevice tiered = null;
    FlashCache flash = null;
    long tierBytes = 0;
    long cacheBytes = 0;
    List<ServiceMirror> mirrors = new ArrayList<>();
    try {
      JsonNode tiering = present(spec.tiering());
      if (tiering != null) {
        allowOnly(spec, "tiering", tiering, Set.of("drive", "drives", "moveRate"));
        BlockDevice ssd = serviceDevice(spec, "tiering", TIER, tiering, device, media, taken,
            mirrors);
        TierConfig config = TierConfig.defaults();
        if (tiering.hasNonNull("moveRate")) {
          config = config.withMoveRate(LunSpec.size(tiering.get("moveRate").asText()));
        }
        tierBytes = ssd.blockCount() * ssd.blockSize();
        tiered = TieredDevice.open(ssd, data, config);
        data = tiered;
      }
      JsonNode cache = present(spec.cache());
      if (cache != null) {
        allowOnly(spec, "cache", cache, Set.of("drive", "drives", "mode", "lineSize"));
        BlockDevice ssd = serviceDevice(spec, "cache", CACHE, cache, device, media, taken,
            mirrors);
        CacheConfig config = CacheConfig.defaults().withMode(mode(spec, cache));
        if (cache.hasNonNull("lineSize")) {
          config = config.withLineSize((int) LunSpec.size(cache.get("lineSize").asText()));
        }
        cacheBytes = ssd.blockCount() * ssd.blockSize();
        flash = FlashCache.open(ssd, data, config);
        if (ssd instanceof Pool mirror) {
          flash.writeBackOnlyWhile(() -> !mirror.degraded());
        } else if (haEngine) {
          flash.writeBackOnlyWhile(() -> false);
        }
        data = flash;
      }
    } catch (IOException | RuntimeException e) {
      // The caller closes the pool and the drives; the SSD mirrors opened here stop (their
      // write-intent threads) with them.
      mirrors.forEach(m -> closeQuietly(m.pool()));
      throw e;
    }
    return new Wrapped(data, tiered, flash, cacheBytes, tierBytes, List.copyOf(mirrors));
  }

  /**
   * What the volumes are stored on, and the tiered device and flash cache within it (null: none).
   * Both address the same blocks: the flash cache passes block addresses through unchanged. The
   * sizes of the SSDs serving the cache and the tier are 0 when the pool has none; {@code mirrors}
   * are the SSD mirrors under them (a cache or tier named with two drives).
   */
  record Wrapped(BlockDevice data, TieredDevice tiered, FlashCache cache, long cacheBytes,
      long tierBytes, List<ServiceMirror> mirrors) {

    /**
     * How the pool's acknowledged writes are protected by its cache (the status file's {@code
     * cacheProtection}): {@code MIRRORED} (write-back, dirty lines on both SSDs of the mirror),
     * {@code WRITE_THROUGH} (acknowledged writes are on the pool: the mirror is degraded, the
     * single SSD of an HA engine, or a cache not in write-back mode), {@code SINGLE_COPY}
     * (write-back on one SSD, a single-engine array as before), or null (no cache).
     */
    String cacheProtection() {
      if (cache == null) {
        return null;
      }
      if (!cache.writingBack()) {
        return "WRITE_THROUGH";
      }
      return mirrors.stream().anyMatch(m -> m.service().equals(CACHE)) ? "MIRRORED"
          : "SINGLE_COPY";
    }
  }

  /** The RAID-1 of two SSDs under a pool's cache or tier; {@code drives} in member order. */
  record ServiceMirror(String service, Pool pool, List<String> drives) {}

  /**
   * The name of the mirror under pool {@code pool}'s cache or tier, as its drives' labels carry
   * it: {@code p0/cache}, {@code p0/tier}. A layout pool's name is a directory name, so no pool
   * of the layout can have it.
   */
  static String mirrorName(String pool, String service) {
    return pool + "/" + service;
  }

  /** The layout pool a mirror name belongs to ({@code p0/cache} → {@code p0}); others as is. */
  static String ownerPool(String poolName) {
    int slash = poolName.lastIndexOf('/');
    return slash < 0 ? poolName : poolName.substring(0, slash);
  }

  /**
   * The drives a cache or tier names ({@code "drive"}, or {@code "drives"} with one or two
   * distinct names), in order; empty when the service is absent or names none. Refuses a
   * service that names its drives in a way the engine cannot use, saying why.
   */
  static List<String> serviceDrives(String pool, String service, JsonNode node) {
    node = present(node);
    if (node == null || !node.isObject()) {
      return List.of();
    }
    String where = "pool " + pool + ": " + service;
    JsonNode many = node.get("drives");
    if (many == null || many.isNull()) {
      return node.hasNonNull("drive") ? List.of(node.get("drive").asText()) : List.of();
    }
    if (node.hasNonNull("drive")) {
      throw new IllegalArgumentException(where + " names both 'drive' and 'drives'; give one");
    }
    if (!many.isArray() || many.isEmpty() || many.size() > 2) {
      throw new IllegalArgumentException(where + ".drives must list one or two SSDs, such as"
          + " [\"s1\", \"s2\"]");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode n : many) {
      if (!n.isTextual() || n.asText().isBlank()) {
        throw new IllegalArgumentException(where + ".drives: " + n + " is not a drive name");
      }
      if (names.contains(n.asText())) {
        throw new IllegalArgumentException(where + ".drives names drive '" + n.asText()
            + "' twice; a mirror needs two different SSDs");
      }
      names.add(n.asText());
    }
    return List.copyOf(names);
  }

  /** Both services' drives of a pool: cache, then tier. */
  static List<String> serviceDrives(PoolSpec spec) {
    List<String> out = new ArrayList<>(serviceDrives(spec.name(), "cache", spec.cache()));
    out.addAll(serviceDrives(spec.name(), "tiering", spec.tiering()));
    return out;
  }

  private static JsonNode present(JsonNode node) {
    return node == null || node.isNull() ? null : node;
  }

  private static void allowOnly(PoolSpec spec, String service, JsonNode node, Set<String> known) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("pool " + spec.name() + ": " + service
          + " must be an object such as {\"drive\": \"ssd1\"}");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!known.contains(field)) {
        throw new IllegalArgumentException("pool " + spec.name() + ": unknown field '" + field
            + "' in " + service + " (known: " + known + ")");
      }
    }
  }

  /**
   * The SSD device of a cache or tier: the one drive it names, or a mirror of the two (opened
   * without a remote one that is offline, if the mirror already holds data; it is put back and
   * resynced when it returns).
   */
  private static BlockDevice serviceDevice(PoolSpec spec, String field, String service,
      JsonNode node, Function<String, BlockDevice> device, Function<String, MediaType> media,
      Set<String> taken, List<ServiceMirror> mirrors) throws IOException {
    String where = "pool " + spec.name() + ": " + field;
    List<String> names = serviceDrives(spec.name(), field, node);
    if (names.isEmpty()) {
      throw new IllegalArgumentException(where + " needs a 'drive' (or two 'drives')");
    }
    Set<String> mine = new HashSet<>();
    List<BlockDevice> ssds = new ArrayList<>();
    for (String name : names) {
      MediaType m = media.apply(name);
      if (m == null) {
        throw new IllegalArgumentException(where + " names unknown drive '" + name + "'");
      }
      if (m != MediaType.SSD) {
        throw new IllegalArgumentException(where + " needs an SSD; drive '" + name + "' is " + m);
      }
      if (taken.contains(name)) {
        throw new IllegalArgumentException(where + ": drive '" + name
            + "' already belongs to a pool, a cache or a tier");
      }
      mine.add(name);
      ssds.add(device.apply(name));
    }
    if (names.size() == 1) {
      if (ssds.get(0) == null) {
        throw new IOException(where + ": drive '" + names.get(0) + "' is not reachable");
      }
      taken.addAll(mine);
      return ssds.get(0);
    }
    Pool mirror = Pool.open(mirrorName(spec.name(), service), Protection.MIRROR, ssds);
    preferLocalReads(mirror, ssds);
    taken.addAll(mine);
    mirrors.add(new ServiceMirror(service, mirror, names));
    return mirror;
  }

  /**
   * A mirror of a local SSD and a remote one reads the local copy (a cache line's read-modify-
   * write, a hit, a tier extent) without a network round trip; writes go to both anyway.
   */
  private static void preferLocalReads(Pool mirror, List<BlockDevice> ssds) {
    if (mirror instanceof MirrorPool m) {
      for (int i = 0; i < ssds.size(); i++) {
        if (ssds.get(i) != null && !(ssds.get(i) instanceof RemoteDrive)) {
          if (ssds.stream().anyMatch(d -> d == null || d instanceof RemoteDrive)) {
            m.preferReadsFrom(i);
          }
          return;
        }
      }
    }
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing after a failure: the failure is what the caller reports
    }
  }

  private static CacheMode mode(PoolSpec spec, JsonNode cache) {
    String mode = cache.hasNonNull("mode") ? cache.get("mode").asText() : "write-back";
    try {
      return CacheMode.valueOf(mode.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pool " + spec.name() + ": cache mode '" + mode
          + "' is not one of write-back, write-through, write-around");
    }
  }
}
