package io.strata.billing.rating;

import java.math.BigDecimal;

/**
 * What Strata meters. Rollups keep quantities in exact base units (integers); rating divides by
 * {@link #baseUnitsPerBillingUnit} to get the unit a price plan quotes. Four meters are always
 * charged (a plan without their rate cannot close a month); {@link #USED} is recorded and shown
 * and charged only by a plan that gives it a rate ({@link #chargedOnlyWhenPriced}).
 */
public enum Meter {
  /** Raw drive capacity held by an array, per drive type: byte-seconds, billed per GB-hour (10^9 B x 3600 s). */
  STORAGE("storage", "GB-hour", new BigDecimal("3600000000000")),
  /** Time an engine of a given size ran: seconds, billed per engine-hour. */
  ENGINE("engine", "engine-hour", new BigDecimal("3600")),
  /** Read plus write operations, billed per million. */
  IO("io", "million I/Os", new BigDecimal("1000000")),
  /** Bytes read plus written, billed per GB (10^9 bytes). */
  TRANSFER("transfer", "GB", new BigDecimal("1000000000")),
  /**
   * Space written in the array's pools, per tier it lives on (the samples' {@code poolUsedBytes}):
   * byte-seconds, per GB-hour. Not charged by default: what an array holds is paid through its
   * drives ({@link #STORAGE}, the provisioned capacity, as clouds bill); a plan may price it, for
   * example to charge for SSD-tier use of a tiered HDD pool.
   */
  USED("used", "GB-hour", new BigDecimal("3600000000000"), true),
  /**
   * Space kept for snapshots and for deleted volumes in the recycle bin (the samples'
   * {@code snapshotBytes}): byte-seconds, per GB-hour. Like {@link #USED}, recorded and shown
   * always, charged only by a plan that prices {@code snapshot}.
   */
  SNAPSHOT("snapshot", "GB-hour", new BigDecimal("3600000000000"), true);

  private final String key;
  private final String unit;
  private final BigDecimal baseUnitsPerBillingUnit;
  private final boolean chargedOnlyWhenPriced;

  Meter(String key, String unit, BigDecimal baseUnitsPerBillingUnit) {
    this(key, unit, baseUnitsPerBillingUnit, false);
  }

  Meter(String key, String unit, BigDecimal baseUnitsPerBillingUnit, boolean chargedOnlyWhenPriced) {
    this.key = key;
    this.unit = unit;
    this.baseUnitsPerBillingUnit = baseUnitsPerBillingUnit;
    this.chargedOnlyWhenPriced = chargedOnlyWhenPriced;
  }

  /** Whether usage without a rate in the plan is left off the invoice (rather than refusing to close). */
  public boolean chargedOnlyWhenPriced() {
    return chargedOnlyWhenPriced;
  }

  public String key() {
    return key;
  }

  public String unit() {
    return unit;
  }

  public BigDecimal baseUnitsPerBillingUnit() {
    return baseUnitsPerBillingUnit;
  }

  public static Meter byKey(String key) {
    for (Meter meter : values()) {
      if (meter.key.equals(key)) {
        return meter;
      }
    }
    throw new IllegalArgumentException("unknown meter " + key);
  }
}
