package io.strata.controlplane.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.controlplane.outbox.ArrayDesiredState.VolumeSpec;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The control plane's desired state in the contracts' terms, as the relay publishes it. */
class DesiredStateTierPinTest {

  static VolumeSpec volume(String tierPin) {
    return new VolumeSpec(UUID.randomUUID(), UUID.randomUUID(), "v", 10, true, null, null, null, List.of(), null,
        null, tierPin);
  }

  @Test
  void aVolumesTierPinTravelsAndNoPinIsNull() {
    assertThat(DesiredStateCommands.volume(volume("SSD")).tierPin()).isEqualTo(DriveType.SSD);
    assertThat(DesiredStateCommands.volume(volume("HDD")).tierPin()).isEqualTo(DriveType.HDD);
    assertThat(DesiredStateCommands.volume(volume(null)).tierPin()).isNull();
  }
}
