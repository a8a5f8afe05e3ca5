package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.OPS;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.controlplane.security.TenantIdentities;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import io.strata.testsupport.Tokens;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.CreatedResponseUtil;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.OrganizationDomainRepresentation;
import org.keycloak.representations.idm.OrganizationRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/**
 * Scale drill finding 3, against the real Keycloak: a tenant half made (its organization and admin
 * user in Keycloak, no tenant row: the control plane's call failed after Keycloak made them and the
 * undo failed too) no longer keeps its alias and user name for ever. The next create of the alias
 * removes the leftovers that carry the onboarding marker and makes the tenant; what carries no
 * marker, or belongs to another tenant, is left alone and still refused.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class TenantOnboardingConvergesTest {
  @Inject Keycloak keycloak;

  RealmResource realm() {
    return keycloak.realm("strata");
  }

  static String alias() {
    return unique("t").replace("-", "");
  }

  static Map<String, Object> tenant(String alias, String username, String password) {
    return Map.of("alias", alias, "displayName", "Tenant " + alias,
        "admin", Map.of("username", username, "email", username + "@example.com", "password", password));
  }

  /** An organization as a failed onboarding leaves it: marked, or not when {@code marked} is false. */
  String organization(String alias, boolean marked) {
    OrganizationRepresentation org = new OrganizationRepresentation();
    org.setName("left " + alias);
    org.setAlias(alias);
    org.setEnabled(true);
    OrganizationDomainRepresentation domain = new OrganizationDomainRepresentation();
    domain.setName(alias + ".tenants.strata.example");
    org.addDomain(domain);
    if (marked) {
      org.setAttributes(Map.of(TenantIdentities.MARKER, List.of(alias)));
    }
    try (Response r = realm().organizations().create(org)) {
      assertThat(r.getStatus()).isEqualTo(201);
      return CreatedResponseUtil.getCreatedId(r);
    }
  }

  /** A user as a failed onboarding of {@code alias} leaves it, with a password of its own. */
  String user(String username, String alias) {
    UserRepresentation user = new UserRepresentation();
    user.setUsername(username);
    user.setEmail(username + "@left.example.com");
    user.setEnabled(true);
    user.setAttributes(Map.of("tenant", List.of(alias), TenantIdentities.MARKER, List.of(alias)));
    CredentialRepresentation credential = new CredentialRepresentation();
    credential.setType(CredentialRepresentation.PASSWORD);
    credential.setValue("left-behind-password");
    credential.setTemporary(false);
    user.setCredentials(List.of(credential));
    try (Response r = realm().users().create(user)) {
      assertThat(r.getStatus()).isEqualTo(201);
      return CreatedResponseUtil.getCreatedId(r);
    }
  }

  List<OrganizationRepresentation> organizationsWithAlias(String alias) {
    return realm().organizations().search(alias, false, 0, 100).stream().filter(o -> alias.equals(o.getAlias())).toList();
  }

  @Test
  void aRetryAfterAHalfMadeTenantRemovesItsLeftoversAndMakesTheTenant() {
    String alias = alias();
    String username = alias + "-admin";
    String password = "first-password-" + alias;
    String leftOrg = organization(alias, true);
    String leftUser = user(username, alias);
    String strayUser = user(alias + "-other", alias); // an earlier attempt with another admin name

    // the retry of the failed create (same Idempotency-Key: the failed attempt stored no answer)
    as(OPS).header("Idempotency-Key", "onboard-" + alias).body(tenant(alias, username, password))
        .post("/api/v1/admin/tenants")
        .then().statusCode(201).body("alias", equalTo(alias));

    List<OrganizationRepresentation> orgs = organizationsWithAlias(alias);
    assertThat(orgs).hasSize(1);
    assertThat(orgs.get(0).getId()).isNotEqualTo(leftOrg);
    List<UserRepresentation> users = realm().users().searchByUsername(username, true);
    assertThat(users).hasSize(1);
    assertThat(users.get(0).getId()).isNotEqualTo(leftUser);
    assertThat(realm().users().searchByUsername(alias + "-other", true)).as("the stray admin " + strayUser).isEmpty();
    assertThat(realm().organizations().get(orgs.get(0).getId()).members().list(0, 10))
        .extracting(UserRepresentation::getUsername).containsExactly(username);

    // the new admin signs in with the password of this create, and the tenant is theirs
    String token = Tokens.accessToken(username, password);
    io.restassured.RestAssured.given().auth().oauth2(token).get("/api/v1/usage").then().statusCode(200);
    // the same key again replays the answer; a new create of the alias is refused (it is live now)
    as(OPS).header("Idempotency-Key", "onboard-" + alias).body(tenant(alias, username, password))
        .post("/api/v1/admin/tenants")
        .then().statusCode(201).header("Idempotent-Replayed", "true");
    as(OPS).body(tenant(alias, alias + "-third", password)).post("/api/v1/admin/tenants")
        .then().statusCode(409).body("detail", startsWith("alias"));
    assertThat(organizationsWithAlias(alias)).hasSize(1);
  }

  @Test
  void whatCarriesNoMarkerOrBelongsToAnotherTenantIsLeftAlone() {
    // an organization made by hand (no marker) keeps its alias
    String byHand = alias();
    String handOrg = organization(byHand, false);
    as(OPS).body(tenant(byHand, byHand + "-admin", "first-password-" + byHand)).post("/api/v1/admin/tenants")
        .then().statusCode(409);
    assertThat(organizationsWithAlias(byHand)).extracting(OrganizationRepresentation::getId).containsExactly(handOrg);
    assertThat(realm().users().searchByUsername(byHand + "-admin", true)).as("its admin was undone").isEmpty();

    // a live tenant's admin user name is not taken over by another tenant's create
    String live = alias();
    String liveAdmin = live + "-admin";
    as(OPS).body(tenant(live, liveAdmin, "first-password-" + live)).post("/api/v1/admin/tenants")
        .then().statusCode(201);
    String other = alias();
    as(OPS).body(tenant(other, liveAdmin, "other-password-" + other)).post("/api/v1/admin/tenants")
        .then().statusCode(409).body("detail", startsWith("admin.username"));
    assertThat(organizationsWithAlias(other)).isEmpty();
    Tokens.accessToken(liveAdmin, "first-password-" + live); // still the live tenant's, password unchanged

    // the leftovers of another alias's failed onboarding are not this alias's to remove either
    String failed = alias();
    String failedAdmin = failed + "-admin";
    user(failedAdmin, failed);
    String third = alias();
    as(OPS).body(tenant(third, failedAdmin, "third-password-" + third)).post("/api/v1/admin/tenants")
        .then().statusCode(409).body("detail", startsWith("admin.username"));
    assertThat(realm().users().searchByUsername(failedAdmin, true)).hasSize(1);
  }
}
