package io.strata.console.forms;

/**
 * The control plane's validation rules (control-plane rest/dto/Names), repeated here so that a form
 * can say what is wrong while the user types. The control plane checks them again on submit and
 * its answer wins: its field messages are shown next to the same fields.
 */
public final class Rules {
  public static final String NAME = "^[a-z0-9][a-z0-9-]{0,62}$";
  public static final String NAME_MESSAGE =
      "must be 1-63 lowercase letters, digits or '-', starting with a letter or digit";
  public static final String IQN =
      "^(iqn\\.[0-9]{4}-[0-9]{2}\\.[a-z0-9.-]+(:[^ ]+)?|eui\\.[0-9A-Fa-f]{16}|naa\\.[0-9A-Fa-f]{16,32})$";
  public static final String IQN_MESSAGE =
      "must be an iSCSI name (iqn.YYYY-MM.reversed.domain[:id], eui. or naa.)";
  public static final String ALIAS = "^[a-z][a-z0-9-]{1,31}$";
  public static final String ALIAS_MESSAGE =
      "must be 2-32 lowercase letters, digits or '-', starting with a letter";
  public static final String USERNAME = "^[a-z0-9][a-z0-9._-]{2,62}$";
  public static final String USERNAME_MESSAGE = "must be 3-63 lowercase letters, digits, '.', '_' or '-'";

  private Rules() {}
}
