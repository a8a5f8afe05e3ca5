package io.strata.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The imported strata realm issues what every service relies on: the tenant from the token,
 * never from the request, and the role that decides what the caller may do.
 */
class RealmTest {

  @Test
  void tenantAdminTokenCarriesTenantAndRole() throws Exception {
    JsonNode claims = claims(Tokens.accessToken("acme-admin"));
    assertThat(claims.path("tenant").asText()).isEqualTo("acme");
    assertThat(claims.path("realm_access").path("roles").toString()).contains("tenant-admin");
  }

  @Test
  void memberAndOtherTenantAreDistinct() throws Exception {
    JsonNode viewer = claims(Tokens.accessToken("acme-viewer"));
    assertThat(viewer.path("tenant").asText()).isEqualTo("acme");
    assertThat(viewer.path("realm_access").path("roles").toString())
        .contains("tenant-member")
        .doesNotContain("tenant-admin");
    assertThat(claims(Tokens.accessToken("globex-admin")).path("tenant").asText()).isEqualTo("globex");
  }

  @Test
  void operatorHasNoTenant() throws Exception {
    JsonNode claims = claims(Tokens.accessToken("ops"));
    assertThat(claims.has("tenant")).isFalse();
    assertThat(claims.path("realm_access").path("roles").toString()).contains("operator");
  }

  @Test
  void wrongPasswordIsRefused() {
    assertThatThrownBy(() -> Tokens.accessToken("acme-admin", "not-the-password"))
        .hasMessageContaining("invalid_grant");
  }

  @Test
  void controlPlaneServiceAccountGetsAToken() throws Exception {
    JsonNode claims = claims(Tokens.serviceToken("strata-control-plane", "strata-control-plane-secret"));
    assertThat(claims.path("azp").asText()).isEqualTo("strata-control-plane");
  }

  private static JsonNode claims(String jwt) throws Exception {
    String payload = jwt.split("\\.")[1];
    return new ObjectMapper().readTree(Base64.getUrlDecoder().decode(payload));
  }
}
