package io.strata.cli.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.cli.config.Profile;
import java.time.Instant;

/** The tokens of a token endpoint's answer, put into a profile. */
final class Tokens {
  private Tokens() {}

  static void store(JsonNode answer, Profile profile, Instant now) {
    profile.accessToken = answer.path("access_token").asText(null);
    profile.accessTokenExpiresAt = now.getEpochSecond() + answer.path("expires_in").asLong(60);
    String refresh = answer.path("refresh_token").asText(null);
    if (refresh != null) {
      profile.refreshToken = refresh;
      // Keycloak says refresh_expires_in (0: an offline token that does not expire by time)
      long refreshIn = answer.path("refresh_expires_in").asLong(0);
      profile.refreshTokenExpiresAt = refreshIn > 0 ? now.getEpochSecond() + refreshIn : null;
    }
  }
}
