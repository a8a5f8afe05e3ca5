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

  public void moveTo(VolumeState next, String reason) {
    state = transition(VolumeState.MACHINE, state, next, reason);
  }
}
