package io.strata.console.web;

import io.strata.console.api.ControlPlane.Connection;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact commands a Linux server (open-iscsi) runs to attach a volume: discovery on each
 * portal, the CHAP settings, login, automatic login at boot, and the stable device name under
 * /dev/disk/by-path. With more than one portal (a highly available array: the active engine's
 * portal and the standby's) each is logged into with a short replacement timeout, and
 * dm-multipath joins the paths with the settings an ALUA array wants: paths grouped by priority
 * from the {@code alua} prioritizer (so I/O goes to the active/optimized path only), the
 * {@code 1 alua} hardware handler, immediate failback, and a bounded queue while no path is
 * usable. Every value that comes from the API is one shell-quoted word ({@link ShellQuote}) and
 * none is written into a comment, where a newline would end the comment and start a command.
 */
public final class AttachCommands {
  private AttachCommands() {}

  /**
   * The engine's standard INQUIRY vendor and product (array-agent/engine scsi/LogicalUnit), which
   * multipath matches its device section against.
   */
  static final String VENDOR = "STRATA";
  static final String PRODUCT = "VPSA";

  /**
   * How many path-checker intervals ({@link #POLLING_INTERVAL} s) I/O is queued while no path is
   * usable: a failover (target under 10 s) and an engine restart fit in a minute, after which the
   * file system gets the error instead of hanging forever ({@code queue}).
   */
  static final int NO_PATH_RETRY = 60;

  /**
   * Seconds between multipathd's checks of a failed path. In a switchover the kernel fails both
   * paths and only the checker brings the promoted engine's path back, so the default 5 s is the
   * largest part of the pause (docs/benchmarks/failover.md, "Where a switchover's pause goes").
   */
  static final int POLLING_INTERVAL = 1;

  /**
   * dm-multipath's settings for Strata's logical units (a drop-in beside multipath.conf): the two
   * defaults that keep a switchover's pause short ({@code force_sync}: multipath-tools 0.9 reports
   * an asynchronous TUR check that took over a millisecond as pending and takes its result a whole
   * interval later), and the device section.
   */
  static String multipathDeviceSection() {
    return String.join("\n",
        "defaults {",
        "    polling_interval " + POLLING_INTERVAL,
        "    force_sync yes",
        "}",
        "devices {",
        "    device {",
        "        vendor \"" + VENDOR + "\"",
        "        product \"" + PRODUCT + "\"",
        "        path_grouping_policy group_by_prio",
        "        prio alua",
        "        hardware_handler \"1 alua\"",
        "        path_checker tur",
        "        failback immediate",
        "        no_path_retry " + NO_PATH_RETRY,
        "    }",
        "}");
  }

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
    boolean multipath = portals.size() > 1;
    lines.add("");
    lines.add("# 3. Log in, and again automatically at every boot");
    for (String p : portals) {
      String portal = ShellQuote.quote(p);
      if (multipath) {
        // give a dead path up after 10 s so that multipath moves the I/O to the other one
        lines.add("sudo iscsiadm -m node -T " + iqn + " -p " + portal
            + " -o update -n node.session.timeo.replacement_timeout -v 10");
      }
      lines.add("sudo iscsiadm -m node -T " + iqn + " -p " + portal + " --login");
      lines.add("sudo iscsiadm -m node -T " + iqn + " -p " + portal + " -o update -n node.startup -v automatic");
    }
    lines.add("");
    lines.add("# 4. The volume (LUN " + c.lun() + ") is this device:");
    for (String p : portals) {
      lines.add("ls -l " + ShellQuote.quote(byPath(p, c.targetIqn(), c.lun())));
    }
    if (multipath) {
      lines.add("");
      lines.add("# 5. Several portals (an active and a standby engine): dm-multipath joins the paths into one");
      lines.add("#    device and sends I/O to the active engine's path (ALUA); use /dev/mapper/..., not the paths");
      lines.add("sudo apt-get install -y multipath-tools   # or: dnf install device-mapper-multipath");
      lines.add("sudo mkdir -p /etc/multipath/conf.d");
      lines.add("sudo tee /etc/multipath/conf.d/strata.conf >/dev/null <<'MULTIPATH'");
      lines.add(multipathDeviceSection());
      lines.add("MULTIPATH");
      lines.add("sudo systemctl enable --now multipathd");
      // known WWIDs get a map whatever find_multipaths says (Debian and RHEL default to strict)
      lines.add("sudo multipath -a " + ShellQuote.quote(byPath(portals.get(0), c.targetIqn(), c.lun())));
      lines.add("sudo systemctl reload multipathd");
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
