package io.strata.controlplane.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;
import java.util.UUID;

/** A Virtual Private Storage Array: one tenant's engine on one node, with its own drives. */
@Entity
@Table(name = "storage_array")
public class StorageArray extends TenantLifecycleEntity {
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

  @Column(name = "target_iqn")
  public String targetIqn;

  @Column(name = "portal_port")
  public Integer portalPort;

  /** Two engines (ACTIVE and STANDBY) on two nodes; {@link #nodeId} is the ACTIVE one's node. */
  @Column(name = "high_availability", nullable = false)
  public boolean highAvailability;

  /** Raised on every promotion of a highly available array (fencing of the old active). */
  @Column(name = "ha_epoch", nullable = false)
  public long haEpoch;

  /** While a planned switchover waits for the old active to demote (drain, step a → b). */
  @Column(name = "switchover_started_at")
  public java.time.Instant switchoverStartedAt;

  public void moveTo(ArrayState next, String reason) {
    state = transition(ArrayState.MACHINE, state, next, reason);
  }
}
