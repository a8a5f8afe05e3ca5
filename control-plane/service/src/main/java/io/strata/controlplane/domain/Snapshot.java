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

/** A point-in-time image of a volume; clones are volumes made from one. */
@Entity
public class Snapshot extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "tenant_id", nullable = false)
  public UUID tenantId;

  @Column(name = "volume_id", nullable = false)
  public UUID volumeId;

  @Column(name = "policy_id")
  public UUID policyId;

  @Column(nullable = false)
  public String name;

  @Column(name = "size_gib", nullable = false)
  public long sizeGib;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public SnapshotState state;

  @Column(name = "failure_reason")
  public String failureReason;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Version public long version;

  public void moveTo(SnapshotState next, String reason) {
    state = SnapshotState.MACHINE.require(state, next, reason);
    updatedAt = Instant.now();
  }
}
