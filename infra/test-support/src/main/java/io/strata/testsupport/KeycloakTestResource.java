package io.strata.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.util.Map;

/**
 * Points a Quarkus service's OIDC (and its Keycloak admin client, where it has one) at the real
 * Keycloak and its strata realm.
 */
public class KeycloakTestResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    TestServers.requireListening("Keycloak", URI.create(TestServers.keycloakUrl()));
    return Map.of(
        "quarkus.oidc.auth-server-url", TestServers.realmUrl(),
        "quarkus.keycloak.admin-client.server-url", TestServers.keycloakUrl());
  }

  @Override
  public void stop() {}
}
