package io.strata.billing.metering;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HourlySplitTest {

  static ArrayUsageSample sample(Instant start, Instant end) {
    return new ArrayUsageSample("a-1", "acme", "node-1", start, end,
        List.of(new DriveAllocation(DriveType.SSD, 1, 1_000_000_000_000L)), "small", List.of(), 0, 0,
        100, 50, 4_000, 1_000);
  }

  @Test
  void splitsCapacityAndEngineTimeAcrossTheHoursByTheSecond() {
    Instant start = Instant.parse("2026-10-01T09:45:00Z");
    List<HourlyIncrement> increments = HourlySplit.of(sample(start, start.plus(Duration.ofMinutes(30))));
    Map<String, BigDecimal> byRowAndHour = increments.stream()
        .collect(Collectors.toMap(i -> i.resource() + "@" + i.hour(), HourlyIncrement::quantity));
    assertThat(byRowAndHour).containsOnlyKeys(
        "storage:SSD@2026-10-01T09:00:00Z", "storage:SSD@2026-10-01T10:00:00Z",
        "engine:small@2026-10-01T09:00:00Z", "engine:small@2026-10-01T10:00:00Z",
        "io@2026-10-01T09:00:00Z", "transfer@2026-10-01T09:00:00Z");
    assertThat(byRowAndHour.get("storage:SSD@2026-10-01T09:00:00Z")).isEqualByComparingTo("900000000000000"); // 10^12 B x 900 s
    assertThat(byRowAndHour.get("engine:small@2026-10-01T10:00:00Z")).isEqualByComparingTo("900");
    assertThat(byRowAndHour.get("io@2026-10-01T09:00:00Z")).isEqualByComparingTo("150");
    assertThat(byRowAndHour.get("transfer@2026-10-01T09:00:00Z")).isEqualByComparingTo("5000");
  }

  @Test
  void spaceWrittenIsMeteredPerTierLikeCapacity() {
    Instant start = Instant.parse("2026-10-01T09:00:00Z");
    ArrayUsageSample sample = new ArrayUsageSample("a-1", "acme", "node-1", start, start.plusSeconds(60),
        List.of(new DriveAllocation(DriveType.HDD, 1, 16_000_000_000L)), "small",
        List.of(new ArrayUsageSample.TierCapacity(DriveType.HDD, 16_000_000_000L, 3_000_000L, 2_000_000_000L),
            new ArrayUsageSample.TierCapacity(DriveType.SSD, 0, 1_000_000L, 0)),
        4_000_000_000L, 1_000_000L, 0, 0, 0, 0);
    Map<String, BigDecimal> byResource = HourlySplit.of(sample).stream()
        .collect(Collectors.toMap(i -> i.resource().toString(), HourlyIncrement::quantity));
    assertThat(byResource).containsOnlyKeys("storage:HDD", "engine:small", "used:HDD", "used:SSD", "snapshot");
    assertThat(byResource.get("used:HDD")).isEqualByComparingTo("180000000"); // 3 MB x 60 s
    assertThat(byResource.get("used:SSD")).isEqualByComparingTo("60000000");
    assertThat(byResource.get("snapshot")).as("snapshots and the recycle bin").isEqualByComparingTo("60000000");
  }

  @Test
  void aHibernatedArraysSampleMetersItsDrivesButNoEngineTime() {
    Instant start = Instant.parse("2026-10-01T09:00:00Z");
    ArrayUsageSample hibernated = new ArrayUsageSample("a-1", "acme", "node-1", start, start.plusSeconds(60),
        List.of(new DriveAllocation(DriveType.SSD, 1, 1_000_000_000_000L)), "E01", List.of(), 0, 0, 0, 0, 0, 0, true);
    Map<String, BigDecimal> byResource = HourlySplit.of(hibernated).stream()
        .collect(Collectors.toMap(i -> i.resource().toString(), HourlyIncrement::quantity));
    assertThat(byResource).containsOnlyKeys("storage:SSD");
    assertThat(byResource.get("storage:SSD")).isEqualByComparingTo("60000000000000");
  }

  @Test
  void aSampleInsideOneHourIsOneRowPerResource() {
    Instant start = Instant.parse("2026-10-01T09:00:00Z");
    assertThat(HourlySplit.of(sample(start, start.plusSeconds(60)))).hasSize(4)
        .allSatisfy(i -> assertThat(i.hour()).isEqualTo(start));
  }

  @Test
  void lateMeansBeyondGraceBehindTheArraysNewestSample() {
    Instant watermark = Instant.parse("2026-10-01T12:00:00Z");
    Duration grace = Duration.ofHours(6);
    assertThat(Lateness.beyondGrace(null, Instant.parse("2020-01-01T00:00:00Z"), grace)).isFalse();
    assertThat(Lateness.beyondGrace(watermark, Instant.parse("2026-10-01T06:00:00Z"), grace)).isFalse();
    assertThat(Lateness.beyondGrace(watermark, Instant.parse("2026-10-01T05:59:59Z"), grace)).isTrue();
  }
}
