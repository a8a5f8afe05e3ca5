package io.strata.controlplane.rest.dto;

/** Shared validation patterns; the database checks the same rules. */
public final class Names {
  /** Object names: also part of target IQNs, hence IQN-safe. */
  public static final String NAME = "^[a-z0-9][a-z0-9-]{0,62}$";

  public static final String NAME_MESSAGE =
      "must be 1-63 lowercase letters, digits or '-', starting with a letter or digit";

  public static final String IQN =
      "^(iqn\\.[0-9]{4}-[0-9]{2}\\.[a-z0-9.-]+(:[^ ]+)?|eui\\.[0-9A-Fa-f]{16}|naa\\.[0-9A-Fa-f]{16,32})$";

  public static final String IQN_MESSAGE = "must be an iSCSI name (iqn.YYYY-MM.reversed.domain[:id], eui. or naa.)";

  public static final String ALIAS = "^[a-z][a-z0-9-]{1,31}$";

  private Names() {}
}
