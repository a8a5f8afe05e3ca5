package io.strata.controlplane.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The drive states read from the reason a node reports with a DEGRADED array (the agent's wording). */
class DriveTroublesTest {
  @Test
  void readsEachDriveThatIsNotOnlineWithWhereItIsAndWhy() {
    var troubles = DriveTroubles.in("drive ssd-1 (on another node) FAILED: connection refused; drive hdd-2 REBUILDING;"
        + " no healthy standby: the standby engine's node n2 is not heard from");
    assertThat(troubles).containsExactly(
        new DriveTroubles.Trouble("ssd-1", true, "FAILED", "connection refused"),
        new DriveTroubles.Trouble("hdd-2", false, "REBUILDING", null));
    assertThat(troubles.get(0).failed()).isTrue();
    assertThat(troubles.get(1).failed()).isFalse();
  }

  @Test
  void aReasonWithoutDrivesHasNoTroubles() {
    assertThat(DriveTroubles.in(null)).isEmpty();
    assertThat(DriveTroubles.in("node n1 missed its heartbeats")).isEmpty();
  }
}
