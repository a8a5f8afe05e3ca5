package io.strata.billing.security;

import io.quarkus.security.identity.SecurityIdentity;
import io.strata.billing.service.ProblemException;
import io.strata.billing.service.Tenants;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is calling, from the Keycloak access token: the tenant comes from the token's {@code tenant}
 * claim, never from the request; the role {@code operator} sees every tenant.
 */
@RequestScoped
public class Caller {

  public static final String OPERATOR = "operator";
  public static final String TENANT_ADMIN = "tenant-admin";
  public static final String TENANT_MEMBER = "tenant-member";

  @Inject SecurityIdentity identity;
  @Inject JsonWebToken token;
  @Inject Tenants tenants;

  public boolean isOperator() {
    return identity.hasRole(OPERATOR);
  }

  public String name() {
    return identity.getPrincipal().getName();
  }

  /** The caller's own tenant. */
  public String tenant() {
    String tenant = token.getClaim("tenant");
    if (tenant == null || tenant.isBlank()) {
      throw new ProblemException(403, "No tenant", "the access token carries no tenant claim");
    }
    return tenant;
  }

  /**
   * The tenant whose data a request may see: an operator names one (or null for all, where
   * {@code allowAll}); anyone else gets their own, and naming another tenant is refused.
   */
  public String scope(String requestedTenant, boolean allowAll) {
    if (isOperator()) {
      if (requestedTenant == null && !allowAll) {
        throw ProblemException.badRequest("tenant", "an operator must name the tenant");
      }
      return requestedTenant;
    }
    String own = tenant();
    if (requestedTenant != null && !requestedTenant.equals(own)) {
      throw new ProblemException(403, "Forbidden", "a tenant sees only its own billing");
    }
    return own;
  }

  /**
   * As {@link #scope(String, boolean)} for one tenant's data (cost, usage): the tenant an operator
   * names must be one billing knows (a 404 naming the parameter {@code tenant} otherwise).
   */
  public String knownScope(String requestedTenant) {
    String scope = scope(requestedTenant, false);
    if (isOperator()) {
      tenants.requireKnown("tenant", scope);
    }
    return scope;
  }

  /** Whether the caller may see data of {@code tenantId}. */
  public boolean maySee(String tenantId) {
    return isOperator() || tenantId.equals(tenant());
  }
}
