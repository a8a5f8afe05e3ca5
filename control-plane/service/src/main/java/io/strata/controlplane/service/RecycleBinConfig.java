package io.strata.controlplane.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The recycle bin of deleted volumes ({@code strata.recycle-bin.*}, docs/provisioning.md). */
@ConfigMapping(prefix = "strata.recycle-bin")
public interface RecycleBinConfig {

  /**
   * How long a deleted volume stays restorable before the purge job releases its data. Zero turns
   * the bin off: a delete then removes the volume at once, as before the bin existed.
   */
  @WithDefault("P7D")
  Duration retention();

  /** How often the purge job runs (read by {@code RecycleBinPurger}'s schedule; "off" in tests). */
  @WithDefault("60s")
  String purgeEvery();

  /** How long after start the purge job first runs. */
  @WithDefault("10s")
  String purgeDelay();
}
