package io.strata.controlplane.audit;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.strata.controlplane.domain.AuditEntry;
import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.security.Caller;
import io.strata.controlplane.security.TenantDirectory;
import io.strata.controlplane.service.AuditLog;
import io.vertx.core.Context;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.time.Instant;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * The one place every changing API request (POST, PUT, PATCH, DELETE under {@code /api/}) passes
 * on its way out. A change that succeeded was written by the service, in its own transaction, via
 * {@link AuditLog}; this filter writes, in a transaction of its own, what that did not:
 *
 * <ul>
 *   <li>a refused request (4xx: invalid, forbidden, not found, conflict) or a failed one (5xx),
 *       whose change (and the entry written with it) was rolled back or never made;
 *   <li>a successful request that changed nothing the service recorded (an idempotent replay,
 *       marked {@code replayed}).
 * </ul>
 *
 * The answer waits for the entry (a refusal by role is answered on an I/O thread: the entry is
 * then written on a worker thread, the answer resumed after). Unauthenticated requests (401), and
 * those refused before their token was looked at (an unreadable body), are not written: without
 * a verified token there is no "who", and an anonymous client could otherwise fill the log.
 */
public class AuditFilter {
  private static final Logger LOG = Logger.getLogger(AuditFilter.class);

  @Inject AuditRequest request;
  @Inject Caller caller;
  @Inject SecurityIdentity identity;
  @Inject TenantDirectory tenants;

  @ServerResponseFilter
  public Uni<Void> audit(ContainerRequestContext in, ContainerResponseContext out) {
    String method = in.getMethod();
    String path = in.getUriInfo().getPath();
    int status = out.getStatus();
    if (!AuditActions.CHANGING.contains(method) || !path.startsWith("/api/") || status == 401
        || !authenticated() || (status < 400 && request.recorded())) {
      return Uni.createFrom().voidItem();
    }
    // what needs the request's context is read here, on the request's thread
    AuditEntry e = entry(method, path, status, "true".equals(out.getHeaderString("Idempotent-Replayed")));
    String alias = caller.tenantAlias();
    Uni<Void> write = Uni.createFrom().item(() -> {
      write(e, alias);
      return null;
    });
    return Context.isOnEventLoopThread() ? write.runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) : write;
  }

  /**
   * Whether the request carried a verified token. A request refused before its token was looked
   * at (an unreadable body, answered on the I/O thread with lazy authentication) has no identity
   * that could be resolved without blocking: it is not written, like an unauthenticated one.
   */
  private boolean authenticated() {
    try {
      return !identity.isAnonymous();
    } catch (io.quarkus.runtime.BlockingOperationNotAllowedException notResolvedYet) {
      return false;
    }
  }

  private void write(AuditEntry e, String alias) {
    try {
      QuarkusTransaction.requiringNew().run(() -> {
        Tenant tenant = alias == null || alias.isBlank() ? null : tenants.byAlias(alias);
        e.tenantId = tenant == null ? null : tenant.id;
        e.persist();
      });
    } catch (RuntimeException failure) {
      // the answer stands; the log says what the audit log is missing
      LOG.errorf("audit entry for %s %s (%d) not written: %s", e.method, e.path, e.status, failure.getMessage());
    }
  }

  private AuditEntry entry(String method, String path, int status, boolean replayed) {
    AuditEntry e = new AuditEntry();
    e.actorTenant = caller.tenantAlias();
    e.actor = caller.name();
    e.remoteAddress = caller.remoteAddress();
    e.action = AuditActions.of(method, path);
    e.targetType = AuditActions.targetType(path);
    e.targetId = AuditActions.target(path);
    e.method = method;
    e.path = path.length() > 512 ? path.substring(0, 512) : path;
    e.status = (short) status;
    e.result = status >= 500 ? AuditEntry.RESULT_FAILED
        : status >= 400 ? AuditEntry.RESULT_REFUSED : AuditEntry.RESULT_SUCCEEDED;
    e.marks = AuditLog.marks(e.action, false);
    if (replayed) {
      // the same request again: readers counting changes skip it, readers of requests see it
      e.marks = e.marks.isEmpty() ? AuditEntry.MARK_REPLAYED : e.marks + "," + AuditEntry.MARK_REPLAYED;
    }
    e.at = Instant.now();
    return e;
  }
}
