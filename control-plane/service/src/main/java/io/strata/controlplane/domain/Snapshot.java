package io.strata.controlplane.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import java.util.UUID;

/** A point-in-time image of a volume; clones are volumes made from one. */
@Entity
public class Snapshot extends TenantLifecycleEntity {
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

  public void moveTo(SnapshotState next, String reason) {
    state = transition(SnapshotState.MACHINE, state, next, reason);
  }
}
