package io.strata.controlplane.scheduler;

import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.EngineSize;
import io.strata.controlplane.domain.SpreadPolicy;
import java.util.EnumMap;
import java.util.Map;

/** Place one engine of {@code engineSize} and pick {@code drives} (count per type). */
public record PlacementRequest(EngineSize engineSize, SpreadPolicy spread, Map<DriveType, Integer> drives) {

  public PlacementRequest {
    EnumMap<DriveType, Integer> copy = new EnumMap<>(DriveType.class);
    drives.forEach(
        (type, count) -> {
          if (count < 0) {
            throw new IllegalArgumentException("negative drive count for " + type);
          }
          if (count > 0) {
            copy.put(type, count);
          }
        });
    drives = Map.copyOf(copy);
  }

  public int driveCount(DriveType type) {
    return drives.getOrDefault(type, 0);
  }
}
