package io.strata.controlplane.rest.dto;

import io.strata.controlplane.domain.SnapshotState;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.UUID;

public final class SnapshotDtos {
  private SnapshotDtos() {}

  public record SnapshotCreate(
      @NotNull UUID volumeId,
      @NotNull @Pattern(regexp = Names.NAME, message = Names.NAME_MESSAGE) String name) {}

  public record SnapshotView(
      UUID id, UUID volumeId, UUID policyId, String name, long sizeGib, SnapshotState state,
      String failureReason, Instant createdAt) {}

  /** A new volume with the snapshot's content, in the snapshot's pool. */
  public record CloneCreate(
      @NotNull @Pattern(regexp = Names.NAME, message = Names.NAME_MESSAGE) String name,
      @Min(1) @Max(1048576) Long sizeGib) {}

  public record PolicyCreate(
      @NotNull UUID volumeId,
      @NotNull @Pattern(regexp = Names.NAME, message = Names.NAME_MESSAGE) String name,
      @NotNull @Min(5) @Max(525600) Integer intervalMinutes,
      @NotNull @Min(1) @Max(1000) Integer retain,
      Boolean enabled) {}

  public record PolicyView(
      UUID id, UUID volumeId, String name, int intervalMinutes, int retain, boolean enabled,
      Instant lastRunAt, Instant createdAt) {}
}
