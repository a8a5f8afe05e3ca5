package io.strata.engine.layout;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.engine.block.BlockDevice;
import io.strata.engine.cache.CacheConfig;
import io.strata.engine.cache.CacheMode;
import io.strata.engine.cache.FlashCache;
import io.strata.engine.cli.LunSpec;
import io.strata.engine.drive.Drive;
import io.strata.engine.drive.MediaType;
import io.strata.engine.layout.ArrayLayout.PoolSpec;
import io.strata.engine.tier.TierConfig;
import io.strata.engine.tier.TieredDevice;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
 * The named drive must be an SSD that belongs to no pool and serves no other cache or tier.
 */
final class PoolServices {
  private PoolServices() {}

  /**
   * The device the pool's volumes are stored on: {@code pool} itself, or the wrappers around it.
   * {@code taken} holds the drives already in use (pool members, other caches and tiers) and
   * gains the ones this pool's services take.
   */
  static Wrapped wrap(PoolSpec spec, BlockDevice pool, Map<String, Drive> drives,
      Set<String> taken) throws IOException {
    BlockDevice data = pool;
    TieredDevice tiered = null;
    long tierBytes = 0;
    long cacheBytes = 0;
    JsonNode tiering = present(spec.tiering());
    if (tiering != null) {
      allowOnly(spec, "tiering", tiering, Set.of("drive", "moveRate"));
      Drive ssd = serviceDrive(spec, "tiering", tiering, drives, taken);
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
      allowOnly(spec, "cache", cache, Set.of("drive", "mode", "lineSize"));
      Drive ssd = serviceDrive(spec, "cache", cache, drives, taken);
      CacheConfig config = CacheConfig.defaults().withMode(mode(spec, cache));
      if (cache.hasNonNull("lineSize")) {
        config = config.withLineSize((int) LunSpec.size(cache.get("lineSize").asText()));
      }
      cacheBytes = ssd.blockCount() * ssd.blockSize();
      data = FlashCache.open(ssd, data, config);
    }
    return new Wrapped(data, tiered, cacheBytes, tierBytes);
  }

  /**
   * What the volumes are stored on, and the tiered device within it (null: not tiered). Both
   * address the same blocks: the flash cache passes block addresses through unchanged. The
   * sizes of the SSDs serving the cache and the tier are 0 when the pool has none.
   */
  record Wrapped(BlockDevice data, TieredDevice tiered, long cacheBytes, long tierBytes) {}

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

  private static Drive serviceDrive(PoolSpec spec, String service, JsonNode node,
      Map<String, Drive> drives, Set<String> taken) {
    String name = node.hasNonNull("drive") ? node.get("drive").asText() : null;
    String where = "pool " + spec.name() + ": " + service;
    if (name == null) {
      throw new IllegalArgumentException(where + " needs a 'drive'");
    }
    Drive drive = drives.get(name);
    if (drive == null) {
      throw new IllegalArgumentException(where + " names unknown drive '" + name + "'");
    }
    if (drive.media() != MediaType.SSD) {
      throw new IllegalArgumentException(where + " needs an SSD; drive '" + name + "' is "
          + drive.media());
    }
    if (!taken.add(name)) {
      throw new IllegalArgumentException(where + ": drive '" + name
          + "' already belongs to a pool, a cache or a tier");
    }
    return drive;
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
