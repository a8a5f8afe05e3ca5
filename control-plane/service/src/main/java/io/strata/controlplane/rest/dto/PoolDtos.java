package io.strata.controlplane.rest.dto;

import io.strata.controlplane.domain.CacheMode;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.Protection;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.UUID;

public final class PoolDtos {
  private PoolDtos() {}

  /** A pool built from {@code driveCount} of the array's unpooled drives of {@code driveType}. */
  public record PoolCreate(
      @NotNull UUID arrayId,
      @NotNull @Pattern(regexp = Names.NAME, message = Names.NAME_MESSAGE) String name,
      @NotNull DriveType driveType,
      @NotNull Protection protection,
      @NotNull @Min(2) @Max(64) Integer driveCount,
      CacheMode cacheMode,
      Boolean tiering) {}

  public record PoolView(
      UUID id,
      UUID arrayId,
      String name,
      DriveType driveType,
      Protection protection,
      CacheMode cacheMode,
      boolean tiering,
      long capacityGib,
      Instant createdAt) {}

  /** Which free drive of the array replaces a member; null: the control plane picks one. */
  public record DriveReplace(UUID replacementDriveId) {}
}
