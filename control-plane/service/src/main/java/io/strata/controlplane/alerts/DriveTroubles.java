package io.strata.controlplane.alerts;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the drives a DEGRADED array lacks from the reason its node reported (the agent's
 * {@code LayoutFiles.Status.degradedBecause}: {@code drive <serial>[ (on another node)] <STATE>[:
 * why]}, joined by {@code "; "}), the one place the control plane learns each drive's state.
 */
public final class DriveTroubles {
  private static final Pattern DRIVE =
      Pattern.compile("drive (\\S+)( \\(on another node\\))? (FAILED|REBUILDING|[A-Z_]+)(?:: (.*))?");

  /** One drive that is not ONLINE. */
  public record Trouble(String serial, boolean remote, String state, String why) {
    public boolean failed() {
      return !"REBUILDING".equals(state);
    }
  }

  private DriveTroubles() {}

  public static List<Trouble> in(String reason) {
    List<Trouble> out = new ArrayList<>();
    if (reason == null) {
      return out;
    }
    for (String part : reason.split("; ")) {
      Matcher m = DRIVE.matcher(part.trim());
      if (m.matches()) {
        out.add(new Trouble(m.group(1), m.group(2) != null, m.group(3), m.group(4)));
      }
    }
    return out;
  }
}
