package io.strata.controlplane.domain;

/** The role of one engine of a highly available array. */
public enum EngineRole {
  /** Opens the pools and serves I/O (ALUA active/optimized). */
  ACTIVE,
  /** Serves logins and discovery, opens no drive; promoted when the active is lost or drained. */
  STANDBY
}
