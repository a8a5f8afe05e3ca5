package io.strata.agent.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which layout changes restart the engine (few), and which it takes by reload (pools and drives coming and going). */
class EngineRestartTest {

  static EngineLayout.Drive drive(String name, String size) {
    return new EngineLayout.Drive(name, "/drives/" + name + ".img", "HDD", size);
  }

  static EngineLayout layout(List<EngineLayout.Drive> drives, List<EngineLayout.Pool> pools) {
    return new EngineLayout(1, drives, pools, List.of(), List.of(), List.of(), List.of(), null);
  }

  static ArrayDesiredState desired(String... poolIds) {
    return new ArrayDesiredState("a1", "1", "acme", 2, true, new EngineSpec("E01", 1, 1024), 3260, "iqn.x:a1",
        List.<DriveSpec>of(), java.util.Arrays.stream(poolIds)
            .map(id -> new PoolSpec(id, id, DriveType.HDD, "NONE", "NONE", false, 4)).toList(),
        List.of(), List.of(), List.of());
  }

  static final EngineLayout.Pool P = new EngineLayout.Pool("p", List.of("a"), "none",
      new EngineLayout.Cache("s", "write-back"), null);

  @Test
  void poolsAndDrivesAddedOrDeletedAreReloadedNotRestarted() {
    EngineLayout before = layout(List.of(drive("a", "4"), drive("s", "4"), drive("b", "4")),
        List.of(P, new EngineLayout.Pool("q", List.of("b"), "none", null, null)));
    EngineLayout after = layout(List.of(drive("a", "4"), drive("s", "4"), drive("c", "4")),
        List.of(P, new EngineLayout.Pool("r", List.of("c"), "none", null, null)));
    assertThat(EngineRestart.reason(before, after, desired("p", "r"))).isNull();
    assertThat(EngineRestart.reason(null, after, desired("p", "r"))).isNull();
  }

  @Test
  void aPoolChangedInPlaceOrNoLongerServableHereRestarts() {
    EngineLayout before = layout(List.of(drive("a", "4"), drive("s", "4")), List.of(P));
    EngineLayout otherCache = layout(before.drives(), List.of(new EngineLayout.Pool("p", List.of("a"), "none",
        new EngineLayout.Cache("s", "write-through"), null)));
    assertThat(EngineRestart.reason(before, otherCache, desired("p"))).contains("pool p changed");
    EngineLayout grownCacheDrive = layout(List.of(drive("a", "4"), drive("s", "8")), List.of(P));
    assertThat(EngineRestart.reason(before, grownCacheDrive, desired("p"))).contains("drive s of pool p");
    EngineLayout leftOut = layout(before.drives(), List.of());
    assertThat(EngineRestart.reason(before, leftOut, desired("p"))).contains("pool p can no longer be served");
    assertThat(EngineRestart.reason(before, leftOut, desired())).as("deleted by the control plane").isNull();
  }

  @Test
  void aScrubAddedChangedOrRemovedIsAReloadNotARestart() {
    EngineLayout before = layout(List.of(drive("a", "4"), drive("s", "4")), List.of(P));
    EngineLayout scrubbing = layout(before.drives(), List.of(new EngineLayout.Pool("p", List.of("a"), "none",
        new EngineLayout.Cache("s", "write-back"), null, new EngineLayout.Scrub("s-1", "50M"))));
    EngineLayout faster = layout(before.drives(), List.of(new EngineLayout.Pool("p", List.of("a"), "none",
        new EngineLayout.Cache("s", "write-back"), null, new EngineLayout.Scrub("s-1", "100M"))));
    assertThat(EngineRestart.reason(before, scrubbing, desired("p"))).isNull();
    assertThat(EngineRestart.reason(scrubbing, faster, desired("p"))).isNull();
    assertThat(EngineRestart.reason(faster, before, desired("p"))).isNull();
  }

  @Test
  void drivesAddedToAParityPoolAreAReloadThatRestripesNotARestart() {
    List<EngineLayout.Drive> drives = List.of(drive("a", "4"), drive("b", "4"), drive("c", "4"), drive("d", "4"),
        drive("e", "4"));
    EngineLayout raid5 = layout(drives, List.of(new EngineLayout.Pool("p", List.of("a", "b", "c"), "parity", null,
        null)));
    EngineLayout wider = layout(drives, List.of(new EngineLayout.Pool("p", List.of("a", "b", "c", "d", "e"),
        "parity", null, null)));
    assertThat(EngineRestart.reason(raid5, wider, desired("p"))).isNull();
    EngineLayout reordered = layout(drives, List.of(new EngineLayout.Pool("p", List.of("b", "a", "c", "d"),
        "parity", null, null)));
    assertThat(EngineRestart.reason(raid5, reordered, desired("p"))).as("members moved").contains("pool p changed");
    EngineLayout raid6 = layout(drives, List.of(new EngineLayout.Pool("p", List.of("a", "b", "c", "d", "e"),
        "parity2", null, null)));
    assertThat(EngineRestart.reason(raid5, raid6, desired("p"))).as("protection changed").contains("pool p changed");
  }
}
