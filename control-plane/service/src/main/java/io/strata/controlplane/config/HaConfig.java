package io.strata.controlplane.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Highly available arrays: failover and switchover timing ({@code strata.ha.*}). */
@ConfigMapping(prefix = "strata.ha")
public interface HaConfig {

  /**
   * The ACTIVE engine's node silent this long while the standby's node is heard from: the standby
   * is promoted. Also how fresh a node's last heartbeat must be for its engine to count as alive.
   */
  @WithDefault("4s")
  Duration failoverAfter();

  /**
   * A planned switchover whose old active has not reported STANDBY at the new epoch after this is
   * finished as a failover (the old active's copies are marked outdated).
   */
  @WithDefault("10s")
  Duration switchoverTimeout();

  /** How often the supervisor looks at every highly available array. */
  @WithDefault("500ms")
  Duration superviseInterval();

  /**
   * Whether the supervisor places a new standby engine (on a third node, its drives rebuilt from
   * the active's copies) when an array's standby runs on a node in MAINTENANCE. Off by default:
   * the engine cannot yet take a new pool member while it runs (a reload that changes a kept
   * pool's drives is refused), so the active would keep its old layout; see
   * docs/high-availability.md, "A new standby after a drain".
   */
  @WithDefault("false")
  boolean relocateStandby();
}
