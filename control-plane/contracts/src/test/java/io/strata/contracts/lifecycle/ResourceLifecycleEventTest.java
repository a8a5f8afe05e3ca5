package io.strata.contracts.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.lifecycle.ResourceLifecycleEvent.Change;
import io.strata.contracts.lifecycle.ResourceLifecycleEvent.Resource;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResourceLifecycleEventTest {

  final MessageCodec codec = MessageCodec.of(LifecycleMessages.RESOURCE_LIFECYCLE);

  @Test
  void roundTripsAVolumeResize() throws Exception {
    ResourceLifecycleEvent resized = new ResourceLifecycleEvent(Resource.VOLUME, Change.RESIZED, "acme", "a-1",
        "v-1", null, 250_000_000_000L, Instant.parse("2026-10-03T10:00:00Z"));
    Envelope sent = codec.envelope(LifecycleMessages.RESOURCE_LIFECYCLE, "control-plane", 9, "volume/v-1", resized);
    Envelope back = codec.decode(codec.encode(sent));
    assertThat(back.type()).startsWith(LifecycleMessages.TYPE_PREFIX);
    assertThat(codec.payload(back, LifecycleMessages.RESOURCE_LIFECYCLE)).isEqualTo(resized);
  }

  @Test
  void aVolumeEventNamesItsVolume() {
    assertThatThrownBy(() -> new ResourceLifecycleEvent(Resource.VOLUME, Change.CREATED, "acme", "a-1", null, null,
            10L, Instant.now()))
        .hasMessageContaining("volumeId");
  }
}
