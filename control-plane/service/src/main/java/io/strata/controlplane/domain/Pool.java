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

  /** Its volumes are encrypted at rest unless their create says otherwise (docs/encryption.md). */
  @Column(nullable = false)
  public boolean encrypted;

  /**
   * The capacity with every member: what the engine is told, and after a RAID5/6 grow the
   * restripe's target. What volumes may use is {@link #usableGib()}.
   */
  @Column(name = "capacity_gib", nullable = false)
  public long capacityGib;

  /**
   * While the engine restripes a grown RAID5/6 pool onto its new drives: the capacity it had
   * before, all that volumes may use until the engine reports the restripe done; null otherwise.
   */
  @Column(name = "restriping_from_gib")
  public Long restripingFromGib;

  /** The desired-state generation that first carried the pending restripe's drives; null: none. */
  @Column(name = "restripe_generation")
  public Long restripeGeneration;

  /** The most pool data a RAID5/6 restripe onto added drives moves, MiB/s; 0: no limit. */
  @Column(name = "restripe_rate_mbps", nullable = false)
  public int restripeRateMbps;

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

  /** What volumes may use now: the capacity before a pending restripe, else the whole capacity. */
  public long usableGib() {
    return restripingFromGib == null ? capacityGib : restripingFromGib;
  }

  /** Whether the engine has yet to report the restripe onto the pool's new drives done. */
  public boolean restriping() {
    return restripingFromGib != null;
  }
}
