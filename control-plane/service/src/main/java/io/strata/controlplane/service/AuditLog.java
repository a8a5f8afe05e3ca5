package io.strata.controlplane.service;

import io.quarkus.arc.Arc;
import io.strata.controlplane.audit.AuditRequest;
import io.strata.controlplane.domain.AuditEntry;
import io.strata.controlplane.security.Caller;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Writes who did what, when, from where, in the transaction of the change itself: the change and
 * its entry are committed together or not at all. Within an API request the entry also carries the
 * request (method, path, the caller's tenant) and its marks; what the request's change did not
 * write here (a refusal, a failure) {@link io.strata.controlplane.audit.AuditFilter} writes.
 *
 * <p>Entries never hold request bodies, so no secret (a CHAP secret, a webhook's signing secret)
 * can reach the log: only the action's name, the object's id and the request's path.
 */
@ApplicationScoped
public class AuditLog {
  /** Actions that set or replace credentials: marked {@link AuditEntry#MARK_CREDENTIALS}. */
  static final Set<String> CREDENTIAL_ACTIONS = Set.of("server.create", "server.credentials", "webhook.create");

  @Inject Caller caller;
  @Inject AuditRequest request;
  @Inject HttpServerRequest http;

  /** Records the change as done by the calling user. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void record(UUID tenantId, String action, String targetType, UUID targetId) {
    record(Actor.of(caller), tenantId, action, targetType, targetId);
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void record(Actor by, UUID tenantId, String action, String targetType, UUID targetId) {
    AuditEntry e = new AuditEntry();
    e.tenantId = tenantId;
    e.actor = by.name();
    e.action = action;
    e.targetType = targetType;
    e.targetId = targetId;
    e.remoteAddress = by.remoteAddress();
    e.at = Instant.now();
    boolean inRequest = by != Actor.SYSTEM && inHttpRequest();
    if (inRequest) {
      e.method = http.method().name();
      e.path = http.path();
      e.actorTenant = caller.tenantAlias();
      request.markRecorded();
    }
    e.marks = marks(action, inRequest && caller.isOperator() && tenantId != null);
    e.persist();
  }

  /** Whether an HTTP request is being served (a request context may also be active without one). */
  private boolean inHttpRequest() {
    if (!Arc.container().requestContext().isActive()) {
      return false;
    }
    try {
      return http.method() != null;
    } catch (RuntimeException noRequest) {
      return false;
    }
  }

  /** The marks an entry of {@code action} carries. */
  public static String marks(String action, boolean operatorOnTenant) {
    List<String> marks = new ArrayList<>();
    if (action.endsWith(".forced")) {
      marks.add(AuditEntry.MARK_FORCED);
    }
    if (CREDENTIAL_ACTIONS.contains(action)) {
      marks.add(AuditEntry.MARK_CREDENTIALS);
    }
    if (operatorOnTenant) {
      marks.add(AuditEntry.MARK_OPERATOR);
    }
    return String.join(",", marks);
  }
}
