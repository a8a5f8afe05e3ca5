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

  /**
   * An array, volume, snapshot or attachment still in a transitional state after this fails with
   * a reason, once its node has been heard from since this much time passed (a node whose
   * heartbeats are late has not had its time: see {@link #lateNodeTransitionTimeout}).
   */
  @WithDefault("120s")
  Duration transitionTimeout();

  /**
   * How long a transition waits for a node whose heartbeats stopped or are late (a machine
   * starved of CPU, a backlog of reports) before it fails all the same: its node may well report
   * it done once it is heard again. A decommissioned node is not waited for.
   */
  @WithDefault("10m")
  Duration lateNodeTransitionTimeout();

  /** A node whose last heartbeat is older than this is OFFLINE and its arrays DEGRADED. */
  @WithDefault("15s")
  Duration heartbeatTimeout();

  /**
   * How much older than its read a heartbeat read promptly may count (an agent's clock running
   * behind makes its heartbeats look older than they are): it counts from the later of its send
   * time and its read less the larger of this and how long ago it reached Kafka (NodeReports).
   */
  @WithDefault("1s")
  Duration heartbeatSendBound();

  /** How often timeouts and heartbeats are checked. */
  @WithDefault("2s")
  Duration watchInterval();
}
