package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A block volume in a pool, exported through its array's target. */
@Entity
public class Volume extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "tenant_id", nullable = false)
  public UUID tenantId;

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

  @Column(name = "failure_reason")
  public String failureReason;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Version public long version;

  public void moveTo(VolumeState next, String reason) {
    state = VolumeState.MACHINE.require(state, next, reason);
    updatedAt = Instant.now();
  }
}
