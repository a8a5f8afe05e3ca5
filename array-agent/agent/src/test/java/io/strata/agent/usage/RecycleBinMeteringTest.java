package io.strata.agent.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.TierCapacity;
import io.strata.engine.stats.PoolUsage;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A volume in the recycle bin is metered as snapshot space, not as a provisioned volume. */
class RecycleBinMeteringTest {

  private static ArrayDesiredState array(List<VolumeSpec> volumes) {
    return new ArrayDesiredState("a1", "1", "acme", 1, true, new EngineSpec("E01", 1, 1024), 3260,
        "iqn.2026-11.io.strata:acme.a1",
        List.of(new DriveSpec("d1", "n1-ssd-0", DriveType.SSD, 4, "p1"),
            new DriveSpec("d2", "n1-ssd-1", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "fast", DriveType.SSD, "RAID1", "NONE", false, 4)), volumes, List.of(), List.of());
  }

  private static VolumeSpec volume(String id, long gib, boolean recycled) {
    return new VolumeSpec(id, "p1", id, gib, true, null, null, List.of(), null, null, null, recycled);
  }

  @Test
  void aVolumeInTheBinCountsAsSnapshotSpace() {
    UsageSampler sampler = new UsageSampler("1", null, s -> {}, Clock.systemUTC());
    Instant start = Instant.parse("2026-12-07T08:00:00Z");
    EngineSpace engine = new EngineSpace(List.of(
        new PoolUsage("p1", "SSD", false, 4L << 30, 3L << 30, 1L << 30, 0, 5L << 20, 0, 0)));

    ArrayUsageSample sample = sampler.sample(array(List.of(volume("live", 1, false), volume("binned", 2, true))),
        start, start.plusSeconds(60), EngineCounters.NONE, engine);

    TierCapacity ssd = sample.tiers().stream().filter(t -> t.tier() == ArrayUsageSample.DriveType.SSD)
        .findFirst().orElseThrow();
    assertThat(ssd.volumeProvisionedBytes()).as("only the live volume is provisioned").isEqualTo(1L << 30);
    assertThat(sample.snapshotBytes()).as("the engine's snapshots plus the binned volume")
        .isEqualTo((5L << 20) + (2L << 30));

    ArrayUsageSample restored = sampler.sample(array(List.of(volume("live", 1, false), volume("binned", 2, false))),
        start, start.plusSeconds(60), EngineCounters.NONE, engine);
    assertThat(restored.snapshotBytes()).isEqualTo(5L << 20);
    assertThat(restored.tiers().get(0).volumeProvisionedBytes()).isEqualTo(3L << 30);
  }
}
