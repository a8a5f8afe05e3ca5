package io.strata.controlplane.security;

import io.quarkus.security.identity.SecurityIdentity;
import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.domain.TenantState;
import io.strata.controlplane.rest.problem.ApiException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is calling, taken only from the verified access token: the tenant is the token's
 * {@code tenant} claim (the alias), never anything in the request.
 */
@RequestScoped
public class Caller {
  @Inject SecurityIdentity identity;
  @Inject JsonWebToken token;
  @Inject HttpServerRequest request;
  @Inject TenantDirectory tenants;

  private UUID tenantId;

  /** The caller's tenant id; 403 for a token without a tenant or with an unknown one. */
  public UUID tenantId() {
    if (tenantId == null) {
      String alias = token.getClaim("tenant");
      if (alias == null || alias.isBlank()) {
        throw ApiException.forbidden("no-tenant", "the access token carries no tenant claim");
      }
      Tenant tenant = tenants.byAlias(alias);
      if (tenant == null) {
        throw ApiException.forbidden("unknown-tenant", "tenant '" + alias + "' does not exist");
      }
      if (tenant.state != TenantState.ACTIVE) {
        throw ApiException.forbidden("tenant-suspended", "tenant '" + alias + "' is " + tenant.state);
      }
      tenantId = tenant.id;
    }
    return tenantId;
  }

  public String tenantAlias() {
    return token.getClaim("tenant");
  }

  /** A stable name of the caller for audit entries and operations. */
  public String name() {
    String username = token.getClaim("preferred_username");
    return username != null ? username : identity.getPrincipal().getName();
  }

  public String subject() {
    String sub = token.getSubject();
    return sub != null ? sub : name();
  }

  public boolean isOperator() {
    return identity.hasRole(Roles.OPERATOR);
  }

  public String remoteAddress() {
    return request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
  }
}
