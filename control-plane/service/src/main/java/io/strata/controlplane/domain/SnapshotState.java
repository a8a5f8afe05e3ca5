package io.strata.controlplane.domain;

import java.util.EnumSet;

/** Lifecycle of a snapshot. */
public enum SnapshotState {
  CREATING,
  AVAILABLE,
  DELETING,
  DELETED,
  FAILED;

  public static final StateMachine<SnapshotState> MACHINE =
      StateMachine.of("snapshot", SnapshotState.class)
          .from(CREATING, AVAILABLE, DELETING)
          .from(AVAILABLE, DELETING)
          .from(DELETING, DELETED)
          // as a volume: AVAILABLE when reported ready, CREATING on a retry, or DELETING
          .from(FAILED, AVAILABLE, CREATING, DELETING)
          .anyNonTerminalTo(FAILED, EnumSet.of(DELETED))
          .build();
}
