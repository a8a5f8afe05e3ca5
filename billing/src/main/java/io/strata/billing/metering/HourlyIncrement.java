package io.strata.billing.metering;

import io.strata.billing.rating.ResourceKey;
import java.math.BigDecimal;
import java.time.Instant;

/** What one reading adds to one hourly rollup row, in the meter's base unit. */
public record HourlyIncrement(String tenantId, String arrayId, ResourceKey resource, Instant hour, BigDecimal quantity) {

  /** The rollup row this increment adds to. */
  public record Row(String tenantId, String arrayId, String resource, Instant hour) {}

  public Row row() {
    return new Row(tenantId, arrayId, resource.toString(), hour);
  }
}
