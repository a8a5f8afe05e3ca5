package io.strata.controlplane.scheduler;

import java.util.List;
import java.util.UUID;

/** Where the engine runs and which drives it gets. */
public record Placement(UUID nodeId, List<DriveView> drives) {
  public Placement {
    drives = List.copyOf(drives);
  }
}
