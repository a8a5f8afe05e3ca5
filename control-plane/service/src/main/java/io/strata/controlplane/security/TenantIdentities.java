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
 * the tenant-admin role and the {@code tenant} attribute (mapped into the access token). Both
 * carry the onboarding marker ({@link #MARKER} = alias), by which a later onboarding of the same
 * alias recognises what a failed one left behind ({@link #clearLeftovers}).
 */
@ApplicationScoped
public class TenantIdentities {
  private static final Logger LOG = Logger.getLogger(TenantIdentities.class);

  @Inject Keycloak keycloak;
  @Inject StrataConfig config;

  /**
   * The attribute naming the alias whose onboarding made an organization or a user. Only objects
   * carrying it are ever removed as leftovers: an organization or a user made by hand, or by the
   * onboarding of another alias, is never touched.
   */
  public static final String MARKER = "strata-onboarded-tenant";

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
      org.setAttributes(Map.of(MARKER, List.of(alias)));
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
      user.setAttributes(Map.of("tenant", List.of(alias), MARKER, List.of(alias)));
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

  /**
   * Removes the organization and the users that an earlier onboarding of {@code alias} made and
   * left behind (its call failed after they were made, and its undo failed too): those carrying
   * {@link #MARKER} = alias. The caller holds the alias's lock and has seen that no tenant row has
   * the alias, so no live tenant owns them and no concurrent onboarding is making them. A removal
   * that fails is a 502: the next attempt tries again.
   */
  public void clearLeftovers(String alias) {
    RealmResource realm = keycloak.realm(config.keycloak().realm());
    String marker = MARKER + ":" + alias;
    try {
      // the searches' answers may be brief (without attributes): each object is read in full
      for (UserRepresentation found : realm.users().searchByAttributes(marker, true)) {
        UserRepresentation user = realm.users().get(found.getId()).toRepresentation();
        if (marked(user.getAttributes(), alias)) {
          LOG.warnf("removing user %s, left by a failed onboarding of tenant %s", user.getUsername(), alias);
          expectRemoved(realm.users().delete(user.getId()), "user " + user.getUsername());
        }
      }
      for (OrganizationRepresentation found : realm.organizations().searchByAttribute(marker)) {
        OrganizationRepresentation org = realm.organizations().get(found.getId()).toRepresentation();
        if (alias.equals(org.getAlias()) && marked(org.getAttributes(), alias)) {
          LOG.warnf("removing organization %s, left by a failed onboarding of tenant %s", org.getId(), alias);
          expectRemoved(realm.organizations().get(org.getId()).delete(), "organization " + alias);
        }
      }
    } catch (RuntimeException e) {
      if (e instanceof ApiException) {
        throw e;
      }
      throw new ApiException(
          new Problem(502, "identity-provider-failed", "Bad gateway",
              "Keycloak did not let the leftovers of an earlier onboarding of '" + alias + "' be removed: "
                  + e.getMessage()));
    }
  }

  private static boolean marked(Map<String, List<String>> attributes, String alias) {
    return attributes != null && List.of(alias).equals(attributes.get(MARKER));
  }

  private static void expectRemoved(Response response, String what) {
    try (response) {
      if (response.getStatus() >= 300 && response.getStatus() != 404) { // 404: gone already
        throw failure("removing the " + what, response.getStatus());
      }
    }
  }

  /** Best effort: removes what {@link #create} made, after a later step failed. */
  public void undo(Created made) {
    undo(keycloak.realm(config.keycloak().realm()), made.organizationId(), made.userId());
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
