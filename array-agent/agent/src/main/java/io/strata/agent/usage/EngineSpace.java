package io.strata.agent.usage;

import io.strata.engine.stats.PoolUsage;
import java.nio.file.Path;
import java.util.List;

/**
 * What an engine's pools hold, as its stats file ({@code strata-engine --stats}) last reported:
 * space written per tier, space only snapshots hold, cache SSD sizes. A state, not a counter: the
 * latest reading is the truth (an engine that stopped leaves its last reading, and its data is
 * still on the drives).
 */
public record EngineSpace(List<PoolUsage> pools) {

  /** No engine, or no readable file: nothing measured. */
  public static final EngineSpace NONE = new EngineSpace(List.of());

  public EngineSpace {
    pools = List.copyOf(pools);
  }

  /** The pools in {@code file}, or {@link #NONE} when there is no (readable) file. */
  public static EngineSpace read(Path file) {
    return EngineStats.read(file).space();
  }

  /** Space written that lives on SSD ({@code ssd} true) or HDD, over all pools. */
  public long usedBytes(boolean ssd) {
    return pools.stream().mapToLong(p -> ssd ? p.ssdUsedBytes() : p.hddUsedBytes()).sum();
  }

  public long snapshotBytes() {
    return pools.stream().mapToLong(PoolUsage::snapshotBytes).sum();
  }

  public long cacheBytes() {
    return pools.stream().mapToLong(PoolUsage::cacheBytes).sum();
  }
}
