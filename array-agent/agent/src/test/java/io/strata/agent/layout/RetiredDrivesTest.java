package io.strata.agent.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetiredDrivesTest {

  @TempDir Path dir;

  EngineLayout.Drive drive(String name) {
    return new EngineLayout.Drive(name, dir.resolve(name + ".img").toString(), "SSD", null);
  }

  ArrayDesiredState next(List<DriveSpec> drives, List<PoolSpec> pools) {
    return new ArrayDesiredState("a1", "1", "acme", 2, true, new EngineSpec("E01", 1, 1024), 3260, "iqn.x:a1",
        drives, pools, List.of(), List.of(), List.of());
  }

  @Test
  void onlyTheDrivesOfADeletedPoolOrOfNoLongerGivenDrivesAreRetiredNotThoseOfAPoolThatStays() {
    EngineLayout previous = new EngineLayout(3, List.of(drive("a"), drive("b"), drive("c"), drive("d"), drive("e")),
        List.of(new EngineLayout.Pool("gone", List.of("a"), "none", new EngineLayout.Cache("b", "write-back"), null),
            new EngineLayout.Pool("kept", List.of("c"), "none", null, null)),
        List.of(), List.of(), List.of(), List.of(), null);
    var desired = next(List.of(new DriveSpec("1", "a", DriveType.SSD, 4, null), new DriveSpec("2", "b", DriveType.SSD, 4, null),
        new DriveSpec("3", "c", DriveType.SSD, 4, "kept"), new DriveSpec("4", "d", DriveType.SSD, 4, null)),
        List.of(new PoolSpec("kept", "kept", DriveType.SSD, "NONE", "NONE", false, 4)));
    assertThat(RetiredDrives.between(previous, desired)).extracting(EngineLayout.Drive::name)
        .containsExactlyInAnyOrder("a", "b", "e");
  }

  @Test
  void wipingZeroesTheLabelAreaAndLeavesTheRestOfTheDrive() throws Exception {
    byte[] content = new byte[3 << 20];
    Arrays.fill(content, (byte) 7);
    Path file = Files.write(dir.resolve("a.img"), content);
    assertThat(RetiredDrives.wipe(List.of(drive("a"), drive("missing")))).isEmpty();
    byte[] after = Files.readAllBytes(file);
    assertThat(after).hasSize(content.length);
    assertThat(Arrays.copyOfRange(after, 0, 1 << 20)).containsOnly((byte) 0);
    assertThat(Arrays.copyOfRange(after, 1 << 20, after.length)).containsOnly((byte) 7);
  }
}
