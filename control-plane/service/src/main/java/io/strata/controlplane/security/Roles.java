package io.strata.controlplane.security;

/** Realm roles of the strata realm (infra/keycloak/strata-realm.json). */
public final class Roles {
  public static final String TENANT_ADMIN = "tenant-admin";
  public static final String TENANT_MEMBER = "tenant-member";
  public static final String OPERATOR = "operator";

  private Roles() {}
}
