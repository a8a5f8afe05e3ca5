package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * Who did what, when, from where, and what came of it. Append-only (a database trigger refuses
 * UPDATE, DELETE and TRUNCATE, V14), hence no version.
 */
@Entity
@Table(name = "audit_entry")
public class AuditEntry extends PanacheEntityBase {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "tenant_id")
  public UUID tenantId;

  @Column(nullable = false)
  public String actor;

  @Column(nullable = false)
  public String action;

  @Column(name = "target_type", nullable = false)
  public String targetType;

  @Column(name = "target_id")
  public UUID targetId;

  @Column(name = "remote_address")
  public String remoteAddress;

  @Column(nullable = false)
  public Instant at;

  /** The tenant of the caller's token (null for operators and the control plane itself). */
  @Column(name = "actor_tenant")
  public String actorTenant;

  /** The HTTP method and path of the request (null for what the control plane did on its own). */
  @Column
  public String method;

  @Column
  public String path;

  /** SUCCEEDED, REFUSED (4xx) or FAILED (5xx). */
  @Column(nullable = false)
  public String result = RESULT_SUCCEEDED;

  /** The HTTP status answered, when the entry comes from a request. */
  @Column
  public Short status;

  /** Comma-separated marks ({@link #MARK_FORCED}, {@link #MARK_CREDENTIALS}, {@link #MARK_OPERATOR}); empty for none. */
  @Column(nullable = false)
  public String marks = "";

  public static final String RESULT_SUCCEEDED = "SUCCEEDED";
  public static final String RESULT_REFUSED = "REFUSED";
  public static final String RESULT_FAILED = "FAILED";

  /** A forced change: a rollback of a volume that servers still have attached. */
  public static final String MARK_FORCED = "forced";
  /** A change of credentials (CHAP secrets, webhook signing secrets). */
  public static final String MARK_CREDENTIALS = "credentials";
  /** An operator acting on a tenant's object. */
  public static final String MARK_OPERATOR = "operator-on-tenant";
  /** An idempotent replay (same Idempotency-Key): the first answer again, nothing changed. */
  public static final String MARK_REPLAYED = "replayed";
}
