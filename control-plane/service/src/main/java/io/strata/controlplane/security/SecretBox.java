package io.strata.controlplane.security;

import io.quarkus.runtime.LaunchMode;
import io.strata.contracts.command.SealingKeyPolicy;
import io.quarkus.runtime.Startup;
import io.strata.controlplane.config.StrataConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets (CHAP) at rest with AES-256-GCM. Created at startup, so that a run without a
 * proper key (see {@link io.strata.contracts.command.SealingKeyPolicy}) refuses to start rather than fail at the first server. A sealed value is
 * {@code <keyId>:<base64(12-byte nonce || ciphertext || 16-byte tag)>}; the key id is also the
 * associated data, so a value cannot be opened under another key name. A fresh random nonce per
 * value.
 */
@ApplicationScoped
@Startup
public class SecretBox {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private final SecureRandom random = new SecureRandom();
  private final SecretKey key;
  private final String keyId;
  private final SecretKeySpec fingerprintKey;

  @jakarta.inject.Inject
  public SecretBox(StrataConfig config) {
    this(SealingKeyPolicy.keyFor(LaunchMode.current().isDevOrTest(), config.secrets().key()), config.secrets().keyId());
  }

  public SecretBox(String base64Key, String keyId) {
    byte[] raw = Base64.getDecoder().decode(base64Key);
    if (raw.length != 32) {
      throw new IllegalArgumentException("strata.secrets.key must be 32 bytes (base64), got " + raw.length);
    }
    if (keyId.isBlank() || keyId.contains(":")) {
      throw new IllegalArgumentException("strata.secrets.key-id must be non-blank without ':'");
    }
    this.key = new SecretKeySpec(raw, "AES");
    this.keyId = keyId;
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
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed);
      return keyId + ":" + Base64.getEncoder().encodeToString(out.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  public String open(String sealedValue) {
    int colon = sealedValue.indexOf(':');
    if (colon <= 0 || !sealedValue.substring(0, colon).equals(keyId)) {
      throw new IllegalStateException("sealed with an unknown key id");
    }
    byte[] all = Base64.getDecoder().decode(sealedValue.substring(colon + 1));
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
      byte[] plain = cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("sealed value does not open (tampered or wrong key)", e);
    }
  }
}
