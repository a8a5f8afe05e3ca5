package io.strata.csi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/** How CSI's names and ids map onto the control plane's. */
public final class CsiNames {

  /** The control plane's object names (Names.NAME there): lowercase, digits, '-', at most 63. */
  private static final Pattern API_NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
  private static final Pattern UUID_TEXT =
      Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  /** RFC 3720 iSCSI qualified names, as the control plane accepts them. */
  private static final Pattern IQN = Pattern.compile("^iqn\\.\\d{4}-\\d{2}\\.[a-z0-9.-]+(:[a-z0-9.:-]+)?$");

  private CsiNames() {}

  /**
   * The control plane name for a CSI name: the name itself when the API takes it (Kubernetes'
   * "pvc-&lt;uid&gt;" does), else "csi-" and 32 hex digits of its SHA-256, so that the same CSI
   * name always finds the same object and two names never share one (in practice).
   */
  public static String apiName(String csiName) {
    if (API_NAME.matcher(csiName).matches()) {
      return csiName;
    }
    return "csi-" + sha256(csiName).substring(0, 32);
  }

  /** A server (initiator) name for a node's IQN. */
  public static String serverName(String iqn) {
    return "csi-node-" + sha256(iqn).substring(0, 24);
  }

  public static boolean isId(String text) {
    return UUID_TEXT.matcher(text).matches();
  }

  public static UUID id(String text) {
    return UUID.fromString(text);
  }

  public static boolean isIqn(String text) {
    return text.length() <= 223 && IQN.matcher(text).matches();
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
