package io.strata.controlplane.rest.dto;

/**
 * Shared validation patterns. Every limit here is at most the database's (V1 migration), so that
 * no input reaches the database to fail there; the database checks the same rules again.
 */
public final class Names {
  /** Object names: also part of target IQNs, hence IQN-safe. Columns are varchar(63). */
  public static final String NAME = "^[a-z0-9][a-z0-9-]{0,62}$";

  public static final String NAME_MESSAGE =
      "must be 1-63 lowercase letters, digits or '-', starting with a letter or digit";

  /** server.iqn is varchar(223), the RFC 3720 limit of an iSCSI name. */
  public static final int IQN_MAX = 223;

  /**
   * iSCSI names (RFC 3720 3.2.6, RFC 3722 stringprep): {@code iqn.YYYY-MM.reversed.domain[:unique]}
   * in the characters an iSCSI name may keep after normalisation (lowercase ASCII letters, digits,
   * '-', '.', ':'; no spaces, quotes, shell metacharacters or control characters), {@code eui.}
   * with 16 hex digits or {@code naa.} with 16 or 32 (RFC 3980).
   */
  public static final String IQN =
      "^(iqn\\.[0-9]{4}-[0-9]{2}\\.[a-z0-9][a-z0-9.-]*(:[a-z0-9.:-]+)?"
          + "|eui\\.[0-9A-Fa-f]{16}|naa\\.[0-9A-Fa-f]{16}([0-9A-Fa-f]{16})?)$";

  public static final String IQN_MESSAGE =
      "must be an iSCSI name: iqn.YYYY-MM.reversed.domain[:id] in lowercase letters, digits, '.', '-' and ':',"
          + " eui. and 16 hex digits, or naa. and 16 or 32 hex digits (at most 223 characters)";

  /**
   * CHAP names (RFC 7143 12.1.3 CHAP_N; columns varchar(64)): letters, digits and {@code . _ : @ -},
   * starting with a letter or digit (never an option to the command it is pasted into).
   */
  public static final String CHAP_NAME = "^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$";

  public static final String CHAP_NAME_MESSAGE =
      "must be 1-64 letters, digits, '.', '_', ':', '@' or '-', starting with a letter or digit";

  /** CHAP secrets: 12-64 printable ASCII characters without spaces. */
  public static final String CHAP_SECRET = "^[!-~]{12,64}$";

  public static final String CHAP_SECRET_MESSAGE = "must be 12-64 printable ASCII characters without spaces";

  public static final String ALIAS = "^[a-z][a-z0-9-]{1,31}$";

  /**
   * Free text (display names, zones, addresses, serials, passwords, filters): anything but
   * control characters (C0, DEL, C1), format characters (bidi overrides, zero-width), line and
   * paragraph separators and lone surrogates. NUL in particular would fail in PostgreSQL.
   */
  public static final String PLAIN_TEXT = "^[^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}]*$";

  public static final String PLAIN_TEXT_MESSAGE = "must not contain control characters";

  private static final java.util.regex.Pattern PLAIN = java.util.regex.Pattern.compile(PLAIN_TEXT);

  /** Whether {@code s} is free of the characters {@link #PLAIN_TEXT} refuses. */
  public static boolean isPlainText(String s) {
    return PLAIN.matcher(s).matches();
  }

  private Names() {}
}
