package io.strata.console.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What the console reads from and sends to the control plane (control-plane/service, rest/dto).
 * Enumerations are strings here so that a state the console does not know yet still shows.
 */
public final class ControlPlane {
  private ControlPlane() {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Page<T>(List<T> items, String nextCursor) {
    public boolean isEmpty() {
      return items == null || items.isEmpty();
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Accepted<T>(T object, UUID operationId) {}

  /**
   * An array; {@code highAvailability} (null from a control plane from before HA: false) with its
   * {@code engines}, the active and the standby one (docs/high-availability.md).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ArrayView(
      UUID id, String name, String engineSize, int vcpus, int memoryGib, String spread, String state,
      String failureReason, String targetIqn, String portal, Instant createdAt, Instant updatedAt,
      Boolean highAvailability, List<EngineView> engines, String cacheProtection) {
    public ArrayView {
      engines = engines == null ? List.of() : List.copyOf(engines);
    }

    /** A single-engine array's view. */
    public ArrayView(
        UUID id, String name, String engineSize, int vcpus, int memoryGib, String spread, String state,
        String failureReason, String targetIqn, String portal, Instant createdAt, Instant updatedAt) {
      this(id, name, engineSize, vcpus, memoryGib, spread, state, failureReason, targetIqn, portal, createdAt,
          updatedAt, null, null, null);
    }

    public boolean highlyAvailable() {
      return Boolean.TRUE.equals(highAvailability);
    }
  }

  /** One engine of a highly available array: its node, ACTIVE or STANDBY, its portal and state. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record EngineView(UUID nodeId, String nodeName, String role, String portal, String state) {}

  /** {@code highAvailability} is sent only when asked for (null is left out: a single engine). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ArrayCreate(
      String name, String engineSize, String spread, Integer ssdDrives, Integer hddDrives, Boolean highAvailability) {
    public ArrayCreate(String name, String engineSize, String spread, Integer ssdDrives, Integer hddDrives) {
      this(name, engineSize, spread, ssdDrives, hddDrives, null);
    }
  }

  public record DriveAdd(String type, Integer count) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  /** {@code role}: MEMBER, CACHE or TIER of the pool {@code poolId}; null when the drive is free. */
  public record ArrayDriveView(UUID id, UUID driveId, String type, long capacityGib, UUID poolId, String role) {}

  /**
   * A pool; {@code capacityGib}: what its volumes may use now, {@code targetCapacityGib}: what it has
   * with all its drives (larger while a grown RAID5/6 pool restripes; 0 from a control plane
   * before the field); {@code scrub}: its scrub settings, {@code rebuild}: the rebuild, copy or
   * restripe running now (null: none), {@code lastScrub}: its running or last scrub (null: none
   * reported yet), {@code restripe}: the pace of its restripes (RAID5/6).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PoolView(
      UUID id, UUID arrayId, String name, String driveType, String protection, String cacheMode,
      boolean tiering, long capacityGib, long targetCapacityGib, Instant createdAt, PoolScrubSettings scrub,
      PoolRebuild rebuild, PoolLastScrub lastScrub, PoolRestripe restripe) {}

  /** A RAID5/6 pool's restripe pace onto added drives ({@code rateMbps} MiB/s, 0: no limit); null on mirrors. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PoolRestripe(int rateMbps) {}

  /** A pool's scrub schedule ({@code everyDays}, null: on demand only) and rate (MiB/s, 0: no limit). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PoolScrubSettings(Integer everyDays, int rateMbps, UUID requestId, Instant requestedAt) {}

  /**
   * The rebuild ({@code REBUILD}), member copy ({@code COPY}) or restripe ({@code RESTRIPE})
   * running in a pool; {@code failedAttempts} and {@code error}: a restripe's attempts that stopped
   * on an error in a row and why the last did (0 and null: none).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PoolRebuild(String kind, Integer member, String driveId, long bytesDone, long bytesTotal,
      double percent, int failedAttempts, String error, Instant reportedAt) {}

  /** A pool's running or last scrub, as its engine reported it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PoolLastScrub(String requestId, String state, long rowsDone, long rows, double percent,
      long mismatchedBlocks, long repairedBlocks, long unrepairableBlocks, long skippedRows, Instant startedAt,
      Instant finishedAt, String error, Instant reportedAt) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PoolCreate(
      UUID arrayId, String name, String driveType, String protection, Integer driveCount, String cacheMode,
      Boolean tiering) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record VolumeView(
      UUID id, UUID arrayId, UUID poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit,
      Integer qosMbpsLimit, boolean multiAttach, String tierPin, UUID sourceSnapshotId, String state,
      String failureReason, Instant createdAt, Instant updatedAt, Instant recycledAt, Instant purgeAt,
      MoveView move, boolean encrypted, String keyState, String keyStateReason) {}

  /**
   * A volume's move to another pool of its array (null when it is not moving); {@code cancelling}:
   * the move is the cancel of a move, taking the volume back to the pool it came from.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record MoveView(
      UUID fromPoolId, UUID toPoolId, int progressPercent, long copiedExtents, long totalExtents,
      String stoppedReason, Instant startedAt, boolean cancelling) {}

  /** Move a volume to another pool of its array, online. */
  public record VolumeMove(UUID poolId) {}

  /** Restore from the recycle bin, optionally under another name. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record VolumeRestore(String name) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record VolumeCreate(
      UUID poolId, String name, Long sizeGib, Boolean thin, Integer qosIopsLimit, Integer qosMbpsLimit,
      Boolean multiAttach, String tierPin) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record VolumeUpdate(Long sizeGib, Integer qosIopsLimit, Integer qosMbpsLimit, String tierPin) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SnapshotView(
      UUID id, UUID volumeId, UUID policyId, String name, long sizeGib, String state, String failureReason,
      Instant createdAt) {}

  public record SnapshotCreate(UUID volumeId, String name) {}

  /**
   * Roll a volume back to one of its snapshots; {@code force} (null unless the user confirmed it
   * twice) lets the control plane do it while servers still have the volume attached.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record VolumeRollback(UUID snapshotId, Boolean force) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CloneCreate(String name, Long sizeGib) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record PolicyView(
      UUID id, UUID volumeId, String name, int intervalMinutes, int retain, boolean enabled, Instant lastRunAt,
      Instant createdAt) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PolicyCreate(UUID volumeId, String name, Integer intervalMinutes, Integer retain, Boolean enabled) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ServerView(UUID id, String name, String iqn, String chapUser, String mutualChapUser, Instant createdAt) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ServerCreate(
      String name, String iqn, String chapUser, String chapSecret, String mutualChapUser, String mutualChapSecret) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Connection(
      List<String> portals, String targetIqn, int lun, String initiatorIqn, String authMethod, String chapUser,
      String mutualChapUser) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record AttachmentView(
      UUID id, UUID volumeId, UUID serverId, int lun, boolean readOnly, String state, String failureReason,
      Connection connection, Instant createdAt) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AttachmentCreate(UUID volumeId, UUID serverId, Integer lun, Boolean readOnly) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record OperationView(
      UUID id, String kind, String targetType, UUID targetId, String state, String error, String requestedBy,
      Instant createdAt, Instant updatedAt) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Quota(Integer maxArrays, Integer maxSsdDrives, Integer maxHddDrives, Long maxCapacityGib) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record UsageView(
      long arrays, long ssdDrives, long hddDrives, long volumes, long provisionedGib, long snapshots, long servers,
      long attachments, Quota quota) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record TenantView(UUID id, String alias, String displayName, String state, Quota quota, Instant createdAt) {}

  public record TenantAdmin(String username, String email, String password) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record TenantCreate(String alias, String displayName, TenantAdmin admin, Quota quota) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record NodeView(
      UUID id, String name, String zone, String address, int cpuCores, int memoryGib, String state,
      Instant lastHeartbeatAt, Instant createdAt) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record NodeCapacity(
      UUID nodeId, String name, String zone, String state, int cpuCores, int reservedVcpus, int memoryGib,
      int reservedMemoryGib, int ssdFree, int ssdTotal, int hddFree, int hddTotal, long freeGib, long totalGib) {}

  /** One array of any tenant, as the operator's fleet list shows it ({@code GET /admin/arrays}). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record FleetArrayView(
      UUID id, String name, UUID tenantId, String tenantAlias, UUID nodeId, String nodeName, String state,
      String engineSize, String failureReason, Instant createdAt, int ssdDrives, int hddDrives, long capacityGib,
      long volumes) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CapacityView(
      List<NodeCapacity> nodes, int cpuCores, int reservedVcpus, long freeGib, long totalGib, int tenants,
      int arrays) {}
}
