package io.strata.controlplane.scheduler;

import java.util.List;
import java.util.UUID;

/**
 * Where the engine runs and which drives it gets; for a highly available array also where its
 * standby engine runs ({@code standbyNodeId}, null otherwise).
 */
public record Placement(UUID nodeId, List<DriveView> drives, UUID standbyNodeId) {
  public Placement {
    drives = List.copyOf(drives);
  }

  /** A single-engine placement. */
  public Placement(UUID nodeId, List<DriveView> drives) {
    this(nodeId, drives, null);
  }
}
