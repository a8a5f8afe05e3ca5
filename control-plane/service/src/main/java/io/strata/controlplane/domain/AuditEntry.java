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

/** Who did what, when, from where. Append-only, hence no version. */
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
}
