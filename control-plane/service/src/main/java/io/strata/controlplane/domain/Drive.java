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

/** A physical drive on a node. Free while no {@link ArrayDrive} holds it. */
@Entity
public class Drive extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "node_id", nullable = false)
  public UUID nodeId;

  @Column(nullable = false, unique = true)
  public String serial;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public DriveType type;

  @Column(name = "capacity_gib", nullable = false)
  public long capacityGib;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public DriveState state;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Version public long version;
}
