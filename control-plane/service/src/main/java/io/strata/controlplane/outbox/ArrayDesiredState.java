package io.strata.controlplane.outbox;

import java.util.List;
import java.util.UUID;

/**
 * The full desired state of one VPSA, carried by every command about it (level-triggered: the
 * agent converges the node to this, so a lost or repeated command leaves nothing stuck).
 * CHAP secrets travel sealed (see SecretBox); the agent opens them with the shared key.
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
    List<LunSpec> luns) {

  public record DriveSpec(UUID driveId, UUID nodeId, String serial, String type, long capacityGib, UUID poolId) {}

  public record PoolSpec(
      UUID poolId, String name, String driveType, String protection, String cacheMode, boolean tiering,
      long capacityGib) {}

  /**
   * A volume. {@code sourceSnapshotId}: a clone of that snapshot. {@code rollbackRequestId} and
   * {@code rollbackSnapshotId}: the last rollback asked of it (kept, the agent applies each once).
   * {@code tierPin}: SSD or HDD, the tier of its pool's tiering it is kept on; null: none (and in
   * outbox rows written before the field existed).
   */
  public record VolumeSpec(
      UUID volumeId, UUID poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit,
      Integer qosMbpsLimit, UUID sourceSnapshotId, List<SnapshotSpec> snapshots, UUID rollbackRequestId,
      UUID rollbackSnapshotId, String tierPin) {}

  public record SnapshotSpec(UUID snapshotId, String name) {}

  public record ServerSpec(
      UUID serverId, String iqn, String chapUser, String chapSecretSealed, String mutualChapUser,
      String mutualChapSecretSealed) {}

  public record LunSpec(UUID attachmentId, UUID volumeId, UUID serverId, int lun, boolean readOnly) {}
}
