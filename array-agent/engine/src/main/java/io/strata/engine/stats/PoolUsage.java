package io.strata.engine.stats;

/**
 * What one pool of the array holds now, as the engine's stats file reports it (usage samples
 * and billing read it through the agent). All sizes in bytes.
 *
 * @param pool the pool's name in the layout
 * @param media the media of the pool's drives, {@code SSD} or {@code HDD}
 * @param tiered whether an SSD tier sits under the pool's volumes (then {@code ssdUsedBytes}
 *     counts the extents the mover or a pin put on it)
 * @param capacityBytes space the pool offers to volumes (after protection)
 * @param volumeBytes the sizes of its volumes and clones added up (thin: may exceed capacity)
 * @param ssdUsedBytes space written that lives on SSD (a whole SSD pool's, or a tiered pool's
 *     promoted extents)
 * @param hddUsedBytes space written that lives on HDD
 * @param snapshotBytes space only snapshots hold (freed if they were all deleted); part of the
 *     used bytes
 * @param cacheBytes size of the SSD serving the pool's flash cache, 0 without one
 * @param ssdTierBytes size of the SSD serving the pool's SSD tier, 0 without one
 */
public record PoolUsage(String pool, String media, boolean tiered, long capacityBytes,
    long volumeBytes, long ssdUsedBytes, long hddUsedBytes, long snapshotBytes, long cacheBytes,
    long ssdTierBytes) {

  public long usedBytes() {
    return ssdUsedBytes + hddUsedBytes;
  }
}
