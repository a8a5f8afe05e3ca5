package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** Take a snapshot of a volume every {@code intervalMinutes}, keep the newest {@code retain}. */
@Entity
@Table(name = "snapshot_policy")
public class SnapshotPolicy extends PanacheEntityBase implements TenantOwned {
  @Id public UUID id;

  @Column(name = "tenant_id", nullable = false)
  public UUID tenantId;

  @Override
  public UUID ownerTenantId() {
    return tenantId;
  }

  @Column(name = "volume_id", nullable = false)
  public UUID volumeId;

  @Column(nullable = false)
  public String name;

  @Column(name = "interval_minutes", nullable = false)
  public int intervalMinutes;

  @Column(nullable = false)
  public int retain;

  @Column(nullable = false)
  public boolean enabled;

  @Column(name = "last_run_at")
  public Instant lastRunAt;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Version public long version;
}
