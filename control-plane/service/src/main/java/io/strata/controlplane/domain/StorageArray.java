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

/** A Virtual Private Storage Array: one tenant's engine on one node, with its own drives. */
@Entity
@Table(name = "storage_array")
public class StorageArray extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "tenant_id", nullable = false)
  public UUID tenantId;

  @Column(nullable = false)
  public String name;

  @Enumerated(EnumType.STRING)
  @Column(name = "engine_size", nullable = false)
  public EngineSize engineSize;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public SpreadPolicy spread;

  @Column(name = "node_id")
  public UUID nodeId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public ArrayState state;

  @Column(name = "failure_reason")
  public String failureReason;

  @Column(name = "target_iqn")
  public String targetIqn;

  @Column(name = "portal_port")
  public Integer portalPort;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Version public long version;

  public void moveTo(ArrayState next, String reason) {
    state = ArrayState.MACHINE.require(state, next, reason);
    updatedAt = Instant.now();
  }
}
