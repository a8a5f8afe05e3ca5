package io.strata.testsupport;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Keys sealing CHAP secrets for services a test runs as production processes (their built jars),
 * which refuse to start without a key of their own ({@code STRATA_SECRETS_KEY}).
 */
public final class SecretsKeys {
  private SecretsKeys() {}

  /** 32 random bytes, base64: a fresh AES-256 key. */
  public static String random() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }
}
