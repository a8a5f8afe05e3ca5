package io.strata.billing.rating;

import java.math.BigDecimal;

/**
 * The four things Strata charges for. Rollups keep quantities in exact base units (integers);
 * rating divides by {@link #baseUnitsPerBillingUnit} to get the unit a price plan quotes.
 */
public enum Meter {
  /** Raw drive capacity held by an array, per drive type: byte-seconds, billed per GB-hour (10^9 B x 3600 s). */
  STORAGE("storage", "GB-hour", new BigDecimal("3600000000000")),
  /** Time an engine of a given size ran: seconds, billed per engine-hour. */
  ENGINE("engine", "engine-hour", new BigDecimal("3600")),
  /** Read plus write operations, billed per million. */
  IO("io", "million I/Os", new BigDecimal("1000000")),
  /** Bytes read plus written, billed per GB (10^9 bytes). */
  TRANSFER("transfer", "GB", new BigDecimal("1000000000"));

  private final String key;
  private final String unit;
  private final BigDecimal baseUnitsPerBillingUnit;

  Meter(String key, String unit, BigDecimal baseUnitsPerBillingUnit) {
    this.key = key;
    this.unit = unit;
    this.baseUnitsPerBillingUnit = baseUnitsPerBillingUnit;
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
