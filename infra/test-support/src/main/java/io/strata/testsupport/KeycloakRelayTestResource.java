package io.strata.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;

/**
 * Points a service's OIDC at a {@link KeycloakRelay} in front of the real Keycloak (its admin
 * client, where it has one, still goes straight to Keycloak), and injects the relay into the
 * test's {@code KeycloakRelay} field, so the test can count what the service asked Keycloak.
 */
public class KeycloakRelayTestResource implements QuarkusTestResourceLifecycleManager {
  private KeycloakRelay relay;

  @Override
  public Map<String, String> start() {
    URI keycloak = URI.create(TestServers.keycloakUrl());
    TestServers.requireListening("Keycloak", keycloak);
    try {
      relay = new KeycloakRelay(keycloak.getHost(), keycloak.getPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of(
        "quarkus.oidc.auth-server-url", "http://127.0.0.1:" + relay.port() + "/realms/strata",
        // the tokens name the real Keycloak as their issuer
        "quarkus.oidc.token.issuer", TestServers.realmUrl(),
        "quarkus.keycloak.admin-client.server-url", TestServers.keycloakUrl());
  }

  /** After the other resources, so that its OIDC URL wins over {@link KeycloakTestResource}'s. */
  @Override
  public int order() {
    return 1_000;
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(relay, new TestInjector.MatchesType(KeycloakRelay.class));
  }

  @Override
  public void stop() {
    try {
      relay.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
