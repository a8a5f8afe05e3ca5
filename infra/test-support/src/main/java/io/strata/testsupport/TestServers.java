package io.strata.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * Where the real servers that {@code infra/bin/test} (or {@code infra/bin/deps up}) started are.
 * Each address can be overridden with a system property, which the parent pom passes to Surefire
 * and Failsafe.
 */
public final class TestServers {

  /** JDBC URL of a database on the test PostgreSQL that the test role may connect to. */
  public static String postgresAdminUrl() {
    return System.getProperty("strata.test.postgres.url", "jdbc:postgresql://127.0.0.1:5433/postgres");
  }

  public static String postgresUser() {
    return System.getProperty("strata.test.postgres.user", "strata");
  }

  public static String postgresPassword() {
    return System.getProperty("strata.test.postgres.password", "strata");
  }

  /** Base URL of the test Keycloak, without the realm. */
  public static String keycloakUrl() {
    return System.getProperty("strata.test.keycloak.url", "http://127.0.0.1:8180");
  }

  /** The issuer URL of the strata realm. */
  public static String realmUrl() {
    return keycloakUrl() + "/realms/strata";
  }

  /** Fails fast, with the command that fixes it, when a server the test needs is not running. */
  static void requireListening(String what, URI uri) {
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), port), 2_000);
    } catch (IOException e) {
      throw new IllegalStateException(
          what + " is not reachable at " + uri.getHost() + ":" + port
              + " — start the real dependencies with `infra/bin/deps up` (infra/bin/test does it for you)",
          e);
    }
  }

  private TestServers() {}
}
