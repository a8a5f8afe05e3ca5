package io.strata.agent.commands;

import io.strata.agent.layout.LayoutFiles;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.event.PoolProgress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an engine's status says its pools do in the background (a running rebuild or member copy,
 * the running or last scrub), in the control plane's terms for {@code ArrayStatus.pools}: the
 * layout names pools by the control plane's pool id and drives by serial, which become drive ids.
 */
final class PoolProgressReport {
  private PoolProgressReport() {}

  static List<PoolProgress> of(LayoutFiles.Status said, ArrayDesiredState desired) {
    if (said == null || said.pools().isEmpty()) {
      return List.of();
    }
    Map<String, String> idOfSerial = new HashMap<>();
    if (desired != null) {
      desired.drives().forEach(d -> idOfSerial.put(d.serial(), d.driveId()));
    }
    List<PoolProgress> out = new ArrayList<>();
    for (LayoutFiles.PoolEntry p : said.pools()) {
      if (p.rebuild() == null && p.scrub() == null) {
        continue; // a pool the status names only for its cache's protection
      }
      out.add(new PoolProgress(p.name(), rebuild(p.rebuild(), idOfSerial), scrub(p.scrub())));
    }
    return out;
  }

  private static PoolProgress.Rebuild rebuild(LayoutFiles.RebuildEntry r, Map<String, String> idOfSerial) {
    if (r == null) {
      return null;
    }
    String driveId = r.drive() == null ? null : idOfSerial.getOrDefault(r.drive(), r.drive());
    return new PoolProgress.Rebuild(r.kind(), r.member(), driveId, r.bytesDone(), r.bytesTotal(), r.failedAttempts(),
        r.failedAttempts() > 0 ? r.error() : null);
  }

  private static PoolProgress.Scrub scrub(LayoutFiles.ScrubEntry s) {
    if (s == null) {
      return null;
    }
    return new PoolProgress.Scrub(s.request(), s.state(), s.rowsDone(), s.rows(), s.mismatchedBlocks(),
        s.repairedBlocks(), s.unrepairableBlocks(), s.skippedRows(), instant(s.started()), instant(s.finished()),
        s.error());
  }

  /** An engine's ISO-8601 time; null when absent or not one (the rest of the report still counts). */
  private static Instant instant(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
