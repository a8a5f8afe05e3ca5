package io.strata.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The steps that connect this Linux host to an attachment, from the attachment's
 * {@code connection} (portals, target IQN, LUN, CHAP user names): open-iscsi node records with CHAP
 * and timeouts, login (and again at boot), and with several portals (a highly available array)
 * dm-multipath grouped by ALUA priority — the procedure of docs/attach-linux.md. Each step is an
 * argument vector run without a shell, so no value from the API is ever parsed by one.
 */
public final class AttachPlan {
  /** One thing to do: a command, or a file to write (multipath's drop-in). */
  public sealed interface Step permits Run, WriteFile {}

  public record Run(List<String> argv, boolean secret) implements Step {}

  public record WriteFile(String path, String content) implements Step {}

  static final String MULTIPATH_DROP_IN = "/etc/multipath/conf.d/strata.conf";
  /** The engine's INQUIRY vendor/product, which the device section matches (docs/attach-linux.md, section 4). */
  static final String MULTIPATH_CONF = String.join("\n",
      "defaults {",
      "    polling_interval 1",
      "    force_sync yes",
      "}",
      "devices {",
      "    device {",
      "        vendor \"STRATA\"",
      "        product \"VPSA\"",
      "        path_grouping_policy group_by_prio",
      "        prio alua",
      "        hardware_handler \"1 alua\"",
      "        path_checker tur",
      "        failback immediate",
      "        no_path_retry 60",
      "    }",
      "}") + "\n";
  // what the API promises for these values (docs/control-plane.md, "Strict input"); anything else is refused here too
  private static final Pattern IQN = Pattern.compile("(iqn\\.[0-9]{4}-[0-9]{2}\\.[a-z0-9.:-]+|eui\\.[0-9a-fA-F]{16}|naa\\.[0-9a-fA-F]{16,32})");
  private static final Pattern PORTAL = Pattern.compile("[A-Za-z0-9.\\[\\]:-]+");
  private static final Pattern CHAP_USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}");

  private AttachPlan() {}

  /**
   * The steps for the connection; {@code chapSecret} and {@code mutualSecret} may be null (a dry
   * run prints a placeholder), since the API never returns a secret.
   */
  public static List<Step> steps(JsonNode connection, String chapSecret, String mutualSecret) {
    String target = checked(connection.path("targetIqn").asText(), IQN, "targetIqn");
    int lun = connection.path("lun").asInt();
    List<String> portals = new ArrayList<>();
    connection.path("portals").forEach(p -> portals.add(checked(p.asText(), PORTAL, "portal")));
    if (portals.isEmpty()) {
      throw new IllegalArgumentException("the attachment names no portal");
    }
    String chapUser = connection.path("chapUser").asText(null);
    String mutualUser = connection.path("mutualChapUser").asText(null);
    boolean multipath = portals.size() > 1;
    List<Step> steps = new ArrayList<>();
    for (String portal : portals) {
      steps.add(iscsiadm(target, portal, "-o", "new"));
      if (chapUser != null && !chapUser.isBlank()) {
        steps.add(update(target, portal, "node.session.auth.authmethod", "CHAP"));
        steps.add(update(target, portal, "node.session.auth.username", checked(chapUser, CHAP_USER, "chapUser")));
        steps.add(new Run(updateArgs(target, portal, "node.session.auth.password",
            chapSecret == null ? "YOUR-CHAP-SECRET" : chapSecret), true));
        if (mutualUser != null && !mutualUser.isBlank()) {
          steps.add(update(target, portal, "node.session.auth.username_in", checked(mutualUser, CHAP_USER, "mutualChapUser")));
          steps.add(new Run(updateArgs(target, portal, "node.session.auth.password_in",
              mutualSecret == null ? "YOUR-MUTUAL-CHAP-SECRET" : mutualSecret), true));
        }
      }
      // one path: hold I/O through an array restart; several: give a dead path up so multipath moves on
      steps.add(update(target, portal, "node.session.timeo.replacement_timeout", multipath ? "10" : "120"));
      steps.add(update(target, portal, "node.conn[0].timeo.noop_out_interval", "5"));
      steps.add(update(target, portal, "node.conn[0].timeo.noop_out_timeout", "10"));
      steps.add(update(target, portal, "node.startup", "automatic"));
      steps.add(iscsiadm(target, portal, "--login"));
    }
    if (multipath) {
      steps.add(new WriteFile(MULTIPATH_DROP_IN, MULTIPATH_CONF));
      steps.add(new Run(List.of("multipath", "-a", byPath(portals.get(0), target, lun)), false));
      steps.add(new Run(List.of("systemctl", "reload-or-restart", "multipathd"), false));
      steps.add(new Run(List.of("multipath", "-ll"), false));
    }
    return steps;
  }

  /** udev's stable name of the LUN behind one portal. */
  public static String byPath(String portal, String target, int lun) {
    String withPort = portal.contains(":") ? portal : portal + ":3260";
    return "/dev/disk/by-path/ip-" + withPort + "-iscsi-" + target + "-lun-" + lun;
  }

  private static Run iscsiadm(String target, String portal, String... more) {
    List<String> argv = new ArrayList<>(List.of("iscsiadm", "-m", "node", "-T", target, "-p", portal));
    argv.addAll(List.of(more));
    return new Run(argv, false);
  }

  private static Run update(String target, String portal, String name, String value) {
    return new Run(updateArgs(target, portal, name, value), false);
  }

  private static List<String> updateArgs(String target, String portal, String name, String value) {
    return List.of("iscsiadm", "-m", "node", "-T", target, "-p", portal, "-o", "update", "-n", name, "-v", value);
  }

  private static String checked(String value, Pattern pattern, String field) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new IllegalArgumentException("the attachment's " + field + " '" + value + "' is not what the API promises");
    }
    return value;
  }

  /** A step as a shell line (for --dry-run), secrets hidden unless {@code showSecrets}. */
  public static String shell(Step step) {
    if (step instanceof WriteFile w) {
      return "cat > " + quote(w.path()) + " <<'EOF'\n" + w.content() + "EOF";
    }
    Run r = (Run) step;
    List<String> words = new ArrayList<>();
    for (int i = 0; i < r.argv().size(); i++) {
      boolean hide = r.secret() && i == r.argv().size() - 1 && !r.argv().get(i).startsWith("YOUR-");
      words.add(hide ? "'********'" : quote(r.argv().get(i)));
    }
    return String.join(" ", words);
  }

  static String quote(String word) {
    if (word.matches("[A-Za-z0-9._/:=@%+,-]+")) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
