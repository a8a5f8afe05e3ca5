package io.strata.engine.layout;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.drive.Drive;
import io.strata.engine.layout.ArrayLayout.PoolSpec;
import java.util.Map;

/**
 * Where a pool's flash cache and tiering wrap it before the volumes see it (SPDK's bdev
 * pass-through model: each is a {@link BlockDevice} over a {@link BlockDevice}). The layout
 * reserves the pool fields {@code cache} and {@code tiering}; the packages that implement them
 * ({@code io.strata.engine.cache}, {@code io.strata.engine.tier}) plug in here.
 */
final class PoolServices {
  private PoolServices() {}

  static BlockDevice wrap(PoolSpec spec, BlockDevice pool, Map<String, Drive> drives) {
    if (spec.cache() != null && !spec.cache().isNull()) {
      throw new IllegalArgumentException("pool " + spec.name()
          + ": a flash cache is not available in this engine build");
    }
    if (spec.tiering() != null && !spec.tiering().isNull()) {
      throw new IllegalArgumentException("pool " + spec.name()
          + ": tiering is not available in this engine build");
    }
    return pool;
  }
}
