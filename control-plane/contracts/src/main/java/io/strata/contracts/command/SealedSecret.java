package io.strata.contracts.command;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opens (and, for tests and senders, seals) the CHAP secrets carried in commands. The format is
 * the control plane's at-rest format: {@code <keyId>:<base64(12-byte nonce || ciphertext || tag)>},
 * AES-256-GCM with the key id as associated data, so the control plane can forward the value it
 * stores without opening it.
 */
public final class SealedSecret {

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;
  private final String keyId;

  /** @param base64Key 32 bytes, base64 @param keyId the name of that key, without ':' */
  public SealedSecret(String base64Key, String keyId) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64Key);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the secrets key is not base64", e);
    }
    if (raw.length != 32) {
      throw new IllegalArgumentException("the secrets key must be 32 bytes, got " + raw.length);
    }
    if (keyId == null || keyId.isBlank() || keyId.contains(":")) {
      throw new IllegalArgumentException("the secrets key id must be non-blank without ':'");
    }
    this.key = new SecretKeySpec(raw, "AES");
    this.keyId = keyId;
  }

  public String seal(String plaintext) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return keyId + ":" + Base64.getEncoder().encodeToString(
          ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** The plaintext, or a clear error naming why the value does not open. */
  public String open(String sealedValue) {
    int colon = sealedValue == null ? -1 : sealedValue.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("not a sealed secret (expected keyId:base64)");
    }
    String valueKeyId = sealedValue.substring(0, colon);
    if (!valueKeyId.equals(keyId)) {
      throw new IllegalArgumentException("secret sealed with key '" + valueKeyId + "', this node has '" + keyId + "'");
    }
    try {
      byte[] all = Base64.getDecoder().decode(sealedValue.substring(colon + 1));
      if (all.length < NONCE_BYTES + TAG_BITS / 8) {
        throw new IllegalArgumentException("sealed secret too short");
      }
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
      return new String(cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("sealed secret does not open (tampered or wrong key)", e);
    }
  }
}
