package io.strata.controlplane.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Names of scheduled snapshots: the policy's name and the UTC time, always a valid snapshot name. */
class SnapshotNameTest {
  private static final String VALID = "^[a-z0-9][a-z0-9-]{0,62}$";
  private static final Instant AT = Instant.parse("2026-11-25T22:15:07Z");

  @Test
  void isThePolicyNameAndTheUtcTime() {
    assertThat(SnapshotScheduler.snapshotName("hourly", AT)).isEqualTo("hourly-20261125-221507");
  }

  @Test
  void aLongPolicyNameIsCutSoTheNameStaysWithin63CharactersAndValid() {
    String name = SnapshotScheduler.snapshotName("a".repeat(40) + "-" + "b".repeat(22), AT);
    assertThat(name).hasSizeLessThanOrEqualTo(63).matches(VALID).endsWith("-20261125-221507");
    // a cut that would end in a hyphen does not leave a double hyphen behind
    String cutAtHyphen = SnapshotScheduler.snapshotName("c".repeat(46) + "-" + "d".repeat(15), AT);
    assertThat(cutAtHyphen).matches(VALID).doesNotContain("--");
  }
}
