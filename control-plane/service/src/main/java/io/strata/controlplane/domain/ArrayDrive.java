package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A drive given to one array (and, once a pool is built on it, to that pool). */
@Entity
@Table(name = "array_drive")
public class ArrayDrive extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "tenant_id", nullable = false)
  public UUID tenantId;

  @Column(name = "array_id", nullable = false)
  public UUID arrayId;

  @Column(name = "drive_id", nullable = false, unique = true)
  public UUID driveId;

  @Column(name = "pool_id")
  public UUID poolId;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Version public long version;
}
