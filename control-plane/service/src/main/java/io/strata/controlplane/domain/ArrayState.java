package io.strata.controlplane.domain;

import java.util.EnumSet;

/** Lifecycle of a VPSA (ARCHITECTURE.md, control-plane). */
public enum ArrayState {
  REQUESTED,
  PLACING,
  PROVISIONING,
  ONLINE,
  DEGRADED,
  /** The engine restarts (or, highly available, switches over) at a new engine size. */
  RESIZING,
  /** The engines are being stopped; drives and data stay. */
  HIBERNATING,
  /** No engine runs: its vCPU and memory are free on the node, its drives and data kept. */
  HIBERNATED,
  /** The engines are starting again after hibernation. */
  RESUMING,
  DELETING,
  DELETED,
  FAILED;

  public static final StateMachine<ArrayState> MACHINE =
      StateMachine.of("array", ArrayState.class)
          .from(REQUESTED, PLACING)
          .from(PLACING, PROVISIONING)
          // an engine that starts without one of its drives (a lending node down) serves, degraded
          .from(PROVISIONING, ONLINE, DEGRADED, DELETING)
          .from(ONLINE, DEGRADED, RESIZING, HIBERNATING, DELETING)
          .from(DEGRADED, ONLINE, RESIZING, HIBERNATING, DELETING)
          // issue 18: resize ends when the engine reports serving at the new size
          .from(RESIZING, ONLINE, DEGRADED)
          .from(HIBERNATING, HIBERNATED)
          .from(HIBERNATED, RESUMING, DELETING)
          .from(RESUMING, ONLINE, DEGRADED)
          .from(DELETING, DELETED)
          // FAILED is not a dead end: its node reports it serving again (ONLINE, DEGRADED), a
          // retry resends its desired state (PROVISIONING), or it is deleted (DELETING, also how a
          // failed delete is finished); which applies follows from the state it failed from
          // (HIBERNATED: it failed while hibernating and its node reports its engine stopped;
          // HIBERNATING, RESUMING, RESIZING: a retry of what it failed doing)
          .from(FAILED, PLACING, PROVISIONING, ONLINE, DEGRADED, RESIZING, HIBERNATING, HIBERNATED, RESUMING, DELETING)
          .anyNonTerminalTo(FAILED, EnumSet.of(DELETED))
          .build();

  /** States in which the array accepts new volumes, attachments and drives (desired state). */
  public boolean acceptsChanges() {
    return this == PROVISIONING || this == ONLINE || this == DEGRADED;
  }

  /** States in which the array's engine is meant to be stopped (its share of the node is free once HIBERNATED). */
  public boolean hibernation() {
    return this == HIBERNATING || this == HIBERNATED;
  }

  /** States in which the array's engine runs (or is starting) and is expected to report serving. */
  public boolean engineRuns() {
    return this == PROVISIONING || this == ONLINE || this == DEGRADED || this == RESIZING || this == RESUMING;
  }
}
