package io.strata.controlplane.rest.dto;

import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.EngineRole;
import io.strata.controlplane.domain.EngineSize;
import io.strata.controlplane.domain.SpreadPolicy;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

public final class ArrayDtos {
  private ArrayDtos() {}

  /**
   * A new VPSA: its engine size and how many drives of each type to take from free drives.
   * {@code highAvailability} (default false): two engines, ACTIVE and STANDBY, on two nodes.
   */
  public record ArrayCreate(
      @NotNull @Pattern(regexp = Names.NAME, message = Names.NAME_MESSAGE) String name,
      @NotNull EngineSize engineSize,
      SpreadPolicy spread,
      @Min(0) @Max(64) Integer ssdDrives,
      @Min(0) @Max(64) Integer hddDrives,
      Boolean highAvailability) {

    /** A single-engine array (the request as it was before high availability). */
    public ArrayCreate(String name, EngineSize engineSize, SpreadPolicy spread, Integer ssdDrives, Integer hddDrives) {
      this(name, engineSize, spread, ssdDrives, hddDrives, null);
    }

    public boolean wantsHighAvailability() {
      return Boolean.TRUE.equals(highAvailability);
    }
  }

  /**
   * One engine of a highly available array. {@code state}: {@code OUTDATED} (its node's copies are
   * being resynced: not promotable), {@code OFFLINE} (its node is not heard from), else what the
   * engine reported last ({@code PROVISIONING} before its first report, {@code ONLINE},
   * {@code DEGRADED}, {@code FAILED}).
   */
  public record EngineView(UUID nodeId, String nodeName, EngineRole role, String portal, String state) {}

  /**
   * {@code haEpoch}: the epoch of a highly available array (raised by every failover and
   * switchover; the engines' fencing generation); null for a single-engine array.
   */
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
      Instant updatedAt,
      boolean highAvailability,
      List<EngineView> engines,
      Long haEpoch) {

    public ArrayView {
      engines = engines == null ? List.of() : List.copyOf(engines);
    }
  }

  /**
   * PATCH of an array (issue 18): its new engine size. Only {@code engineSize} may be changed;
   * any other property is a 400 naming it.
   */
  public record ArrayUpdate(@NotNull EngineSize engineSize) {}

  public record DriveAdd(@NotNull DriveType type, @NotNull @Min(1) @Max(64) Integer count) {}

  /** {@code poolId} and {@code role} (MEMBER, CACHE or TIER): the pool that owns the drive and for what; null when free. */
  public record ArrayDriveView(
      UUID id, UUID driveId, DriveType type, long capacityGib, UUID poolId, io.strata.controlplane.domain.DriveRole role) {}
}
