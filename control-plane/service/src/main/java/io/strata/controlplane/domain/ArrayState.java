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
          // FAILED is not a dead end: its node reports it serving again (ONLINE, DEGRADED), a
          // retry resends its desired state (PROVISIONING), or it is deleted (DELETING, also how a
          // failed delete is finished); which applies follows from the state it failed from
          .from(FAILED, PLACING, PROVISIONING, ONLINE, DEGRADED, DELETING)
          .anyNonTerminalTo(FAILED, EnumSet.of(DELETED))
          .build();

  /** States in which the array accepts new volumes, attachments and drives (desired state). */
  public boolean acceptsChanges() {
    return this == PROVISIONING || this == ONLINE || this == DEGRADED;
  }
}
