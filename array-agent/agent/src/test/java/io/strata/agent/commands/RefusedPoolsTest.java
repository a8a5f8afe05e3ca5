package io.strata.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.LunSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.RollbackSpec;
import io.strata.contracts.command.ArrayDesiredState.SnapshotSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which objects live in a pool the engine refused, as the engine itself leaves them out. */
class RefusedPoolsTest {

  static final String WHY = "pool fast refused: drive 's1' is the flash cache of pool slow";

  @Test
  void thePoolItsVolumesTheirSnapshotsClonesRollbacksAndAttachmentsButNothingElse() {
    ArrayDesiredState desired = new ArrayDesiredState("a1", "1", "acme", 1, true, new EngineSpec("E01", 1, 1024), 3260,
        "iqn.2026-11.io.strata:acme.a1",
        List.of(new DriveSpec("d1", "n1-hdd-0", DriveType.HDD, 16, "slow"),
            new DriveSpec("d2", "n1-ssd-0", DriveType.SSD, 4, "fast")),
        List.of(new PoolSpec("slow", "slow", DriveType.HDD, "NONE", "NONE", false, 16),
            new PoolSpec("fast", "fast", DriveType.SSD, "NONE", "NONE", false, 4)),
        List.of(
            new VolumeSpec("v1", "slow", "ok", 1, true, null, null, List.of(new SnapshotSpec("sn1", "s"))),
            new VolumeSpec("v2", "fast", "gone", 1, true, null, null, List.of(new SnapshotSpec("sn2", "s")), null,
                new RollbackSpec("r2", "sn2")),
            // a clone lives in its source's pool, whatever pool it names
            new VolumeSpec("c2", "slow", "clone", 1, true, null, null, List.of(new SnapshotSpec("sn3", "s")), "sn2",
                null),
            new VolumeSpec("c1", "fast", "clone", 1, true, null, null, List.of(), "sn1", null)),
        List.of(),
        List.of(new LunSpec("t1", "v1", "s1", 0, false), new LunSpec("t2", "c2", "s1", 1, false),
            new LunSpec("t3", "c1", "s1", 2, false)));

    Map<String, String> refused = RefusedPools.objectsIn(desired, Map.of("fast", WHY));

    assertThat(refused).containsOnlyKeys("POOL:fast", "VOLUME:v2", "SNAPSHOT:sn2", "ROLLBACK:r2", "VOLUME:c2",
        "SNAPSHOT:sn3", "LUN:t2");
    assertThat(refused.get("POOL:fast")).isEqualTo(WHY);
    assertThat(refused.get("VOLUME:c2")).isEqualTo("volume c2: " + WHY);
    assertThat(refused.get("LUN:t2")).isEqualTo("attachment t2: " + WHY);
    assertThat(RefusedPools.objectsIn(desired, Map.of())).isEmpty();
  }
}
