package io.strata.controlplane.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.contracts.command.ArrayDesiredState.ScrubSpec;
import io.strata.controlplane.outbox.ArrayDesiredState.PoolSpec;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A pool's scrub request in the contracts' terms, as the relay publishes it. */
class DesiredStateScrubTest {

  @Test
  void aScrubRequestTravelsWithItsRateAndAPoolNeverScrubbedHasNone() {
    UUID request = UUID.randomUUID();
    PoolSpec scrubbed = new PoolSpec(UUID.randomUUID(), "p", "SSD", "RAID1", "NONE", false, 4, request, 40);
    assertThat(DesiredStateCommands.scrub(scrubbed)).isEqualTo(new ScrubSpec(request.toString(), 40));
    PoolSpec never = new PoolSpec(UUID.randomUUID(), "p", "SSD", "RAID1", "NONE", false, 4);
    assertThat(DesiredStateCommands.scrub(never)).isNull();
  }
}
