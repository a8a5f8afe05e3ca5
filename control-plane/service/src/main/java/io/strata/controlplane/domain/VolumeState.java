package io.strata.controlplane.domain;

import java.util.EnumSet;

/** Lifecycle of a volume. Whether it may be deleted also depends on its attachments. */
public enum VolumeState {
  CREATING,
  AVAILABLE,
  RESIZING,
  /** The volume's content is being replaced by that of one of its snapshots. */
  ROLLING_BACK,
  /**
   * Deleted by the tenant and kept in the recycle bin: its data stays on the pool, it serves no
   * LUN, and it is restored (AVAILABLE) or purged (DELETING) later (docs/provisioning.md).
   */
  RECYCLED,
  /**
   * Moving to another pool of its array online (issue 18): it serves I/O, may be attached and
   * detached and have its QoS changed, but is not resized, rolled back, snapshotted or deleted
   * until the engine reports the move done (AVAILABLE again).
   */
  MOVING,
  DELETING,
  DELETED,
  FAILED;

  public static final StateMachine<VolumeState> MACHINE =
      StateMachine.of("volume", VolumeState.class)
          // MOVING: retried after it failed while moving, served again with its move going on
          .from(CREATING, AVAILABLE, DELETING, MOVING)
          .from(AVAILABLE, RESIZING, ROLLING_BACK, RECYCLED, MOVING, DELETING)
          .from(MOVING, AVAILABLE)
          .from(RECYCLED, AVAILABLE, DELETING)
          .from(RESIZING, AVAILABLE)
          .from(ROLLING_BACK, AVAILABLE)
          .from(DELETING, DELETED)
          // back to AVAILABLE when the node reports it ready again, CREATING on a retry (the
          // node confirms it), or DELETING (also how a failed delete is finished); MOVING when
          // it failed while moving and its move goes on or is cancelled (VolumeMoves)
          .from(FAILED, AVAILABLE, CREATING, DELETING, MOVING)
          .anyNonTerminalTo(FAILED, EnumSet.of(DELETED))
          .build();

  /**
   * States in which the volume still exists for attachments, snapshot policies and QoS changes
   * (a MOVING one too: it serves I/O throughout). Not while ROLLING_BACK: its content is being replaced, and nothing new should be built on it meanwhile.
   */
  public boolean isLive() {
    return this == CREATING || this == AVAILABLE || this == RESIZING || this == MOVING;
  }
}
