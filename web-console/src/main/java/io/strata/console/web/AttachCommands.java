package io.strata.console.web;

import io.strata.console.api.ControlPlane.Connection;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact commands a Linux server (open-iscsi) runs to attach a volume: discovery on each
 * portal, the CHAP settings, login, automatic login at boot, and the stable device name under
 * /dev/disk/by-path. With more than one portal each is logged into, and multipath combines them.
 * Every value that comes from the API is one shell-quoted word ({@link ShellQuote}) and none is
 * written into a comment, where a newline would end the comment and start a command.
 */
public final class AttachCommands {
  private AttachCommands() {}

  /** A shell script to paste; the CHAP secret is a placeholder, since Strata never shows it again. */
  public static String linux(Connection c) {
    List<String> portals = c.portals() == null ? List.of() : c.portals();
    String iqn = ShellQuote.quote(c.targetIqn());
    boolean chap = c.chapUser() != null && !c.chapUser().isBlank();
    boolean mutual = c.mutualChapUser() != null && !c.mutualChapUser().isBlank();
    List<String> lines = new ArrayList<>();
    lines.add("# 0. This server's initiator name (the file) must be the one Strata knows (printed first)");
    lines.add("printf '%s\\n' " + ShellQuote.quote(String.valueOf(c.initiatorIqn())));
    lines.add("cat /etc/iscsi/initiatorname.iscsi");
    lines.add("");
    lines.add("# 1. Discover the target on each portal");
    for (String p : portals) {
      lines.add("sudo iscsiadm -m discovery -t sendtargets -p " + ShellQuote.quote(p));
    }
    if (chap) {
      lines.add("");
      lines.add("# 2. CHAP: the secret is the one shown once when the server was registered");
      for (String p : portals) {
        String node = "sudo iscsiadm -m node -T " + iqn + " -p " + ShellQuote.quote(p) + " -o update -n ";
        lines.add(node + "node.session.auth.authmethod -v CHAP");
        lines.add(node + "node.session.auth.username -v " + ShellQuote.quote(c.chapUser()));
        lines.add(node + "node.session.auth.password -v 'YOUR-CHAP-SECRET'");
        if (mutual) {
          lines.add(node + "node.session.auth.username_in -v " + ShellQuote.quote(c.mutualChapUser()));
          lines.add(node + "node.session.auth.password_in -v 'YOUR-MUTUAL-CHAP-SECRET'");
        }
      }
    }
    lines.add("");
    lines.add("# 3. Log in, and again automatically at every boot");
    for (String p : portals) {
      String portal = ShellQuote.quote(p);
      lines.add("sudo iscsiadm -m node -T " + iqn + " -p " + portal + " --login");
      lines.add("sudo iscsiadm -m node -T " + iqn + " -p " + portal + " -o update -n node.startup -v automatic");
    }
    lines.add("");
    lines.add("# 4. The volume (LUN " + c.lun() + ") is this device:");
    for (String p : portals) {
      lines.add("ls -l " + ShellQuote.quote(byPath(p, c.targetIqn(), c.lun())));
    }
    if (portals.size() > 1) {
      lines.add("");
      lines.add("# 5. Several portals: multipath joins the paths into one device");
      lines.add("sudo apt-get install -y multipath-tools   # or: dnf install device-mapper-multipath");
      lines.add("sudo systemctl enable --now multipathd");
      lines.add("sudo multipath -ll");
    }
    return String.join("\n", lines) + "\n";
  }

  /** udev's stable name for an iSCSI LUN: ip-ADDRESS:PORT-iscsi-TARGET-lun-N. */
  public static String byPath(String portal, String targetIqn, int lun) {
    String withPort = portal.contains(":") ? portal : portal + ":3260";
    return "/dev/disk/by-path/ip-" + withPort + "-iscsi-" + targetIqn + "-lun-" + lun;
  }
}
