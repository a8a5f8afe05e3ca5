package io.strata.controlplane.scheduler;

import java.util.Map;
import java.util.UUID;

/**
 * Where a highly available array's new standby engine goes when its standby's node leaves (a
 * drain): {@code nodeId}, and for each drive the array held on the leaving node the free drive of
 * the new node that takes its place ({@code replacements}, old drive id to new drive id).
 */
public record StandbyPlacement(UUID nodeId, Map<UUID, UUID> replacements) {
  public StandbyPlacement {
    replacements = Map.copyOf(replacements);
  }
}
