package io.strata.controlplane.alerts;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/**
 * One occurrence of an alert condition on one object: FIRING from when the evaluator first saw
 * the condition hold until the first evaluation that saw it no longer hold (then RESOLVED, and a
 * later recurrence is a new alert). At most one FIRING alert per condition and object (a unique
 * partial index).
 */
@Entity
@Table(name = "alert")
public class Alert extends PanacheEntityBase {
  public static final String FIRING = "FIRING";
  public static final String RESOLVED = "RESOLVED";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(nullable = false)
  public String condition;

  @Column(name = "object_type", nullable = false)
  public String objectType;

  /** What the condition holds for, unique per condition: {@code array:<id>}, {@code node:<id>}, ... */
  @Column(name = "object_key", nullable = false)
  public String objectKey;

  @Column(name = "tenant_id")
  public UUID tenantId;

  @Column(name = "array_id")
  public UUID arrayId;

  @Column(name = "node_id")
  public UUID nodeId;

  @Column(nullable = false)
  public String severity;

  @Column(nullable = false)
  public String state;

  @Column(nullable = false)
  public String summary;

  @Column(name = "first_seen", nullable = false)
  public Instant firstSeen;

  @Column(name = "last_seen", nullable = false)
  public Instant lastSeen;

  @Column(name = "resolved_at")
  public Instant resolvedAt;

  @Version public long version;
}
