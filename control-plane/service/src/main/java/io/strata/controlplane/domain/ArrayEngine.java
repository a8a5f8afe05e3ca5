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
import java.util.List;
import java.util.UUID;

/**
 * One engine slot of a highly available array: the node it runs on, its role, its portal and
 * ALUA port group, whether the node's copies are outdated, and what that node reported last.
 */
@Entity
@Table(name = "array_engine")
public class ArrayEngine extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "tenant_id", nullable = false)
  public UUID tenantId;

  @Column(name = "array_id", nullable = false)
  public UUID arrayId;

  @Column(name = "node_id", nullable = false)
  public UUID nodeId;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public EngineRole role;

  @Column(name = "portal_port", nullable = false)
  public int portalPort;

  /** 1 or 2, fixed for the node in this array (the relative target port ids derive from it). */
  @Column(name = "port_group", nullable = false)
  public int portGroup;

  /** The node's copies are out of sync: not promotable until the active reports them back. */
  @Column(nullable = false)
  public boolean outdated;

  @Enumerated(EnumType.STRING)
  @Column(name = "reported_role")
  public EngineRole reportedRole;

  @Column(name = "reported_epoch")
  public Long reportedEpoch;

  /** The ArrayStatus state the node reported last (PROVISIONING, ONLINE, DEGRADED, FAILED, DELETED). */
  @Column(name = "reported_state")
  public String reportedState;

  @Column(name = "reported_reason")
  public String reportedReason;

  @Column(name = "reported_at")
  public Instant reportedAt;

  /** The engine size the node reported its engine runs at (null: none runs, or not said). */
  @Column(name = "reported_engine_size")
  public String reportedEngineSize;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Version public long version;

  /** The array's engine slots, port group 1 first. */
  public static List<ArrayEngine> of(UUID tenantId, UUID arrayId) {
    return list("tenantId = ?1 and arrayId = ?2 order by portGroup", tenantId, arrayId);
  }

  /** A new slot of {@code array} on {@code node}. */
  public static ArrayEngine slot(StorageArray array, UUID node, EngineRole role, int portalPort, int portGroup) {
    ArrayEngine e = new ArrayEngine();
    e.id = UUID.randomUUID();
    e.tenantId = array.tenantId;
    e.arrayId = array.id;
    e.nodeId = node;
    e.role = role;
    e.portalPort = portalPort;
    e.portGroup = portGroup;
    e.createdAt = Instant.now();
    return e;
  }
}
