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
 * One alert change (FIRING or RESOLVED) to send to one webhook, written in the evaluation's
 * transaction, and what came of sending it: PENDING until a 2xx answer (DELIVERED) or until the
 * attempts run out (FAILED). The body is fixed when written, so every attempt sends, and signs,
 * the same bytes.
 */
@Entity
@Table(name = "webhook_delivery")
public class WebhookDelivery extends PanacheEntityBase {
  public static final String PENDING = "PENDING";
  public static final String DELIVERED = "DELIVERED";
  public static final String FAILED = "FAILED";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "webhook_id", nullable = false)
  public UUID webhookId;

  @Column(name = "tenant_id")
  public UUID tenantId;

  @Column(name = "alert_id", nullable = false)
  public Long alertId;

  @Column(nullable = false)
  public String event;

  @Column(nullable = false)
  public String body;

  @Column(nullable = false)
  public String state;

  @Column(nullable = false)
  public int attempts;

  @Column(name = "next_attempt_at", nullable = false)
  public Instant nextAttemptAt;

  @Column(name = "last_status")
  public Integer lastStatus;

  @Column(name = "last_error")
  public String lastError;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Column(name = "delivered_at")
  public Instant deliveredAt;

  @Version public long version;
}
