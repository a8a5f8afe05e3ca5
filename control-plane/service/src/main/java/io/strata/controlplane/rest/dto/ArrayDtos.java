package io.strata.controlplane.rest.dto;

import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.EngineSize;
import io.strata.controlplane.domain.SpreadPolicy;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.UUID;

public final class ArrayDtos {
  private ArrayDtos() {}

  /** A new VPSA: its engine size and how many drives of each type to take from free drives. */
  public record ArrayCreate(
      @NotNull @Pattern(regexp = Names.NAME, message = Names.NAME_MESSAGE) String name,
      @NotNull EngineSize engineSize,
      SpreadPolicy spread,
      @Min(0) @Max(64) Integer ssdDrives,
      @Min(0) @Max(64) Integer hddDrives) {}

  public record ArrayView(
      UUID id,
      String name,
      EngineSize engineSize,
      int vcpus,
      int memoryGib,
      SpreadPolicy spread,
      ArrayState state,
      String failureReason,
      String targetIqn,
      String portal,
      Instant createdAt,
      Instant updatedAt) {}

  public record DriveAdd(@NotNull DriveType type, @NotNull @Min(1) @Max(64) Integer count) {}

  /** {@code poolId} and {@code role} (MEMBER, CACHE or TIER): the pool that owns the drive and for what; null when free. */
  public record ArrayDriveView(
      UUID id, UUID driveId, DriveType type, long capacityGib, UUID poolId, io.strata.controlplane.domain.DriveRole role) {}
}
