package io.strata.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.console.api.ControlPlane.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttachCommandsTest {

  static final String TARGET = "iqn.2026-11.io.strata:acme.prod";

  @Test
  void singlePortalWithChapGivesDiscoveryChapLoginAndByPathDevice() {
    String script = AttachCommands.linux(new Connection(List.of("10.0.0.5:3261"), TARGET, 3,
        "iqn.1993-08.org.debian:01:web1", "CHAP", "web-1", null));

    assertThat(script)
        .contains("sudo iscsiadm -m discovery -t sendtargets -p '10.0.0.5:3261'")
        .contains("sudo iscsiadm -m node -T '" + TARGET + "' -p '10.0.0.5:3261' -o update -n node.session.auth.authmethod -v CHAP")
        .contains("-n node.session.auth.username -v 'web-1'")
        .contains("-n node.session.auth.password -v 'YOUR-CHAP-SECRET'")
        .contains("sudo iscsiadm -m node -T '" + TARGET + "' -p '10.0.0.5:3261' --login")
        .contains("-n node.startup -v automatic")
        .contains("ls -l '/dev/disk/by-path/ip-10.0.0.5:3261-iscsi-" + TARGET + "-lun-3'")
        .contains("iqn.1993-08.org.debian:01:web1")
        .doesNotContain("username_in")
        .doesNotContain("multipath");
    // CHAP is set before the login, or the login is refused
    assertThat(script.indexOf("auth.password")).isLessThan(script.indexOf("--login"));
  }

  @Test
  void severalPortalsAreEachLoggedIntoAndJoinedByMultipath() {
    String script = AttachCommands.linux(new Connection(List.of("10.0.0.5:3261", "10.0.1.5:3261"), TARGET, 0,
        "iqn.1993-08.org.debian:01:web1", "CHAP", "web-1", "strata-web-1"));

    assertThat(script)
        .contains("-p '10.0.0.5:3261' --login")
        .contains("-p '10.0.1.5:3261' --login")
        .contains("ip-10.0.1.5:3261-iscsi-" + TARGET + "-lun-0")
        .contains("node.session.auth.username_in -v 'strata-web-1'")
        .contains("multipath -ll");
  }

  /**
   * A highly available array's two portals: each is logged into with a short replacement
   * timeout, and multipath gets a device section for the engine's INQUIRY vendor/product that
   * follows ALUA (the active engine's path only, failback at once, a bounded queue).
   */
  @Test
  void twoPortalsOfAHighlyAvailableArrayGetAluaMultipathForTheEnginesVendorAndProduct() throws Exception {
    String script = AttachCommands.linux(new Connection(List.of("127.0.0.1:3261", "127.0.0.2:3261"), TARGET, 2,
        "iqn.1993-08.org.debian:01:web1", "CHAP", "web-1", null));

    assertThat(script)
        .contains("-p '127.0.0.1:3261' -o update -n node.session.timeo.replacement_timeout -v 10")
        .contains("-p '127.0.0.2:3261' -o update -n node.session.timeo.replacement_timeout -v 10")
        .contains("vendor \"STRATA\"")
        .contains("product \"VPSA\"")
        .contains("path_grouping_policy group_by_prio")
        .contains("prio alua")
        .contains("hardware_handler \"1 alua\"")
        .contains("failback immediate")
        .contains("no_path_retry 60")
        .contains("polling_interval 1")
        .contains("force_sync yes")
        .contains("sudo multipath -a '/dev/disk/by-path/ip-127.0.0.1:3261-iscsi-" + TARGET + "-lun-2'");
    // the timeout is set before the login that uses it
    assertThat(script.indexOf("replacement_timeout")).isLessThan(script.indexOf("--login"));
    // the same strings the engine answers INQUIRY with (read from its source: no dependency on the engine)
    String engine = java.nio.file.Files.readString(java.nio.file.Path.of(
        "../array-agent/engine/src/main/java/io/strata/engine/scsi/LogicalUnit.java"));
    assertThat(engine).contains("VENDOR = \"" + AttachCommands.VENDOR + "\";")
        .contains("PRODUCT = \"" + AttachCommands.PRODUCT + "\";");

    // run through bash: the configuration file gets exactly the device section, every portal is logged into
    String shims = """
        command_not_found_handle() { echo "UNEXPECTED COMMAND: $1"; return 127; }
        args() { local a; for a in "$@"; do printf '[%s]' "$a"; done; echo; }
        sudo() { "$@"; }
        iscsiadm() { args iscsiadm "$@"; }
        cat() { args cat "$@"; }
        ls() { args ls "$@"; }
        apt-get() { args apt-get "$@"; }
        mkdir() { args mkdir "$@"; }
        tee() { { args tee "$@"; printf 'CONF<<'; command cat; printf '>>CONF\\n'; } >&2; }   # its stdout goes to /dev/null
        systemctl() { args systemctl "$@"; }
        multipath() { args multipath "$@"; }
        """;
    String out = Bash.run(shims + script);
    assertThat(out).doesNotContain("UNEXPECTED");
    assertThat(out).contains("[iscsiadm][-m][node][-T][" + TARGET + "][-p][127.0.0.1:3261][--login]")
        .contains("[iscsiadm][-m][node][-T][" + TARGET + "][-p][127.0.0.2:3261][--login]")
        .contains("[tee][/etc/multipath/conf.d/strata.conf]")
        .contains("CONF<<" + AttachCommands.multipathDeviceSection() + "\n>>CONF")
        .contains("[systemctl][reload][multipathd]");
  }

  @Test
  void portalWithoutPortGetsTheIscsiDefaultInTheDeviceName() {
    assertThat(AttachCommands.byPath("10.0.0.5", TARGET, 1))
        .isEqualTo("/dev/disk/by-path/ip-10.0.0.5:3260-iscsi-" + TARGET + "-lun-1");
  }

  /**
   * Hostile values from the API (a CHAP user {@code '; id #}, IQNs with a newline and a command
   * substitution) run through a real bash with every command the script uses replaced by one
   * that prints its arguments: nothing but those commands runs, and each value arrives as one
   * argument, unchanged.
   */
  @Test
  void hostileValuesStaySingleArgumentsWhenTheScriptRuns() throws Exception {
    String chapUser = "'; id #";
    String mutualUser = "x\nid; $(id)";
    String target = "iqn.2026-11.io.strata:acme\nid";
    String initiator = "iqn.1993-08.org.debian:01:web1\nid #";
    String script = AttachCommands.linux(new Connection(List.of("10.0.0.5:3261"), target, 0,
        initiator, "CHAP", chapUser, mutualUser));

    String shims = """
        command_not_found_handle() { echo "UNEXPECTED COMMAND: $1"; return 127; }
        id() { echo "INJECTED"; }
        args() { local a; for a in "$@"; do printf '[%s]' "$a"; done; echo; }
        sudo() { "$@"; }
        iscsiadm() { args iscsiadm "$@"; }
        cat() { args cat "$@"; }
        ls() { args ls "$@"; }
        """;
    String out = Bash.run(shims + script);

    assertThat(out).doesNotContain("INJECTED").doesNotContain("UNEXPECTED");
    assertThat(out)
        .contains("[-n][node.session.auth.username][-v][" + chapUser + "]")
        .contains("[-n][node.session.auth.username_in][-v][" + mutualUser + "]")
        .contains("[iscsiadm][-m][node][-T][" + target + "][-p][10.0.0.5:3261][--login]")
        .contains(initiator + "\n")
        .contains("[ls][-l][/dev/disk/by-path/ip-10.0.0.5:3261-iscsi-" + target + "-lun-0]");
  }
}
