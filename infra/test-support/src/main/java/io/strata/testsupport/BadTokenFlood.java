package io.strata.testsupport;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Sends every {@link BadTokens} token, several rounds of them, to a service whose OIDC goes
 * through a {@link KeycloakRelay}, and checks that verifying them cost Keycloak nothing: no
 * introspection, at most one key-set refresh (a token naming an unknown key id), nothing at all
 * once the key set is cached, and no ERROR in the service's log.
 */
public final class BadTokenFlood {
  private BadTokenFlood() {}

  /**
   * @param refuse sends one (name, token) request and asserts that the service refused it (401)
   */
  public static void assertRefusedLocally(KeycloakRelay keycloak, int rounds, BiConsumer<String, String> refuse) {
    Map<String, String> bad = BadTokens.all();
    try (CapturedLog log = CapturedLog.start()) {
      int before = keycloak.requests().size();
      send(bad, rounds, refuse);
      List<String> first = keycloak.requestsSince(before);
      check(first.stream().noneMatch(r -> r.contains("introspect")), "a token was introspected: " + first);
      check(first.size() <= 1 && first.stream().allMatch(r -> r.endsWith("/protocol/openid-connect/certs")),
          "more than one key-set refresh reached Keycloak: " + first);

      int afterFirst = keycloak.requests().size();
      send(bad, rounds, refuse);
      List<String> second = keycloak.requestsSince(afterFirst);
      check(second.isEmpty(), "the key set is not cached: " + second);

      check(log.errors().isEmpty(), "bad tokens were logged as errors: " + log.errors());
    }
  }

  private static void send(Map<String, String> tokens, int rounds, BiConsumer<String, String> refuse) {
    for (int i = 0; i < rounds; i++) {
      tokens.forEach(refuse);
    }
  }

  private static void check(boolean condition, String failure) {
    if (!condition) {
      throw new AssertionError(failure);
    }
  }
}
