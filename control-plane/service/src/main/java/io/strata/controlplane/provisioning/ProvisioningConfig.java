package io.strata.controlplane.provisioning;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The control plane's side of provisioning over Kafka ({@code strata.provisioning.*}). */
@ConfigMapping(prefix = "strata.provisioning")
public interface ProvisioningConfig {

  /** Relay the outbox and consume strata.events (off in tests that have no Kafka). */
  @WithDefault("true")
  boolean enabled();

  /** How often the relay looks for unpublished outbox rows. */
  @WithDefault("200ms")
  Duration relayInterval();

  /** An array, volume or attachment still in a transitional state after this fails with a reason. */
  @WithDefault("120s")
  Duration transitionTimeout();

  /** A node whose last heartbeat is older than this is OFFLINE and its arrays DEGRADED. */
  @WithDefault("15s")
  Duration heartbeatTimeout();

  /** How often timeouts and heartbeats are checked. */
  @WithDefault("2s")
  Duration watchInterval();
}
