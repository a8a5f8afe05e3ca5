package io.strata.controlplane.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.contracts.event.PoolProgress;
import io.strata.controlplane.domain.PoolActivity;
import org.junit.jupiter.api.Test;

/** A pool's background work as the engine names it: restripes are shown, unknown kinds dropped. */
class PoolActivityKindsTest {
  @Test
  void aRestripeIsStoredAsThePoolsRebuild() {
    PoolActivity row = new PoolActivity();
    PoolActivityReports.apply(row, new PoolProgress("p", new PoolProgress.Rebuild("RESTRIPE", null, null, 1, 4), null));
    assertThat(row.rebuildKind).isEqualTo("RESTRIPE");
    assertThat(row.rebuildBytesDone).isEqualTo(1);
  }

  /** A newer agent's kind would break the table's check and with it the whole array status. */
  @Test
  void aKindThisControlPlaneDoesNotKnowIsDroppedAndTheRestKept() {
    PoolActivity row = new PoolActivity();
    PoolActivityReports.apply(row, new PoolProgress("p", new PoolProgress.Rebuild("RESHAPE", 0, "d", 1, 4),
        new PoolProgress.Scrub("s1", "RUNNING", 1, 10, 0, 0, 0, 0, null, null, null)));
    assertThat(row.rebuildKind).isNull();
    assertThat(row.scrubState).isEqualTo("RUNNING");
  }
}
