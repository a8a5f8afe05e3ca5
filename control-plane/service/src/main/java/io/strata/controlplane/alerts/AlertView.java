package io.strata.controlplane.alerts;

import java.time.Instant;
import java.util.UUID;

/** An alert as the API, the console and webhook bodies show it. */
public record AlertView(
    long id, String condition, String severity, String state, String objectType, String objectKey, UUID tenantId,
    UUID arrayId, UUID nodeId, String summary, Instant firstSeen, Instant lastSeen, Instant resolvedAt) {

  public static AlertView of(Alert a) {
    return new AlertView(a.id, a.condition, a.severity, a.state, a.objectType, a.objectKey, a.tenantId, a.arrayId,
        a.nodeId, a.summary, a.firstSeen, a.lastSeen, a.resolvedAt);
  }

  /** The body of a webhook delivery: what happened ({@code FIRING} or {@code RESOLVED}) and the alert. */
  public record Notification(String event, AlertView alert) {}
}
