package io.strata.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.agent.layout.LayoutFiles;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.event.PoolProgress;
import io.strata.engine.layout.LayoutStatus;
import io.strata.engine.pool.PoolScrub;
import io.strata.engine.stats.StackFigures;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's word on its pools' rebuilds and scrubs, written by the engine's own
 * {@code LayoutStatus} and read back by the agent, becomes {@code ArrayStatus.pools} in the
 * control plane's terms: pool ids as they are, drive serials turned into drive ids.
 */
class PoolProgressReportTest {
  @TempDir Path folder;

  static ArrayDesiredState desired() {
    return new ArrayDesiredState("a1", "1", "acme", 1, true, new EngineSpec("E01", 1, 1024), 3260,
        "iqn.2026-12.io.strata:acme.a1",
        List.of(new DriveSpec("drive-1", "n1-ssd-0", DriveType.SSD, 4, "pool-1"),
            new DriveSpec("drive-9", "n1-ssd-9", DriveType.SSD, 4, "pool-1")),
        List.of(new PoolSpec("pool-1", "fast", DriveType.SSD, "RAID1", "NONE", false, 4)), List.of(), List.of(),
        List.of());
  }

  @Test
  void aRunningCopyAndALastScrubBecomeThePoolsProgressWithDriveIds() throws Exception {
    LayoutFiles files = new LayoutFiles(folder);
    PoolScrub.Progress scrub = new PoolScrub.Progress("s1", PoolScrub.State.DONE, 12, 12, 3, 1, 2, 0, 0,
        Instant.parse("2026-12-07T10:00:00Z").toEpochMilli(), Instant.parse("2026-12-07T10:05:00Z").toEpochMilli(),
        null);
    StackFigures.Rebuild copy = new StackFigures.Rebuild("pool-1", 1, 3, 12, "COPY", 1, "n1-ssd-9", 3L << 20,
        12L << 20);
    LayoutStatus.write(files.status(), 5L, null, List.of(), Map.of(), List.of(), null,
        Map.of("pool-2", "MIRRORED"), null, Map.of("pool-1", scrub), Map.of("pool-1", copy));

    List<PoolProgress> pools = PoolProgressReport.of(files.readStatus(), desired());

    assertThat(pools).as("pool-2 is named only for its cache: left out").hasSize(1);
    PoolProgress p = pools.get(0);
    assertThat(p.poolId()).isEqualTo("pool-1");
    assertThat(p.rebuild()).isEqualTo(new PoolProgress.Rebuild("COPY", 1, "drive-9", 3L << 20, 12L << 20));
    assertThat(p.scrub().requestId()).isEqualTo("s1");
    assertThat(p.scrub().state()).isEqualTo("DONE");
    assertThat(p.scrub().mismatchedBlocks()).isEqualTo(3);
    assertThat(p.scrub().unrepairableBlocks()).isEqualTo(2);
    assertThat(p.scrub().finishedAt()).isEqualTo(Instant.parse("2026-12-07T10:05:00Z"));
  }

  @Test
  void aRestripeIsSentAsItsProgress() throws Exception {
    LayoutFiles files = new LayoutFiles(folder);
    StackFigures.Rebuild restripe = new StackFigures.Rebuild("pool-1", 1, 3, 12, "RESTRIPE", null, null, 3L << 20,
        12L << 20);
    LayoutStatus.write(files.status(), 5L, null, List.of(), Map.of(), List.of(), null, Map.of(), null, Map.of(),
        Map.of("pool-1", restripe));
    assertThat(files.readStatus().pools().get(0).rebuild().kind()).isEqualTo("RESTRIPE");

    List<PoolProgress> pools = PoolProgressReport.of(files.readStatus(), desired());

    assertThat(pools).hasSize(1);
    assertThat(pools.get(0).rebuild()).isEqualTo(new PoolProgress.Rebuild("RESTRIPE", null, null, 3L << 20, 12L << 20));
  }

  @Test
  void aRestripeStoppedByAnErrorIsSentWithItsFailedAttemptsAndTheError() throws Exception {
    LayoutFiles files = new LayoutFiles(folder);
    StackFigures.Rebuild stopped = new StackFigures.Rebuild("pool-1", 1, 3, 12, "RESTRIPE", null, null, 3L << 20,
        12L << 20, 2, "drive n1-ssd-9: write failed");
    LayoutStatus.write(files.status(), 5L, null, List.of(), Map.of(), List.of(), null, Map.of(), null, Map.of(),
        Map.of("pool-1", stopped));

    List<PoolProgress> pools = PoolProgressReport.of(files.readStatus(), desired());

    assertThat(pools.get(0).rebuild()).isEqualTo(new PoolProgress.Rebuild("RESTRIPE", null, null, 3L << 20, 12L << 20,
        2, "drive n1-ssd-9: write failed"));
    // a reader from before the fields still reads the rest (the control plane's Kafka readers ignore unknown fields)
    String json = new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules()
        .writeValueAsString(pools.get(0).rebuild());
    assertThat(json).contains("\"failedAttempts\":2").contains("\"error\":\"drive n1-ssd-9: write failed\"");
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readValue(
        "{\"kind\":\"RESTRIPE\",\"bytesDone\":1,\"bytesTotal\":2}", PoolProgress.Rebuild.class))
        .as("from an agent before the fields").isEqualTo(new PoolProgress.Rebuild("RESTRIPE", null, null, 1, 2));
  }

  @Test
  void anEngineThatSaysNothingOfItsPoolsGivesNoProgress() throws Exception {
    LayoutFiles files = new LayoutFiles(folder);
    LayoutStatus.write(files.status(), 5L, null);
    assertThat(PoolProgressReport.of(files.readStatus(), desired())).isEmpty();
    assertThat(PoolProgressReport.of(null, desired())).isEmpty();
  }
}
