package io.strata.controlplane.alerts;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature a webhook receiver checks: {@code X-Strata-Signature: sha256=<hex>}, the
 * HMAC-SHA256 of the exact body bytes under the webhook's secret (as GitHub signs its webhooks).
 */
public final class WebhookSignature {
  public static final String HEADER = "X-Strata-Signature";

  private WebhookSignature() {}

  public static String of(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
