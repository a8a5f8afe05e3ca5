package io.strata.cli.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One stack the CLI signs in to: where its APIs and Keycloak are, who signed in, and the tokens.
 * Mutable bean: Jackson reads and writes it as it is in the config file.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Profile {
  /** Control plane base URL, e.g. http://127.0.0.1:8081 (no /api/v1). */
  public String url;
  /** Billing base URL, e.g. http://127.0.0.1:8082. */
  public String billingUrl;
  /** The OIDC issuer (Keycloak realm URL) the control plane trusts. */
  public String issuer;
  public String clientId;
  public String user;
  public String accessToken;
  public String refreshToken;
  /** Epoch seconds. */
  public Long accessTokenExpiresAt;
  public Long refreshTokenExpiresAt;

  public boolean signedIn() {
    return accessToken != null;
  }

  public void signOut() {
    accessToken = null;
    refreshToken = null;
    accessTokenExpiresAt = null;
    refreshTokenExpiresAt = null;
  }
}
