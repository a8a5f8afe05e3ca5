package io.strata.engine.iscsi.login;

import java.nio.charset.StandardCharsets;

/** A CHAP name and secret. Secrets shorter than 12 bytes are refused (RFC 7143 12.1.3). */
public record ChapCredentials(String user, byte[] secret) {
  public static final int MIN_SECRET_BYTES = 12;
  /** Longer than any sane secret; bounds what we hash. */
  public static final int MAX_SECRET_BYTES = 255;

  public ChapCredentials {
    if (user == null || user.isEmpty()) {
      throw new IllegalArgumentException("CHAP user name is empty");
    }
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "CHAP secret for " + user + " is " + secret.length + " bytes; at least 12 are required");
    }
    if (secret.length > MAX_SECRET_BYTES) {
      throw new IllegalArgumentException("CHAP secret for " + user + " is longer than 255 bytes");
    }
  }

  /** Parses {@code USER:SECRET} as given on the command line. */
  public static ChapCredentials parse(String userColonSecret) {
    int colon = userColonSecret.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected USER:SECRET, got '" + userColonSecret + "'");
    }
    return new ChapCredentials(
        userColonSecret.substring(0, colon),
        userColonSecret.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "ChapCredentials[user=" + user + ", secret=(hidden)]";
  }
}
