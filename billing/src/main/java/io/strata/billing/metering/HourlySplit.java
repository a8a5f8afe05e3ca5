package io.strata.billing.metering;

import io.strata.billing.rating.ResourceKey;
import io.strata.contracts.usage.ArrayUsageSample;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one usage sample into hourly rollup increments. Capacity (drives by type, space written
 * by tier) and engine time are split across the hours the interval covers, by the seconds spent
 * in each; the operation and byte
 * counters of the interval go whole to the hour in which the interval starts (they cannot be
 * divided without inventing fractions of an operation). A sample whose engine was stopped (a
 * hibernated array, issue 18) gives no engine time.
 */
public final class HourlySplit {

  public static List<HourlyIncrement> of(ArrayUsageSample sample) {
    List<HourlyIncrement> increments = new ArrayList<>();
    Instant sliceStart = sample.intervalStart();
    while (sliceStart.isBefore(sample.intervalEnd())) {
      Instant hour = sliceStart.truncatedTo(ChronoUnit.HOURS);
      Instant nextHour = hour.plus(1, ChronoUnit.HOURS);
      Instant sliceEnd = nextHour.isBefore(sample.intervalEnd()) ? nextHour : sample.intervalEnd();
      long seconds = ChronoUnit.SECONDS.between(sliceStart, sliceEnd);
      if (seconds > 0) {
        for (ArrayUsageSample.DriveAllocation drives : sample.drives()) {
          if (drives.bytes() > 0) {
            BigDecimal byteSeconds = BigDecimal.valueOf(drives.bytes()).multiply(BigDecimal.valueOf(seconds));
            increments.add(increment(sample, ResourceKey.storage(drives.driveType().name()), hour, byteSeconds));
          }
        }
        if (!sample.engineStopped()) {
          // a hibernated array's engine does not run: no engine time, its drives still count
          increments.add(increment(sample, ResourceKey.engine(sample.engineSize()), hour, BigDecimal.valueOf(seconds)));
        }
        for (ArrayUsageSample.TierCapacity tier : sample.tiers()) {
          if (tier.poolUsedBytes() > 0) {
            BigDecimal byteSeconds = BigDecimal.valueOf(tier.poolUsedBytes()).multiply(BigDecimal.valueOf(seconds));
            increments.add(increment(sample, ResourceKey.used(tier.tier().name()), hour, byteSeconds));
          }
        }
        if (sample.snapshotBytes() > 0) {
          BigDecimal byteSeconds = BigDecimal.valueOf(sample.snapshotBytes()).multiply(BigDecimal.valueOf(seconds));
          increments.add(increment(sample, ResourceKey.SNAPSHOT, hour, byteSeconds));
        }
      }
      sliceStart = sliceEnd;
    }
    Instant firstHour = sample.intervalStart().truncatedTo(ChronoUnit.HOURS);
    long operations = Math.addExact(sample.readOps(), sample.writeOps());
    if (operations > 0) {
      increments.add(increment(sample, ResourceKey.IO, firstHour, BigDecimal.valueOf(operations)));
    }
    long bytes = Math.addExact(sample.readBytes(), sample.writeBytes());
    if (bytes > 0) {
      increments.add(increment(sample, ResourceKey.TRANSFER, firstHour, BigDecimal.valueOf(bytes)));
    }
    return increments;
  }

  private static HourlyIncrement increment(ArrayUsageSample sample, ResourceKey resource, Instant hour, BigDecimal quantity) {
    return new HourlyIncrement(sample.tenantId(), sample.arrayId(), resource, hour, quantity);
  }

  private HourlySplit() {}
}
