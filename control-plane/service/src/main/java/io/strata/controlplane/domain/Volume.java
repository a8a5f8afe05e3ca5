package io.strata.controlplane.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import java.util.UUID;

/** A block volume in a pool, exported through its array's target. */
@Entity
public class Volume extends TenantLifecycleEntity {
  @Column(name = "array_id", nullable = false)
  public UUID arrayId;

  @Column(name = "pool_id", nullable = false)
  public UUID poolId;

  @Column(nullable = false)
  public String name;

  @Column(name = "size_gib", nullable = false)
  public long sizeGib;

  @Column(nullable = false)
  public boolean thin;

  @Column(name = "qos_iops_limit")
  public Integer qosIopsLimit;

  @Column(name = "qos_mbps_limit")
  public Integer qosMbpsLimit;

  @Column(name = "multi_attach", nullable = false)
  public boolean multiAttach;

  @Column(name = "source_snapshot_id")
  public UUID sourceSnapshotId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public VolumeState state;

  /** The tier of its pool's tiering the volume's data is kept on; null: placed by heat. */
  @Enumerated(EnumType.STRING)
  @Column(name = "tier_pin")
  public DriveType tierPin;

  /** The last rollback asked (the id of its Operation); null when none ever was. */
  @Column(name = "rollback_request_id")
  public UUID rollbackRequestId;

  @Column(name = "rollback_snapshot_id")
  public UUID rollbackSnapshotId;

  /** When the volume went into the recycle bin; null when it is not in the bin. */
  @Column(name = "recycled_at")
  public java.time.Instant recycledAt;

  /** When the purge job deletes it from the bin for good; null when it is not in the bin. */
  @Column(name = "purge_at")
  public java.time.Instant purgeAt;

  /**
   * The pool the volume is moving from to {@link #poolId} (issue 18): its data is copied from
   * there while it serves; null when it is not moving.
   */
  @Column(name = "move_from_pool_id")
  public UUID moveFromPoolId;

  /** The move's progress as the engine reports it: 1 MiB extents copied of all. */
  @Column(name = "move_copied_extents", nullable = false)
  public long moveCopiedExtents;

  @Column(name = "move_total_extents", nullable = false)
  public long moveTotalExtents;

  /** Why the engine's copy stopped (it resumes at its next reload or restart); null while it runs. */
  @Column(name = "move_stopped_reason")
  public String moveStoppedReason;

  /**
   * Whether the current move is the cancel of a move (V21): {@link #poolId} is then the pool the
   * volume came from and {@link #moveFromPoolId} the one it was moving to, the engine moving it
   * back. False when it is not moving.
   */
  @Column(name = "move_cancelling", nullable = false)
  public boolean moveCancelling;

  /** Encrypted at rest (issue 22): its data key is wrapped by the tenant's KEK {@link #kekId}. */
  @Column(nullable = false)
  public boolean encrypted;

  /** The KEK (its id in the KMS) the volume's data key is wrapped by; null for a plain volume. */
  @Column(name = "kek_id")
  public String kekId;

  /**
   * The key state the engine last reported (ACTIVE, KMS_UNREACHABLE, REVOKED, FAILED); null for a
   * plain volume or before a report.
   */
  @Column(name = "key_state")
  public String keyState;

  @Column(name = "key_state_reason")
  public String keyStateReason;

  /** When the move was asked for; kept after it is done, as when the volume last moved. */
  @Column(name = "move_started_at")
  public java.time.Instant moveStartedAt;

  public void moveTo(VolumeState next, String reason) {
    state = transition(VolumeState.MACHINE, state, next, reason);
  }
}
