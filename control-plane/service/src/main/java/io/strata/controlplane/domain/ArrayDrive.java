package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/**
 * A drive given to one array (and, once a pool uses it, to that pool: as a member, its flash
 * cache or its SSD tier, see {@link DriveRole}). {@code poolId} and {@code role} are set and
 * cleared together (a database constraint says so); a drive with no pool is free.
 */
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

  @Enumerated(EnumType.STRING)
  @Column(name = "role")
  public DriveRole role;

  /**
   * Which of a mirrored cache's or tier's two SSDs this is (1 or 2): a highly available array's
   * pool has one on each engine node. 1 for everything else.
   */
  @Column(name = "role_copy", nullable = false)
  public short roleCopy = 1;

  /** Gives the drive to {@code pool} in {@code role}. */
  public void giveTo(UUID pool, DriveRole as) {
    giveTo(pool, as, 1);
  }

  /** Gives the drive to {@code pool} as copy {@code copy} (1 or 2) of its role. */
  public void giveTo(UUID pool, DriveRole as, int copy) {
    poolId = pool;
    role = as;
    roleCopy = (short) copy;
  }

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Version public long version;
}
