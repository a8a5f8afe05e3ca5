package io.strata.agent.commands;

import io.strata.agent.layout.LayoutFiles;
import io.strata.contracts.event.VolumeMoveStatus;
import java.util.List;

/**
 * The engine's word on the online moves of volumes to other pools (its layout status
 * {@code moves}), as the array's status reports them to the control plane. The layout names
 * volumes and pools by their control-plane ids, so they pass unchanged.
 */
final class VolumeMoveReports {

  private VolumeMoveReports() {}

  /** The moves {@code said} reports; empty when the engine said nothing (yet) or runs none. */
  static List<VolumeMoveStatus> of(LayoutFiles.Status said) {
    if (said == null) {
      return List.of();
    }
    return said.moves().stream().map(VolumeMoveReports::status).toList();
  }

  private static VolumeMoveStatus status(LayoutFiles.VolumeMove m) {
    VolumeMoveStatus.State state = switch (m.state() == null ? "" : m.state()) {
      case "DONE" -> VolumeMoveStatus.State.DONE;
      case "STOPPED" -> VolumeMoveStatus.State.STOPPED;
      default -> VolumeMoveStatus.State.COPYING;
    };
    return new VolumeMoveStatus(m.volume(), m.from(), m.to(), m.copiedExtents(), m.totalExtents(), state, m.error());
  }
}
