package io.strata.engine.cli;

import io.strata.engine.iscsi.login.ChapCredentials;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One {@code --initiator} option ({@code IQN}, {@code IQN=LUNS}, {@code IQN=USER:SECRET} or
 * {@code IQN=USER:SECRET:LUNS}): an initiator admitted to the target,
 * the CHAP credentials it must log in with (null: the target-wide {@code --chap}, or none), and
 * the LUNs it sees (null: all).
 *
 * <p>LUNS is {@code *} (all), {@code -} (none) or a comma-separated list such as {@code 0,3}. The
 * part after the last colon is read as LUNS whenever it looks like one, so a secret that itself
 * ends in {@code :<digits>} must be followed by an explicit LUN list.
 */
public record InitiatorSpec(String iqn, ChapCredentials chap, Set<Integer> luns) {

  private static final Pattern LUN_LIST = Pattern.compile("\\*|-|\\d{1,5}(,\\d{1,5})*");

  /** Whether this initiator may see {@code lun}. */
  public boolean sees(int lun) {
    return luns == null || luns.contains(lun);
  }

  public static InitiatorSpec parse(String text) {
    int eq = text.indexOf('=');
    String iqn = eq < 0 ? text : text.substring(0, eq);
    if (iqn.isBlank()) {
      throw new IllegalArgumentException("expected IQN[=USER:SECRET[:LUNS]], got '" + text + "'");
    }
    if (eq < 0) {
      return new InitiatorSpec(iqn, null, null);
    }
    String rest = text.substring(eq + 1);
    if (rest.indexOf(':') < 0 && LUN_LIST.matcher(rest).matches()) {
      return new InitiatorSpec(iqn, null, lunList(rest)); // IQN=LUNS: no CHAP of its own
    }
    Set<Integer> luns = null;
    int last = rest.lastIndexOf(':');
    int first = rest.indexOf(':');
    if (last > first && LUN_LIST.matcher(rest.substring(last + 1)).matches()) {
      luns = lunList(rest.substring(last + 1));
      rest = rest.substring(0, last);
    }
    return new InitiatorSpec(iqn, ChapCredentials.parse(rest), luns);
  }

  private static Set<Integer> lunList(String text) {
    if (text.equals("*")) {
      return null;
    }
    Set<Integer> luns = new TreeSet<>();
    if (text.equals("-")) {
      return luns;
    }
    for (String part : text.split(",")) {
      int lun = Integer.parseInt(part);
      if (lun > 16383) {
        throw new IllegalArgumentException("LUN " + lun + " not in 0..16383");
      }
      luns.add(lun);
    }
    return luns;
  }
}
