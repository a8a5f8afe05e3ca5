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

/** An asynchronous request the user can poll until the storage node has done it. */
@Entity
public class Operation extends PanacheEntityBase implements TenantOwned {
  @Id public UUID id;

  @Column(name = "tenant_id")
  public UUID tenantId;

  @Override
  public UUID ownerTenantId() {
    return tenantId;
  }

  @Column(nullable = false)
  public String kind;

  @Column(name = "target_type", nullable = false)
  public String targetType;

  @Column(name = "target_id", nullable = false)
  public UUID targetId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public OperationState state;

  public String error;

  @Column(name = "requested_by", nullable = false)
  public String requestedBy;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Version public long version;
}
