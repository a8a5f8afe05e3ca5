package io.strata.engine.tier;

/**
 * A snapshot of a tiered device's counters.
 *
 * @param promotions extents moved HDD to SSD
 * @param demotions extents moved SSD to HDD
 * @param ssdIos request segments served by the SSD tier
 * @param hddIos request segments served by the HDD tier
 * @param usedSlots SSD slots holding an extent now
 * @param slots SSD slots in all
 * @param reserveSlots slots the mover keeps free for pins and fast promotion
 */
public record TierCounters(
    long promotions, long demotions, long ssdIos, long hddIos, int usedSlots, int slots,
    int reserveSlots) {

  /** Share of request segments the SSD served. */
  public double ssdShare() {
    long all = ssdIos + hddIos;
    return all == 0 ? 0 : (double) ssdIos / all;
  }
}
