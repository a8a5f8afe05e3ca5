package io.strata.agent.layout;

import static io.strata.agent.layout.EngineRestartTest.desired;
import static io.strata.agent.layout.EngineRestartTest.drive;
import static io.strata.agent.layout.EngineRestartTest.layout;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A drive replaced in a pool by the control plane: the new drive takes the outgoing drive's
 * position in the engine's layout (whatever its serial), and the engine takes it by reload,
 * not by a restart that would drop every session.
 */
class MemberReplacementLayoutTest {
  static EngineLayout.Pool raid5(String... members) {
    return new EngineLayout.Pool("p", List.of(members), "parity", null, null);
  }

  @Test
  void theNewDriveTakesTheOutgoingDrivesPositionAndTheOthersKeepTheirs() {
    EngineLayout before = layout(List.of(drive("s1", "4"), drive("s5", "4"), drive("s7", "4")),
        List.of(raid5("s5", "s1", "s7")));
    // the planner lists members in serial order: s0 (new), s1, s7; s5 has left
    EngineLayout planned = layout(List.of(drive("s0", "4"), drive("s1", "4"), drive("s7", "4")),
        List.of(raid5("s0", "s1", "s7")));
    assertThat(MemberPositions.keep(before, planned).pools().get(0).drives())
        .as("s0 in s5's place (first), s1 and s7 where they were").containsExactly("s0", "s1", "s7");

    EngineLayout plannedOther = layout(List.of(drive("s1", "4"), drive("s7", "4"), drive("s9", "4")),
        List.of(raid5("s1", "s7", "s9")));
    assertThat(MemberPositions.keep(before, plannedOther).pools().get(0).drives())
        .as("s9 in s5's place, s1 and s7 where they were").containsExactly("s9", "s1", "s7");
    assertThat(MemberPositions.keep(null, plannedOther)).isSameAs(plannedOther);
    EngineLayout shrunk = layout(plannedOther.drives(), List.of(raid5("s1", "s9")));
    assertThat(MemberPositions.keep(before, shrunk)).as("fewer drives: as planned").isSameAs(shrunk);
  }

  static EngineLayout.Pool mirror(String... members) {
    return new EngineLayout.Pool("p", List.of(members), "mirror", null, null);
  }

  @Test
  void aGrownMirrorOrRaid5KeepsItsMembersWhereTheyWereAndTakesItsNewDrivesByReload() {
    EngineLayout before = layout(List.of(drive("s5", "4"), drive("s7", "4")), List.of(mirror("s7", "s5")));
    // the planner lists members in serial order; the new pair s1, s9 goes after the old members
    EngineLayout planned = layout(List.of(drive("s1", "4"), drive("s5", "4"), drive("s7", "4"), drive("s9", "4")),
        List.of(mirror("s1", "s5", "s7", "s9")));
    EngineLayout kept = MemberPositions.keep(before, planned);
    assertThat(kept.pools().get(0).drives()).containsExactly("s7", "s5", "s1", "s9");
    assertThat(EngineRestart.reason(before, kept, desired("p"))).isNull();

    EngineLayout odd = layout(planned.drives(), List.of(mirror("s7", "s5", "s1")));
    assertThat(EngineRestart.reason(before, odd, desired("p"))).contains("pool p changed");
    EngineLayout parity = layout(List.of(drive("a", "4"), drive("b", "4"), drive("c", "4")),
        List.of(raid5("a", "b", "c")));
    // a RAID5 pool grows in place too (the engine restripes it): its members where they were, the new drive after
    EngineLayout wider = layout(List.of(drive("0", "4"), drive("a", "4"), drive("b", "4"), drive("c", "4")),
        List.of(raid5("0", "a", "b", "c")));
    EngineLayout widerKept = MemberPositions.keep(parity, wider);
    assertThat(widerKept.pools().get(0).drives()).containsExactly("a", "b", "c", "0");
    assertThat(EngineRestart.reason(parity, widerKept, desired("p"))).isNull();
    assertThat(EngineRestart.reason(parity, wider, desired("p"))).as("members moved").contains("pool p changed");
  }

  @Test
  void aScrubRequestOfAKeptPoolReachesTheLayout() {
    // found by the scrub end-to-end test (PoolOperationsEndToEndIT): a kept pool was rebuilt without its scrub, so a scrub asked
    // through the API never reached the engine
    EngineLayout before = layout(List.of(drive("s1", "4"), drive("s5", "4"), drive("s7", "4")),
        List.of(raid5("s5", "s1", "s7")));
    EngineLayout.Scrub scrub = new EngineLayout.Scrub("r1", "50M");
    EngineLayout planned = layout(before.drives(),
        List.of(new EngineLayout.Pool("p", List.of("s1", "s5", "s7"), "parity", null, null, scrub)));
    EngineLayout kept = MemberPositions.keep(before, planned);
    assertThat(kept.pools().get(0).drives()).containsExactly("s5", "s1", "s7");
    assertThat(kept.pools().get(0).scrub()).isEqualTo(scrub);
  }

  @Test
  void aReplacedMemberIsReloadedUnlessTheOutgoingDriveStaysOrTheNewOneIsRemote() {
    EngineLayout before = layout(List.of(drive("a", "4"), drive("b", "4"), drive("c", "4")),
        List.of(raid5("a", "b", "c")));
    EngineLayout replaced = layout(List.of(drive("a", "4"), drive("n", "4"), drive("c", "4")),
        List.of(raid5("a", "n", "c")));
    assertThat(EngineRestart.reason(before, replaced, desired("p"))).isNull();

    EngineLayout outgoingStays = layout(List.of(drive("a", "4"), drive("b", "4"), drive("n", "4"),
        drive("c", "4")), List.of(raid5("a", "n", "c")));
    assertThat(EngineRestart.reason(before, outgoingStays, desired("p"))).contains("pool p changed");

    EngineLayout.Drive remote = new EngineLayout.Drive("n", null, "HDD", "4",
        new EngineLayout.Remote("10.0.0.2:3260", "iqn.x:n", 0, "iqn.x:a1", null));
    EngineLayout remoteIncoming = layout(List.of(drive("a", "4"), remote, drive("c", "4")),
        List.of(raid5("a", "n", "c")));
    assertThat(EngineRestart.reason(before, remoteIncoming, desired("p"))).contains("pool p changed");

    EngineLayout reordered = layout(before.drives(), List.of(raid5("b", "a", "c")));
    assertThat(EngineRestart.reason(before, reordered, desired("p"))).as("a and b both still listed")
        .contains("pool p changed");
  }
}
