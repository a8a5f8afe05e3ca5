package io.strata.controlplane.config;

import io.smallrye.config.ConfigMapping;

/** Settings of the control plane itself (Quarkus settings live under quarkus.*). */
@ConfigMapping(prefix = "strata.control-plane")
public interface StrataConfig {

  Secrets secrets();

  Target target();

  Keycloak keycloak();

  /**
   * Billing's API (STRATA_BILLING_URL, as the console reads it), published to clients in
   * /.well-known/oauth-protected-resource (ProtectedResourceMetadataResource).
   */
  String billingUrl();

  /** Demo tenants to create at start (dev, test, local stack only). */
  java.util.Optional<java.util.List<String>> demoTenants();

  interface Secrets {
    /**
     * Base64 of a 32-byte AES key sealing CHAP secrets at rest (AES-256-GCM): STRATA_SECRETS_KEY.
     * Required outside dev and tests, where it must not be the development key (SealingKeyPolicy).
     */
    java.util.Optional<String> key();

    /** Name of the key, stored with every sealed value so that keys can be rotated. */
    String keyId();
  }

  interface Target {
    /** Prefix of every target IQN: {@code <prefix>:<tenant>.<array>}. */
    String iqnPrefix();

    /** Lowest TCP port given to an array's portal on a node (3260 stays free for the node). */
    int firstPortalPort();
  }

  interface Keycloak {
    /** The realm whose users, roles and organizations the control plane manages. */
    String realm();
  }
}
