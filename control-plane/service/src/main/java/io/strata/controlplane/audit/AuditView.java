package io.strata.controlplane.audit;

import io.strata.controlplane.domain.AuditEntry;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * One audit entry as the API shows it.
 *
 * @param tenantId the tenant whose object it is (null: an operator's change of no tenant's object)
 * @param actor the user (the token's {@code preferred_username}) or {@code system}
 * @param actorTenant the tenant of the actor's token (null for operators and the system)
 * @param result SUCCEEDED, REFUSED (answered 4xx) or FAILED (5xx)
 * @param status the HTTP status, for entries written after the answer (refusals, failures)
 * @param marks {@code forced}, {@code credentials}, {@code operator-on-tenant}, {@code replayed}
 */
public record AuditView(
    long id, Instant at, String actor, String actorTenant, UUID tenantId, String action, String targetType,
    UUID targetId, String remoteAddress, String method, String path, String result, Integer status,
    List<String> marks) {

  public static AuditView of(AuditEntry e) {
    List<String> marks = e.marks == null || e.marks.isEmpty() ? List.of() : Arrays.asList(e.marks.split(","));
    return new AuditView(e.id, e.at, e.actor, e.actorTenant, e.tenantId, e.action, e.targetType, e.targetId,
        e.remoteAddress, e.method, e.path, e.result, e.status == null ? null : e.status.intValue(), marks);
  }
}
