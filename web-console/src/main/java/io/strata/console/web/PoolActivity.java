package io.strata.console.web;

import io.strata.console.api.ControlPlane.PoolLastScrub;
import io.strata.console.api.ControlPlane.PoolRebuild;
import io.strata.console.api.ControlPlane.PoolView;
import java.util.Locale;

/**
 * What the pool page says of a pool's background work (issue 18: "progress visible", scrubs
 * "reporting mismatches"): the running rebuild or copy as a progress bar with its bytes, the last
 * scrub's findings in words, a scrub asked for that the engine has not reported yet, and whether
 * the page should keep polling (something runs, or is about to).
 */
public record PoolActivity(boolean rebuilding, int rebuildPercent, String rebuildLine, String restripeCapacityLine,
    String rebuildErrorLine, boolean scrubbed, int scrubPercent, String scrubLine, boolean scrubRunning,
    boolean unrepairable, String scrubAskedLine, boolean live) {

  public static PoolActivity of(PoolView p) {
    PoolRebuild r = p.rebuild();
    PoolLastScrub s = p.lastScrub();
    boolean scrubRunning = s != null && "RUNNING".equals(s.state());
    String asked = scrubAskedLine(p);
    return new PoolActivity(r != null, r == null ? 0 : (int) r.percent(), r == null ? null : rebuildLine(r),
        restripeCapacityLine(p), r == null ? null : rebuildErrorLine(r), s != null,
        s == null ? 0 : (int) s.percent(), s == null ? null : scrubLine(s), scrubRunning,
        s != null && s.unrepairableBlocks() > 0, asked, r != null || scrubRunning || asked != null);
  }

  /**
   * While a grown RAID5/6 pool restripes: what its volumes may use now and what they get once it is
   * done (the control plane's {@code targetCapacityGib}). Null otherwise.
   */
  static String restripeCapacityLine(PoolView p) {
    if (p.targetCapacityGib() <= p.capacityGib()) {
      return null;
    }
    return "Capacity for volumes: " + p.capacityGib() + " GiB now, " + p.targetCapacityGib()
        + " GiB once the restripe onto the added drives is done.";
  }

  /**
   * A restripe whose attempts stop on an error: how many in a row and why the last stopped (the
   * engine tries again by itself after a pause). Null while none stopped.
   */
  static String rebuildErrorLine(PoolRebuild r) {
    if (r.failedAttempts() <= 0) {
      return null;
    }
    return "The restripe stopped on an error " + (r.failedAttempts() == 1 ? "once" : r.failedAttempts()
        + " times in a row") + "; the engine tries again by itself. Last error: "
        + (r.error() == null ? "not reported" : r.error());
  }

  /**
   * A scrub the control plane asked for (Scrub now, or the schedule) that the engine has not
   * reported yet: the pool's scrub request is not the one its last scrub report is of. Null when
   * there is none. Without it the page would show the last scrub (or "Never scrubbed") after Scrub
   * now and not poll, as if nothing had happened.
   */
  static String scrubAskedLine(PoolView p) {
    if (p.scrub() == null || p.scrub().requestId() == null) {
      return null;
    }
    PoolLastScrub s = p.lastScrub();
    if (s != null && p.scrub().requestId().toString().equals(s.requestId())) {
      return null;
    }
    return "Scrub asked for" + (p.scrub().requestedAt() == null ? "" : " at " + p.scrub().requestedAt())
        + ": waiting for the engine to start it.";
  }

  static String rebuildLine(PoolRebuild r) {
    String what = switch (r.kind() == null ? "" : r.kind()) {
      case "COPY" -> "Copying drive " + member(r) + " onto its replacement (the pool keeps its redundancy)";
      case "RESTRIPE" -> "Restriping onto the added drives (the new capacity is usable when done)";
      default -> "Rebuilding drive " + member(r) + " from the others (the pool lacks that redundancy until done)";
    };
    return what + ": " + bytes(r.bytesDone()) + " of " + bytes(r.bytesTotal()) + " ("
        + String.format(Locale.ROOT, "%.1f", r.percent()) + "%)";
  }

  private static String member(PoolRebuild r) {
    return (r.member() == null ? "" : "#" + r.member() + " ") + (r.driveId() == null ? "" : "(" + r.driveId() + ")");
  }

  static String scrubLine(PoolLastScrub s) {
    String state = switch (s.state() == null ? "" : s.state()) {
      case "RUNNING" -> "Scrub running, " + String.format(Locale.ROOT, "%.1f", s.percent()) + "% checked";
      case "DONE" -> "Last scrub finished" + (s.finishedAt() == null ? "" : " " + s.finishedAt());
      case "STOPPED" -> "Last scrub stopped at " + String.format(Locale.ROOT, "%.1f", s.percent())
          + "% (it resumes when asked again)";
      case "FAILED" -> "Last scrub failed" + (s.error() == null ? "" : ": " + s.error());
      default -> "Scrub " + s.state();
    };
    String found = s.mismatchedBlocks() == 0 ? "no mismatch found"
        : s.mismatchedBlocks() + " mismatched block(s), " + s.repairedBlocks() + " repaired, "
            + s.unrepairableBlocks() + " unrepairable";
    return state + ": " + found + (s.skippedRows() > 0 ? "; " + s.skippedRows() + " MiB skipped (degraded)" : "")
        + ".";
  }

  static String bytes(long b) {
    if (b >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30));
    }
    return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
  }
}
