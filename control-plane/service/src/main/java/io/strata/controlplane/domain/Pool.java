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

/** Protected capacity built from some of an array's drives of one type. */
@Entity
public class Pool extends PanacheEntityBase implements TenantOwned {
  @Id public UUID id;

  @Column(name = "tenant_id", nullable = false)
  public UUID tenantId;

  @Override
  public UUID ownerTenantId() {
    return tenantId;
  }

  @Column(name = "array_id", nullable = false)
  public UUID arrayId;

  @Column(nullable = false)
  public String name;

  @Enumerated(EnumType.STRING)
  @Column(name = "drive_type", nullable = false)
  public DriveType driveType;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public Protection protection;

  @Enumerated(EnumType.STRING)
  @Column(name = "cache_mode", nullable = false)
  public CacheMode cacheMode;

  @Column(nullable = false)
  public boolean tiering;

  @Column(name = "capacity_gib", nullable = false)
  public long capacityGib;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  /** Scrub every this many days (the scheduler asks for one when due); null: only on demand. */
  @Column(name = "scrub_every_days")
  public Integer scrubEveryDays;

  /** The most a scrub reads from the pool's drives, MiB/s; 0: no limit. */
  @Column(name = "scrub_rate_mbps", nullable = false)
  public int scrubRateMbps;

  /** The pool's current scrub request (sent in the desired state); null: never scrubbed. */
  @Column(name = "scrub_request_id")
  public UUID scrubRequestId;

  @Column(name = "scrub_requested_at")
  public Instant scrubRequestedAt;

  @Version public long version;
}
