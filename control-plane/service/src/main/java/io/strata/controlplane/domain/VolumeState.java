package io.strata.controlplane.domain;

import java.util.EnumSet;

/** Lifecycle of a volume. Whether it may be deleted also depends on its attachments. */
public enum VolumeState {
  CREATING,
  AVAILABLE,
  RESIZING,
  DELETING,
  DELETED,
  FAILED;

  public static final StateMachine<VolumeState> MACHINE =
      StateMachine.of("volume", VolumeState.class)
          .from(CREATING, AVAILABLE, DELETING)
          .from(AVAILABLE, RESIZING, DELETING)
          .from(RESIZING, AVAILABLE)
          .from(DELETING, DELETED)
          .from(FAILED, DELETING)
          .anyNonTerminalTo(FAILED, EnumSet.of(DELETED))
          .build();

  /** States in which the volume still exists for attachments, snapshots and QoS changes. */
  public boolean isLive() {
    return this == CREATING || this == AVAILABLE || this == RESIZING;
  }
}
