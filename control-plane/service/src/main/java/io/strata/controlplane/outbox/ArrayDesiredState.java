package io.strata.controlplane.outbox;

import java.util.List;
import java.util.UUID;

/**
 * The full desired state of one VPSA, carried by every command about it (level-triggered: the
 * agent converges the node to this, so a lost or repeated command leaves nothing stuck).
 * CHAP secrets travel sealed (see SecretBox); the agent opens them with the shared key.
 *
 * <p>{@code engineNodeId}/{@code engineNodeName}: the node that runs the engine (null in the
 * delete of an array unknown to the control plane). {@code nodeIds}: every node the array has
 * something on, the engine's first and then those that hold its drives (also while it is being
 * deleted, when {@code drives} is empty), so that each of them gets the desired state.
 */
public record ArrayDesiredState(
    UUID arrayId,
    String tenant,
    String name,
    boolean present,
    String engineSize,
    int vcpus,
    int memoryGib,
    String targetIqn,
    int portalPort,
    List<DriveSpec> drives,
    List<PoolSpec> pools,
    List<VolumeSpec> volumes,
    List<ServerSpec> servers,
    List<LunSpec> luns,
    UUID engineNodeId,
    String engineNodeName,
    List<UUID> nodeIds,
    Ha ha,
    boolean hibernated) {

  public ArrayDesiredState {
    nodeIds = nodeIds == null ? List.of() : List.copyOf(nodeIds);
  }

  /** A single-engine array's desired state (and rows written before high availability). */
  public ArrayDesiredState(
      UUID arrayId, String tenant, String name, boolean present, String engineSize, int vcpus, int memoryGib,
      String targetIqn, int portalPort, List<DriveSpec> drives, List<PoolSpec> pools, List<VolumeSpec> volumes,
      List<ServerSpec> servers, List<LunSpec> luns, UUID engineNodeId, String engineNodeName, List<UUID> nodeIds) {
    this(arrayId, tenant, name, present, engineSize, vcpus, memoryGib, targetIqn, portalPort, drives, pools, volumes,
        servers, luns, engineNodeId, engineNodeName, nodeIds, null);
  }

  /** A desired state whose engine is meant to run (rows written before hibernation). */
  public ArrayDesiredState(
      UUID arrayId, String tenant, String name, boolean present, String engineSize, int vcpus, int memoryGib,
      String targetIqn, int portalPort, List<DriveSpec> drives, List<PoolSpec> pools, List<VolumeSpec> volumes,
      List<ServerSpec> servers, List<LunSpec> luns, UUID engineNodeId, String engineNodeName, List<UUID> nodeIds,
      Ha ha) {
    this(arrayId, tenant, name, present, engineSize, vcpus, memoryGib, targetIqn, portalPort, drives, pools, volumes,
        servers, luns, engineNodeId, engineNodeName, nodeIds, ha, false);
  }

  /**
   * The two engines of a highly available array: the epoch, the slots (by node name, the agents'
   * node ids) and the nodes whose copies are outdated. Null for a single-engine array.
   */
  public record Ha(long epoch, List<Slot> engines, List<String> outdatedNodeNames) {
    public Ha {
      engines = engines == null ? List.of() : List.copyOf(engines);
      outdatedNodeNames = outdatedNodeNames == null ? List.of() : List.copyOf(outdatedNodeNames);
    }
  }

  /** One engine: its node, role (ACTIVE or STANDBY), portal and ALUA port group. */
  public record Slot(UUID nodeId, String nodeName, String role, String address, int portalPort, int portGroup) {}

  /**
   * A drive given to the array. {@code nodeName}: its node's name (the agent's node id);
   * {@code exportPortal}: {@code address:port} of that node's drive export service when the
   * drive is on another node than the engine's and that node exports drives, else null.
   * {@code role}: what the drive is for pool {@code poolId} (MEMBER, CACHE or TIER), null when no
   * pool uses it.
   */
  public record DriveSpec(
      UUID driveId, UUID nodeId, String serial, String type, long capacityGib, UUID poolId, String nodeName,
      String exportPortal, String role) {
    /** A drive whose role is a member's when a pool holds it (outbox rows and tests from before roles). */
    public DriveSpec(
        UUID driveId, UUID nodeId, String serial, String type, long capacityGib, UUID poolId, String nodeName,
        String exportPortal) {
      this(driveId, nodeId, serial, type, capacityGib, poolId, nodeName, exportPortal, null);
    }
  }

  /**
   * A pool. {@code scrubRequestId} and {@code scrubRateMbps}: its current scrub request; null in
   * outbox rows written before scrubs existed, and for a pool never scrubbed. {@code
   * restripeRateMbps}: the pace of a RAID5/6 restripe (0: no limit); null in rows written before it
   * existed.
   */
  public record PoolSpec(
      UUID poolId, String name, String driveType, String protection, String cacheMode, boolean tiering,
      long capacityGib, UUID scrubRequestId, Integer scrubRateMbps, Integer restripeRateMbps) {
    public PoolSpec(
        UUID poolId, String name, String driveType, String protection, String cacheMode, boolean tiering,
        long capacityGib, UUID scrubRequestId, Integer scrubRateMbps) {
      this(poolId, name, driveType, protection, cacheMode, tiering, capacityGib, scrubRequestId, scrubRateMbps,
          null);
    }

    public PoolSpec(
        UUID poolId, String name, String driveType, String protection, String cacheMode, boolean tiering,
        long capacityGib) {
      this(poolId, name, driveType, protection, cacheMode, tiering, capacityGib, null, null, null);
    }
  }

  /**
   * A volume. {@code sourceSnapshotId}: a clone of that snapshot. {@code rollbackRequestId} and
   * {@code rollbackSnapshotId}: the last rollback asked of it (kept, the agent applies each once).
   * {@code tierPin}: SSD or HDD, the tier of its pool's tiering it is kept on; null: none (and in
   * outbox rows written before the field existed). {@code recycled}: the volume is in the recycle
   * bin (kept, unmapped, metered as snapshot space; false in rows written before the bin).
   * {@code moveFromPoolId}: the pool the volume moves from to {@code poolId}, online; null when
   * it is not moving (and in rows written before moves). {@code kekId}: an encrypted volume's
   * KEK (its id in the KMS); null for a plain volume (and in rows written before encryption).
   */
  public record VolumeSpec(
      UUID volumeId, UUID poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit,
      Integer qosMbpsLimit, UUID sourceSnapshotId, List<SnapshotSpec> snapshots, UUID rollbackRequestId,
      UUID rollbackSnapshotId, String tierPin, boolean recycled, UUID moveFromPoolId, String kekId) {

    /** A plain volume. */
    public VolumeSpec(
        UUID volumeId, UUID poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit,
        Integer qosMbpsLimit, UUID sourceSnapshotId, List<SnapshotSpec> snapshots, UUID rollbackRequestId,
        UUID rollbackSnapshotId, String tierPin, boolean recycled, UUID moveFromPoolId) {
      this(volumeId, poolId, name, sizeGib, thin, qosIopsLimit, qosMbpsLimit, sourceSnapshotId, snapshots,
          rollbackRequestId, rollbackSnapshotId, tierPin, recycled, moveFromPoolId, null);
    }

    /** A volume that is not moving. */
    public VolumeSpec(
        UUID volumeId, UUID poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit,
        Integer qosMbpsLimit, UUID sourceSnapshotId, List<SnapshotSpec> snapshots, UUID rollbackRequestId,
        UUID rollbackSnapshotId, String tierPin, boolean recycled) {
      this(volumeId, poolId, name, sizeGib, thin, qosIopsLimit, qosMbpsLimit, sourceSnapshotId, snapshots,
          rollbackRequestId, rollbackSnapshotId, tierPin, recycled, null);
    }

    /** A volume that is not in the recycle bin. */
    public VolumeSpec(
        UUID volumeId, UUID poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit,
        Integer qosMbpsLimit, UUID sourceSnapshotId, List<SnapshotSpec> snapshots, UUID rollbackRequestId,
        UUID rollbackSnapshotId, String tierPin) {
      this(volumeId, poolId, name, sizeGib, thin, qosIopsLimit, qosMbpsLimit, sourceSnapshotId, snapshots,
          rollbackRequestId, rollbackSnapshotId, tierPin, false, null);
    }
  }

  public record SnapshotSpec(UUID snapshotId, String name) {}

  public record ServerSpec(
      UUID serverId, String iqn, String chapUser, String chapSecretSealed, String mutualChapUser,
      String mutualChapSecretSealed) {}

  public record LunSpec(UUID attachmentId, UUID volumeId, UUID serverId, int lun, boolean readOnly) {}
}
