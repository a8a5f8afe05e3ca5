package io.strata.controlplane.alerts;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** Where a tenant (its own alerts) or an operator (tenant null: every alert) wants alerts sent. */
@Entity
@Table(name = "webhook")
public class Webhook extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "tenant_id")
  public UUID tenantId;

  @Column(nullable = false)
  public String url;

  /** The HMAC-SHA256 key, sealed with the control plane's key (SecretBox); never shown again. */
  @Column(name = "secret_sealed", nullable = false)
  public String secretSealed;

  @Column(name = "created_by", nullable = false)
  public String createdBy;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;
}
