package io.strata.controlplane.security;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.command.SealingKeyPolicy;
import io.strata.controlplane.config.StrataConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets (CHAP, webhook signing secrets) at rest, in the format agents open from commands:
 * {@link SealedSecret} (AES-256-GCM, a fresh nonce per value, the key id as associated data), the
 * one implementation of it. Created at startup, so that a run without a proper key (see {@link
 * SealingKeyPolicy}) refuses to start rather than fail at the first server.
 */
@ApplicationScoped
@Startup
public class SecretBox {
  private final SealedSecret sealing;
  private final SecretKeySpec fingerprintKey;

  @jakarta.inject.Inject
  public SecretBox(StrataConfig config) {
    this(SealingKeyPolicy.keyFor(LaunchMode.current().isDevOrTest(), config.secrets().key()), config.secrets().keyId());
  }

  public SecretBox(String base64Key, String keyId) {
    try {
      this.sealing = new SealedSecret(base64Key, keyId);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("strata.secrets.key / strata.secrets.key-id: " + e.getMessage(), e);
    }
    byte[] raw = Base64.getDecoder().decode(base64Key);
    this.fingerprintKey = new SecretKeySpec(hmac(new SecretKeySpec(raw, HMAC), FINGERPRINT_LABEL), HMAC);
  }

  private static final String HMAC = "HmacSHA256";
  private static final byte[] FINGERPRINT_LABEL = "strata fingerprint v1".getBytes(StandardCharsets.UTF_8);

  /**
   * A keyed fingerprint (HMAC-SHA256 under a key derived from the sealing key, hex) of text that may
   * hold a secret, such as a create request with a CHAP secret: it tells equal texts apart like a
   * hash does, but whoever reads the database cannot test guesses of the secret against it.
   */
  public String fingerprint(String text) {
    return java.util.HexFormat.of().formatHex(hmac(fingerprintKey, text.getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] hmac(SecretKeySpec macKey, byte[] data) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance(HMAC);
      mac.init(macKey);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  public String seal(String plaintext) {
    return sealing.seal(plaintext);
  }

  /** The plaintext; an IllegalArgumentException naming why a value does not open (another key id, tampered). */
  public String open(String sealedValue) {
    return sealing.open(sealedValue);
  }
}
