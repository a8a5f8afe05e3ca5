package io.strata.controlplane.security;

import io.strata.controlplane.config.StrataConfig;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.rest.problem.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.OrganizationDomainRepresentation;
import org.keycloak.representations.idm.OrganizationRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/**
 * Creates a new tenant's identity in Keycloak through the admin API, as the control plane's
 * service account: an organization named by the alias, and the tenant's first admin user with
 * the tenant-admin role and the {@code tenant} attribute (mapped into the access token).
 */
@ApplicationScoped
public class TenantIdentities {
  private static final Logger LOG = Logger.getLogger(TenantIdentities.class);

  @Inject Keycloak keycloak;
  @Inject StrataConfig config;

  public record Created(String organizationId, String userId) {}

  public Created create(String alias, String displayName, String username, String email, String password) {
    RealmResource realm = keycloak.realm(config.keycloak().realm());
    if (!realm.users().searchByUsername(username, true).isEmpty()) {
      throw ApiException.conflict("already-exists", "admin.username: a user named '" + username + "' exists");
    }
    String orgId = null;
    String userId = null;
    try {
      OrganizationRepresentation org = new OrganizationRepresentation();
      org.setName(displayName);
      org.setAlias(alias);
      org.setEnabled(true);
      OrganizationDomainRepresentation domain = new OrganizationDomainRepresentation();
      domain.setName(alias + ".tenants.strata.example");
      org.addDomain(domain);
      orgId = createdId(realm.organizations().create(org), "organization");

      UserRepresentation user = new UserRepresentation();
      user.setUsername(username);
      user.setEmail(email);
      user.setEmailVerified(true);
      user.setEnabled(true);
      user.setFirstName(displayName);
      user.setLastName("Admin");
      user.setAttributes(Map.of("tenant", List.of(alias)));
      CredentialRepresentation credential = new CredentialRepresentation();
      credential.setType(CredentialRepresentation.PASSWORD);
      credential.setValue(password);
      credential.setTemporary(false);
      user.setCredentials(List.of(credential));
      userId = createdId(realm.users().create(user), "user");

      RoleRepresentation role = realm.roles().get(Roles.TENANT_ADMIN).toRepresentation();
      realm.users().get(userId).roles().realmLevel().add(List.of(role));
      try (Response r = realm.organizations().get(orgId).members().addMember(userId)) {
        if (r.getStatus() >= 300) {
          throw failure("adding the admin to the organization", r.getStatus());
        }
      }
      return new Created(orgId, userId);
    } catch (RuntimeException e) {
      undo(realm, orgId, userId);
      if (e instanceof ApiException) {
        throw e;
      }
      LOG.error("creating the tenant identity in Keycloak failed", e);
      throw new ApiException(
          new Problem(502, "identity-provider-failed", "Bad gateway",
              "Keycloak refused to create the tenant's organization or admin user: " + e.getMessage()));
    }
  }

  /** Best effort: removes what {@link #create} made, after a later step failed. */
  public void undo(String alias, String username) {
    RealmResource realm = keycloak.realm(config.keycloak().realm());
    String userId = realm.users().searchByUsername(username, true).stream().map(UserRepresentation::getId).findFirst().orElse(null);
    String orgId = realm.organizations().search(alias).stream()
        .filter(o -> alias.equals(o.getAlias())).map(OrganizationRepresentation::getId).findFirst().orElse(null);
    undo(realm, orgId, userId);
  }

  private static void undo(RealmResource realm, String orgId, String userId) {
    try {
      if (userId != null) {
        realm.users().delete(userId).close();
      }
      if (orgId != null) {
        realm.organizations().get(orgId).delete().close();
      }
    } catch (RuntimeException e) {
      LOG.warnf(e, "could not undo Keycloak changes (organization %s, user %s)", orgId, userId);
    }
  }

  private static String createdId(Response response, String what) {
    try (response) {
      if (response.getStatus() == 409) {
        throw ApiException.conflict("already-exists", "alias: Keycloak already has this " + what);
      }
      if (response.getStatus() != 201) {
        throw failure("creating the " + what, response.getStatus());
      }
      return CreatedResponseUtil.getCreatedId(response);
    }
  }

  private static RuntimeException failure(String step, int status) {
    return new IllegalStateException(step + " answered HTTP " + status);
  }
}
