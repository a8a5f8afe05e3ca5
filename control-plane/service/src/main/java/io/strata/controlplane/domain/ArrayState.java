package io.strata.controlplane.domain;

import java.util.EnumSet;

/** Lifecycle of a VPSA (ARCHITECTURE.md, control-plane). */
public enum ArrayState {
  REQUESTED,
  PLACING,
  PROVISIONING,
  ONLINE,
  DEGRADED,
  DELETING,
  DELETED,
  FAILED;

  public static final StateMachine<ArrayState> MACHINE =
      StateMachine.of("array", ArrayState.class)
          .from(REQUESTED, PLACING)
          .from(PLACING, PROVISIONING)
          // an engine that starts without one of its drives (a lending node down) serves, degraded
          .from(PROVISIONING, ONLINE, DEGRADED, DELETING)
          .from(ONLINE, DEGRADED, DELETING)
          .from(DEGRADED, ONLINE, DELETING)
          .from(DELETING, DELETED)
          // a failed array can be retried (placed again) or deleted
          .from(FAILED, PLACING, DELETING)
          .anyNonTerminalTo(FAILED, EnumSet.of(DELETED))
          .build();

  /** States in which the array accepts new volumes, attachments and drives (desired state). */
  public boolean acceptsChanges() {
    return this == PROVISIONING || this == ONLINE || this == DEGRADED;
  }
}
