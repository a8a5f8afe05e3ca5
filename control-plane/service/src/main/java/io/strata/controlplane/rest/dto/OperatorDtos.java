package io.strata.controlplane.rest.dto;

import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.DriveState;
import io.strata.controlplane.domain.EngineSize;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.TenantState;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

public final class OperatorDtos {
  private OperatorDtos() {}

  public record QuotaBody(
      @NotNull @Min(0) @Max(10000) Integer maxArrays,
      @NotNull @Min(0) @Max(100000) Integer maxSsdDrives,
      @NotNull @Min(0) @Max(100000) Integer maxHddDrives,
      @NotNull @Min(0) Long maxCapacityGib) {}

  /** The tenant's first admin, created in Keycloak with the tenant-admin role. */
  public record TenantAdmin(
      @NotNull @Pattern(regexp = "^[a-z0-9][a-z0-9._-]{2,62}$", message = "must be 3-63 lowercase letters, digits, '.', '_' or '-'") String username,
      @NotNull @Email @Size(max = 254) @PlainText String email,
      @NotNull @Size(min = 12, max = 128) @PlainText String password) {}

  public record TenantCreate(
      @NotNull @Pattern(regexp = Names.ALIAS, message = "must be 2-32 lowercase letters, digits or '-', starting with a letter") String alias,
      @NotBlank @Size(max = 200) @PlainText String displayName,
      @NotNull @Valid TenantAdmin admin,
      @Valid QuotaBody quota) {}

  public record TenantView(
      UUID id, String alias, String displayName, TenantState state, QuotaBody quota, Instant createdAt) {}

  public record NodeCreate(
      @NotNull @Pattern(regexp = Names.NAME, message = Names.NAME_MESSAGE) String name,
      @NotBlank @Size(max = 64) @PlainText String zone,
      @NotBlank @Size(max = 255) @PlainText String address,
      @NotNull @Min(1) @Max(1024) Integer cpuCores,
      @NotNull @Min(1) @Max(65536) Integer memoryGib) {}

  public record NodeUpdate(@NotNull NodeState state) {}

  public record NodeView(
      UUID id, String name, String zone, String address, int cpuCores, int memoryGib, NodeState state,
      Instant lastHeartbeatAt, Instant createdAt) {}

  /**
   * The answer to a drain: the node (now MAINTENANCE), the highly available arrays whose engine
   * is switching over to their standby, and the arrays whose engine cannot leave the node, with
   * why (single-engine arrays; HA arrays whose standby cannot take over now: the control plane
   * starts their switchover as soon as it can, while the node stays in MAINTENANCE).
   */
  public record DrainView(NodeView node, List<DrainedArray> switchingOver, List<DrainedArray> cannotMove) {}

  /** An array named in a drain's answer; {@code reason} only for one that cannot move. */
  public record DrainedArray(UUID arrayId, String name, UUID tenantId, String reason) {}

  public record DriveCreate(
      @NotNull UUID nodeId,
      @NotBlank @Size(max = 100) @PlainText String serial,
      @NotNull DriveType type,
      @NotNull @Min(1) Long capacityGib) {}

  public record DriveView(
      UUID id, UUID nodeId, String serial, DriveType type, long capacityGib, DriveState state, UUID arrayId,
      UUID tenantId) {}

  /**
   * One array as the operator sees it across tenants: owner, node, state, engine size, the drives
   * it holds by type with their raw capacity, and how many volumes it has (not counting deleted).
   */
  public record FleetArrayView(
      UUID id, String name, UUID tenantId, String tenantAlias, UUID nodeId, String nodeName, ArrayState state,
      EngineSize engineSize, String failureReason, Instant createdAt, int ssdDrives, int hddDrives,
      long capacityGib, long volumes) {}

  public record NodeCapacity(
      UUID nodeId, String name, String zone, NodeState state, int cpuCores, int reservedVcpus, int memoryGib,
      int reservedMemoryGib, int ssdFree, int ssdTotal, int hddFree, int hddTotal, long freeGib, long totalGib) {}

  public record CapacityView(
      List<NodeCapacity> nodes, int cpuCores, int reservedVcpus, long freeGib, long totalGib, int tenants, int arrays) {}
}
