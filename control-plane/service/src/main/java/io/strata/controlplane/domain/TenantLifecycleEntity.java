package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/**
 * What every tenant-owned object with a lifecycle shares: its id, its owner, why it failed (if it
 * did), when it was created and last changed, and the version that makes concurrent updates fail
 * instead of overwriting each other. The state itself stays in each entity, typed by its own
 * state machine.
 */
@MappedSuperclass
public abstract class TenantLifecycleEntity extends PanacheEntityBase implements TenantOwned {
  @Id public UUID id;

  @Column(name = "tenant_id", nullable = false)
  public UUID tenantId;

  @Override
  public UUID ownerTenantId() {
    return tenantId;
  }

  @Column(name = "failure_reason")
  public String failureReason;

  /**
   * The state the object failed from, while it is FAILED (null otherwise, and for objects that
   * failed before it was kept): where a recovery or a retry takes it back to. An object that
   * failed while being removed (DELETING, DETACHING) finishes its removal instead.
   */
  @Column(name = "failed_from")
  public String failedFrom;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  public Instant updatedAt;

  @Version public long version;

  private static final String FAILED = "FAILED";

  /** Whether the object is FAILED, having failed while being removed (its removal is what is left to do). */
  public boolean failedWhileRemoved() {
    return "DELETING".equals(failedFrom) || "DETACHING".equals(failedFrom);
  }

  /** The state {@code machine} allows from {@code current} to {@code next}, stamping the change. */
  protected final <S extends Enum<S>> S transition(
      StateMachine<S> machine, S current, S next, String reason) {
    S allowed = machine.require(current, next, reason);
    updatedAt = Instant.now();
    failedFrom = FAILED.equals(next.name()) ? current.name() : null;
    return allowed;
  }
}
