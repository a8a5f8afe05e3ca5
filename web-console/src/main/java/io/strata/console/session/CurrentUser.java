package io.strata.console.session;

import io.quarkus.oidc.IdToken;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is signed in, as the templates see it ({@code inject:user}): the name to greet, the tenant
 * from the access token's {@code tenant} claim, and the realm roles that decide which screens the
 * navigation offers. The APIs enforce the same roles again; hiding a link is only a courtesy.
 */
@Named("user")
@RequestScoped
public class CurrentUser {
  public static final String OPERATOR = "operator";
  public static final String TENANT_ADMIN = "tenant-admin";
  public static final String TENANT_MEMBER = "tenant-member";

  @Inject SecurityIdentity identity;
  @Inject JsonWebToken accessToken;
  @Inject @IdToken JsonWebToken idToken;

  public boolean isSignedIn() {
    return identity != null && !identity.isAnonymous();
  }

  public String getName() {
    if (!isSignedIn()) {
      return "";
    }
    String preferred = idToken.getClaim("preferred_username");
    return preferred != null ? preferred : identity.getPrincipal().getName();
  }

  /** The tenant alias of a tenant user; empty for an operator. */
  public String getTenant() {
    if (!isSignedIn()) {
      return "";
    }
    Object tenant = accessToken.getClaim("tenant");
    return tenant == null ? "" : tenant.toString().replace("\"", "");
  }

  public boolean isOperator() {
    return isSignedIn() && identity.hasRole(OPERATOR);
  }

  /** Can change the tenant's resources (a member only reads). */
  public boolean isTenantAdmin() {
    return isSignedIn() && identity.hasRole(TENANT_ADMIN);
  }

  public boolean isTenantUser() {
    return isSignedIn() && (identity.hasRole(TENANT_ADMIN) || identity.hasRole(TENANT_MEMBER));
  }

  public String getRoleLabel() {
    if (isOperator()) {
      return "operator";
    }
    if (isTenantAdmin()) {
      return "tenant admin";
    }
    return isTenantUser() ? "read-only member" : "no Strata role";
  }
}
