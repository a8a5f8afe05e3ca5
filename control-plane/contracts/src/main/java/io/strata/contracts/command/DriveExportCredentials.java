package io.strata.contracts.command;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The names and CHAP credentials with which an array's engine logs in to the drives other nodes
 * export to it (docs/provisioning.md, "Drives on other nodes"). Both agents derive them from the
 * key they share with the control plane ({@code STRATA_SECRETS_KEY}), so that nothing secret
 * about drive exports crosses Kafka: user = the array id, secret = the first 32 characters of
 * base64url (no padding) of HMAC-SHA256(key bytes, {@code "strata drive export " + arrayId}).
 */
public final class DriveExportCredentials {

  /** Every exported drive is LUN 0 of its own target. */
  public static final int LUN = 0;

  private static final String ENGINE_IQN_PREFIX = "iqn.2026-01.io.strata:engine.";
  private static final String DRIVE_IQN_PREFIX = "iqn.2026-01.io.strata:drive.";
  private static final String CONTEXT = "strata drive export ";
  private static final int SECRET_CHARS = 32;

  private final SecretKeySpec key;

  /** @param base64Key the shared key (32 bytes, base64), the same that opens sealed CHAP secrets */
  public DriveExportCredentials(String base64Key) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(base64Key == null ? "" : base64Key);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the secrets key is not base64", e);
    }
    if (raw.length != 32) {
      throw new IllegalArgumentException("the secrets key must be 32 bytes, got " + raw.length);
    }
    this.key = new SecretKeySpec(raw, "HmacSHA256");
  }

  /** The initiator name of the engine of {@code arrayId}. */
  public static String engineInitiatorIqn(String arrayId) {
    ArrayDesiredState.requireText(arrayId, "arrayId");
    return ENGINE_IQN_PREFIX + arrayId;
  }

  /** The target name under which a node exports drive {@code driveId} (the control plane's drive id). */
  public static String driveTargetIqn(String driveId) {
    ArrayDesiredState.requireText(driveId, "driveId");
    return DRIVE_IQN_PREFIX + driveId;
  }

  /** The CHAP user of the engine of {@code arrayId}: the array id itself. */
  public String user(String arrayId) {
    ArrayDesiredState.requireText(arrayId, "arrayId");
    return arrayId;
  }

  /** The CHAP secret of the engine of {@code arrayId}. */
  public String secret(String arrayId) {
    ArrayDesiredState.requireText(arrayId, "arrayId");
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] digest = mac.doFinal((CONTEXT + arrayId).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, SECRET_CHARS);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }
}
