package io.strata.controlplane.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.controlplane.outbox.ArrayDesiredState.VolumeSpec;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** An encrypted volume's KEK id reaches the agent's desired state; a plain volume has none. */
class DesiredStateEncryptionTest {

  private static VolumeSpec volume(String kekId) {
    return new VolumeSpec(UUID.randomUUID(), UUID.randomUUID(), "v", 10, true, null, null, null, List.of(), null,
        null, null, false, null, kekId);
  }

  @Test
  void theKekIdTravelsAndAPlainVolumeHasNone() {
    assertThat(DesiredStateCommands.volume(volume("17")).encryptionKekId()).isEqualTo("17");
    assertThat(DesiredStateCommands.volume(volume(null)).encryptionKekId()).isNull();
  }
}
