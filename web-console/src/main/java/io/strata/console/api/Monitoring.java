package io.strata.console.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The control plane's alerts, webhooks and audit log, as the console reads them (docs/observability.md). */
public final class Monitoring {
  private Monitoring() {}

  public record AlertView(
      long id, String condition, String severity, String state, String objectType, String objectKey, UUID tenantId,
      UUID arrayId, UUID nodeId, String summary, Instant firstSeen, Instant lastSeen, Instant resolvedAt) {
    public boolean firing() {
      return "FIRING".equals(state);
    }
  }

  public record WebhookCreate(String url) {}

  public record WebhookView(UUID id, UUID tenantId, String url, String createdBy, Instant createdAt) {}

  public record WebhookCreated(UUID id, UUID tenantId, String url, String createdBy, Instant createdAt, String secret) {}

  public record DeliveryView(
      long id, UUID webhookId, long alertId, String event, String state, int attempts, Instant nextAttemptAt,
      Integer lastStatus, String lastError, Instant createdAt, Instant deliveredAt) {}

  public record AuditView(
      long id, Instant at, String actor, String actorTenant, UUID tenantId, String action, String targetType,
      UUID targetId, String remoteAddress, String method, String path, String result, Integer status,
      List<String> marks) {}
}
