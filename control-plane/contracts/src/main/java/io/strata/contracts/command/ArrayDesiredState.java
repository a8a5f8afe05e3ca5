package io.strata.contracts.command;

import java.util.List;
import java.util.Objects;

/**
 * The full desired state of one VPSA on one storage node (command
 * {@link Commands#ARRAY_DESIRED_STATE}). Level-triggered: the agent converges the node to exactly
 * this, so a lost, repeated or late command leaves nothing stuck. Anything the array has on the
 * node that is not listed here is removed.
 *
 * @param arrayId the array (VPSA)
 * @param nodeId the agent's node id this command is for (also the Kafka key)
 * @param tenant the tenant's alias, for names and logs
 * @param generation increases with every change of this array; an agent ignores a command whose
 *     generation is lower than the one it already applied (a late duplicate)
 * @param present false when the array is to be deleted: the agent stops its engine and removes
 *     its volumes
 * @param engine the engine's size (CPU and memory share)
 * @param portalPort the TCP port of the engine's iSCSI portal on the node's address
 * @param targetIqn the target's iSCSI qualified name
 * @param drives the node's drives given to this array
 * @param pools the pools built on those drives
 * @param volumes the volumes in those pools
 * @param servers the initiators that may log in, with their CHAP secrets (sealed)
 * @param luns which volume each server sees under which LUN (LUN masking)
 * @param engineNodeId the node that runs the array's engine; the other nodes named by
 *     {@link DriveSpec#nodeId()} only lend it drives, which they export over iSCSI (see
 *     {@link DriveExportCredentials}). Null (a sender from before drive exports) means
 *     {@code nodeId}: every drive is local to the engine
 * @param ha the two engines of a highly available array, their roles and the array's epoch; null
 *     for a single-engine array. Added within version 1 (older readers ignore it)
 * @param hibernated true when the array is hibernated (issue 18): its engines are to be stopped
 *     (initiators asked to log out first) and their CPU and memory freed, while its drives, their
 *     data, its layout and every export stay. False resumes it. Added within version 1: a sender
 *     or a saved state from before it reads as false (the engine runs), older readers ignore it
 */
public record ArrayDesiredState(
    String arrayId,
    String nodeId,
    String tenant,
    long generation,
    boolean present,
    EngineSpec engine,
    int portalPort,
    String targetIqn,
    List<DriveSpec> drives,
    List<PoolSpec> pools,
    List<VolumeSpec> volumes,
    List<ServerSpec> servers,
    List<LunSpec> luns,
    String engineNodeId,
    HaSpec ha,
    boolean hibernated) {

  public ArrayDesiredState {
    requireText(arrayId, "arrayId");
    requireText(nodeId, "nodeId");
    requireText(tenant, "tenant");
    if (generation < 0) {
      throw new IllegalArgumentException("generation must not be negative, was " + generation);
    }
    drives = List.copyOf(orEmpty(drives));
    pools = List.copyOf(orEmpty(pools));
    volumes = List.copyOf(orEmpty(volumes));
    servers = List.copyOf(orEmpty(servers));
    luns = List.copyOf(orEmpty(luns));
    if (present) {
      Objects.requireNonNull(engine, "engine is required for a present array");
      requireText(targetIqn, "targetIqn");
      if (portalPort < 1 || portalPort > 65535) {
        throw new IllegalArgumentException("portalPort must be 1..65535, was " + portalPort);
      }
    }
  }

  /** A desired state whose engine runs (not hibernated). */
  public ArrayDesiredState(
      String arrayId, String nodeId, String tenant, long generation, boolean present, EngineSpec engine,
      int portalPort, String targetIqn, List<DriveSpec> drives, List<PoolSpec> pools, List<VolumeSpec> volumes,
      List<ServerSpec> servers, List<LunSpec> luns, String engineNodeId, HaSpec ha) {
    this(arrayId, nodeId, tenant, generation, present, engine, portalPort, targetIqn, drives, pools, volumes, servers,
        luns, engineNodeId, ha, false);
  }

  /** This desired state with {@code hibernated} set as given (the rest unchanged). */
  public ArrayDesiredState withHibernated(boolean value) {
    return new ArrayDesiredState(arrayId, nodeId, tenant, generation, present, engine, portalPort, targetIqn, drives,
        pools, volumes, servers, luns, engineNodeId, ha, value);
  }

  /** A desired state whose engine runs on the node it is sent to (every drive local). */
  public ArrayDesiredState(
      String arrayId, String nodeId, String tenant, long generation, boolean present, EngineSpec engine,
      int portalPort, String targetIqn, List<DriveSpec> drives, List<PoolSpec> pools, List<VolumeSpec> volumes,
      List<ServerSpec> servers, List<LunSpec> luns) {
    this(arrayId, nodeId, tenant, generation, present, engine, portalPort, targetIqn, drives, pools, volumes, servers,
        luns, null);
  }

  /** A single-engine desired state whose engine runs on {@code engineNodeId} (no {@link HaSpec}). */
  public ArrayDesiredState(
      String arrayId, String nodeId, String tenant, long generation, boolean present, EngineSpec engine,
      int portalPort, String targetIqn, List<DriveSpec> drives, List<PoolSpec> pools, List<VolumeSpec> volumes,
      List<ServerSpec> servers, List<LunSpec> luns, String engineNodeId) {
    this(arrayId, nodeId, tenant, generation, present, engine, portalPort, targetIqn, drives, pools, volumes, servers,
        luns, engineNodeId, null);
  }

  /** Whether this is a highly available array (two engines). */
  public boolean highlyAvailable() {
    return ha != null;
  }

  /**
   * The two engines of a highly available array.
   *
   * @param epoch raised by the control plane on every promotion; the engines present it at every
   *     remote-drive login and the export services refuse lower ones (fencing)
   * @param engines the two engine slots, one per node, each with its role
   * @param outdatedNodeIds nodes whose copies are out of sync: the active may drop them without
   *     asking and must not read them until resynced
   */
  public record HaSpec(long epoch, List<EngineSlot> engines, List<String> outdatedNodeIds) {
    public HaSpec {
      if (epoch < 0) {
        throw new IllegalArgumentException("ha.epoch must not be negative, was " + epoch);
      }
      engines = List.copyOf(orEmpty(engines));
      outdatedNodeIds = List.copyOf(orEmpty(outdatedNodeIds));
      if (engines.stream().map(EngineSlot::nodeId).distinct().count() != engines.size()) {
        throw new IllegalArgumentException("ha.engines must be on distinct nodes");
      }
      if (engines.stream().filter(slot -> slot.role() == Role.ACTIVE).count() > 1) {
        throw new IllegalArgumentException("ha.engines may have at most one ACTIVE slot");
      }
    }

    /** The slot on {@code node}, or null. */
    public EngineSlot slotOn(String node) {
      return engines.stream().filter(slot -> slot.nodeId().equals(node)).findFirst().orElse(null);
    }

    /** The ACTIVE slot, or null during a planned switchover (both STANDBY). */
    public EngineSlot active() {
      return engines.stream().filter(slot -> slot.role() == Role.ACTIVE).findFirst().orElse(null);
    }
  }

  /**
   * One engine of a highly available array.
   *
   * @param address the node's address, where the engine's portal listens
   * @param portalPort the portal's port on that address
   * @param portGroup the ALUA target port group of this engine's portal: 1 or 2, never changes for
   *     a node of the array
   */
  public record EngineSlot(String nodeId, Role role, String address, int portalPort, int portGroup) {
    public EngineSlot {
      requireText(nodeId, "ha.engines.nodeId");
      Objects.requireNonNull(role, "ha.engines.role");
      if (portalPort < 1 || portalPort > 65535) {
        throw new IllegalArgumentException("ha.engines.portalPort must be 1..65535, was " + portalPort);
      }
      if (portGroup != 1 && portGroup != 2) {
        throw new IllegalArgumentException("ha.engines.portGroup must be 1 or 2, was " + portGroup);
      }
    }
  }

  /** An HA engine's role. */
  public enum Role {
    ACTIVE,
    STANDBY
  }

  /** Whether the node {@code node} runs this array's engine (rather than only exporting drives to it). */
  public boolean runsEngineOn(String node) {
    return engineNodeId == null ? nodeId.equals(node) : engineNodeId.equals(node);
  }

  /** The engine's CPU and memory share, from the array's engine size (e.g. E01). */
  public record EngineSpec(String size, int vcpus, int memoryMib) {
    public EngineSpec {
      requireText(size, "engine.size");
      if (vcpus < 1 || memoryMib < 64) {
        throw new IllegalArgumentException("engine " + size + " needs at least 1 vCPU and 64 MiB, got "
            + vcpus + " vCPU, " + memoryMib + " MiB");
      }
    }
  }

  /**
   * A drive given to the array, found on its node by the serial that node's agent reported.
   *
   * @param nodeId the node that holds the drive; null (a sender from before drive exports): the
   *     node the command is for
   * @param exportPortal {@code address:port} of the drive export service of the drive's node, for
   *     a drive on another node than the engine's; null for a drive on the engine's node (or on a
   *     node that exports no drives, which the engine's node then reports as a failed drive)
   * @param role what the drive is for the pool {@code poolId}: a MEMBER, its flash CACHE or its SSD
   *     TIER; the pool owns the drive in every role, and no other pool may use it. Null with a
   *     pool (a sender from before roles): a member, the cache and tier SSDs then being taken
   *     from the drives in no pool as before. Added within version 1 (older readers ignore it)
   */
  public record DriveSpec(
      String driveId, String serial, DriveType type, long capacityGib, String poolId, String nodeId,
      String exportPortal, DriveRole role) {
    public DriveSpec {
      requireText(driveId, "drive.driveId");
      requireText(serial, "drive.serial");
      Objects.requireNonNull(type, "drive.type");
      if (role != null && poolId == null) {
        throw new IllegalArgumentException("drive " + driveId + " has role " + role + " but no pool");
      }
    }

    /** A drive without a role (a member of {@code poolId} when set). */
    public DriveSpec(
        String driveId, String serial, DriveType type, long capacityGib, String poolId, String nodeId,
        String exportPortal) {
      this(driveId, serial, type, capacityGib, poolId, nodeId, exportPortal, null);
    }

    /** Whether the drive holds its pool's data (not its cache or tier). */
    public boolean isMember() {
      return poolId != null && (role == null || role == DriveRole.MEMBER);
    }

    /** Whether the drive is {@code pool}'s drive in {@code as}. */
    public boolean serves(String pool, DriveRole as) {
      return pool.equals(poolId) && role == as;
    }

    /** A drive on the node the command is for. */
    public DriveSpec(String driveId, String serial, DriveType type, long capacityGib, String poolId) {
      this(driveId, serial, type, capacityGib, poolId, null, null);
    }

    /** Whether the drive is on {@code node}; a drive without a node is on the node the command is for. */
    public boolean isOn(String node, ArrayDesiredState of) {
      return (nodeId == null ? of.nodeId() : nodeId).equals(node);
    }
  }

  /** What a drive is for the pool that owns it. */
  public enum DriveRole {
    MEMBER,
    CACHE,
    TIER
  }

  /**
   * A pool.
   *
   * @param scrub the scrub the pool is to run, once per request id (level-triggered: a new id
   *     starts one, the same id resumes an interrupted one or keeps its result); null: none. Added
   *     within version 1 (a nullable field: older readers ignore it, older senders mean "none")
   * @param restripeRateMbps the most pool data a RAID5/6 pool's restripe onto added drives moves,
   *     in MiB per second; null or 0: no limit. Added within version 1 (nullable: older readers
   *     ignore it, older senders mean "no limit")
   */
  public record PoolSpec(
      String poolId, String name, DriveType driveType, String protection, String cacheMode, boolean tiering,
      long capacityGib, ScrubSpec scrub, Integer restripeRateMbps) {
    public PoolSpec {
      requireText(poolId, "pool.poolId");
      if (restripeRateMbps != null && restripeRateMbps < 0) {
        throw new IllegalArgumentException("pool.restripeRateMbps must not be negative, was " + restripeRateMbps);
      }
    }

    /** A pool without a scrub request. */
    public PoolSpec(
        String poolId, String name, DriveType driveType, String protection, String cacheMode, boolean tiering,
        long capacityGib) {
      this(poolId, name, driveType, protection, cacheMode, tiering, capacityGib, null, null);
    }

    /** A pool whose restripe (if it is RAID5/6 and grows) runs unlimited. */
    public PoolSpec(
        String poolId, String name, DriveType driveType, String protection, String cacheMode, boolean tiering,
        long capacityGib, ScrubSpec scrub) {
      this(poolId, name, driveType, protection, cacheMode, tiering, capacityGib, scrub, null);
    }
  }

  /**
   * A scrub of a pool (docs/block-stack.md, "Scrub"): read and compare every stripe, repairing
   * from the redundancy where it can tell which copy is right.
   *
   * @param requestId the scrub's id: a new id is a new scrub
   * @param rateMbps the most the scrub reads from the pool's drives, in MiB per second; 0: no limit
   */
  public record ScrubSpec(String requestId, int rateMbps) {
    public ScrubSpec {
      requireText(requestId, "pool.scrub.requestId");
      if (rateMbps < 0) {
        throw new IllegalArgumentException("pool.scrub.rateMbps must not be negative, was " + rateMbps);
      }
    }
  }

  /**
   * A volume of a pool.
   *
   * @param cloneOfSnapshotId when set, the volume is a writable clone of that snapshot (of another
   *     volume of this array), sharing its extents; null for a volume that starts empty
   * @param rollback when set, the volume's content is to become that of a snapshot, once per
   *     request id; null when no rollback was ever asked
   * @param tierPin when set, the volume's data is kept on that tier of its pool's SSD tiering
   *     (only in a pool with tiering); null: the tier mover places it by heat. Added within
   *     version 1 (a nullable field: older readers ignore it, older senders mean "no pin")
   * @param recycled the volume is in the recycle bin: its data is kept and it serves no LUN; the
   *     agent meters it as snapshot space, not as a provisioned volume. Added within version 1
   *     (absent: false)
   * @param moveFromPoolId the pool of this array the volume is moving from to {@code poolId},
   *     online (issue 18): the engine copies its extents in the background while it serves I/O,
   *     then switches to the copy in {@code poolId} and deletes the old one; its progress comes
   *     back in {@link io.strata.contracts.event.ArrayStatus#moves()}. Null: not moving. Added
   *     within version 1 (a nullable field: older readers ignore it, older senders mean "not
   *     moving")
   * @param encryptionKekId when set, the volume is encrypted at rest (issue 22, docs/encryption.md):
   *     the engine makes its data key and keeps it wrapped by this KEK, the unique identifier of
   *     the tenant's key-encryption key in the KMS. Null: a plain volume. Only a new volume
   *     becomes encrypted; a clone is encrypted with its snapshot's key whatever this says. Added
   *     within version 1 (a nullable field: older readers ignore it, older senders mean "plain")
   */
  public record VolumeSpec(
      String volumeId, String poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit,
      Integer qosMbpsLimit, List<SnapshotSpec> snapshots, String cloneOfSnapshotId,
      RollbackSpec rollback, DriveType tierPin, boolean recycled, String moveFromPoolId,
      String encryptionKekId) {
    public VolumeSpec {
      requireText(volumeId, "volume.volumeId");
      requireText(poolId, "volume.poolId");
      if (sizeGib < 1) {
        throw new IllegalArgumentException("volume " + volumeId + " sizeGib must be 1 or more, was " + sizeGib);
      }
      if (moveFromPoolId != null && moveFromPoolId.equals(poolId)) {
        throw new IllegalArgumentException("volume " + volumeId + " cannot move from its own pool " + poolId);
      }
      snapshots = List.copyOf(orEmpty(snapshots));
      if (encryptionKekId != null && encryptionKekId.isBlank()) {
        throw new IllegalArgumentException("volume " + volumeId + " encryptionKekId must not be blank");
      }
    }

    /** A plain volume (the JSON of a control plane from before encryption). */
    public VolumeSpec(
        String volumeId, String poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit,
        Integer qosMbpsLimit, List<SnapshotSpec> snapshots, String cloneOfSnapshotId, RollbackSpec rollback,
        DriveType tierPin, boolean recycled, String moveFromPoolId) {
      this(volumeId, poolId, name, sizeGib, thin, qosIopsLimit, qosMbpsLimit, snapshots, cloneOfSnapshotId,
          rollback, tierPin, recycled, moveFromPoolId, null);
    }

    /** A volume that is not moving (the JSON of a control plane from before online moves). */
    public VolumeSpec(
        String volumeId, String poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit,
        Integer qosMbpsLimit, List<SnapshotSpec> snapshots, String cloneOfSnapshotId, RollbackSpec rollback,
        DriveType tierPin, boolean recycled) {
      this(volumeId, poolId, name, sizeGib, thin, qosIopsLimit, qosMbpsLimit, snapshots, cloneOfSnapshotId,
          rollback, tierPin, recycled, null);
    }

    /** A volume that is neither a clone nor rolled back. */
    public VolumeSpec(
        String volumeId, String poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit,
        Integer qosMbpsLimit, List<SnapshotSpec> snapshots) {
      this(volumeId, poolId, name, sizeGib, thin, qosIopsLimit, qosMbpsLimit, snapshots, null, null, null, false);
    }

    /** A volume that is not in the recycle bin (the JSON of a control plane from before the bin). */
    public VolumeSpec(
        String volumeId, String poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit,
        Integer qosMbpsLimit, List<SnapshotSpec> snapshots, String cloneOfSnapshotId, RollbackSpec rollback,
        DriveType tierPin) {
      this(volumeId, poolId, name, sizeGib, thin, qosIopsLimit, qosMbpsLimit, snapshots, cloneOfSnapshotId,
          rollback, tierPin, false);
    }

    /** A volume not pinned to a tier. */
    public VolumeSpec(
        String volumeId, String poolId, String name, long sizeGib, boolean thin, Integer qosIopsLimit,
        Integer qosMbpsLimit, List<SnapshotSpec> snapshots, String cloneOfSnapshotId, RollbackSpec rollback) {
      this(volumeId, poolId, name, sizeGib, thin, qosIopsLimit, qosMbpsLimit, snapshots, cloneOfSnapshotId,
          rollback, null, false);
    }
  }

  /**
   * Roll the volume back to snapshot {@code snapshotId}. Level-triggered like the rest: the
   * desired state keeps carrying the last rollback asked, and the agent applies a given
   * {@code requestId} only once (it remembers the last one applied per volume), so a repeated
   * command does not undo the writes made since.
   */
  public record RollbackSpec(String requestId, String snapshotId) {
    public RollbackSpec {
      requireText(requestId, "volume.rollback.requestId");
      requireText(snapshotId, "volume.rollback.snapshotId");
    }
  }

  public record SnapshotSpec(String snapshotId, String name) {}

  /**
   * An initiator allowed to log in. CHAP secrets are sealed ({@link SealedSecret}); the agent opens
   * them with the key it shares with the control plane, so they never cross Kafka in clear.
   */
  public record ServerSpec(
      String serverId, String iqn, String chapUser, String chapSecretSealed, String mutualChapUser,
      String mutualChapSecretSealed) {
    public ServerSpec {
      requireText(serverId, "server.serverId");
      requireText(iqn, "server.iqn");
    }
  }

  /** Volume {@code volumeId} is visible to server {@code serverId} as LUN {@code lun}. */
  public record LunSpec(String attachmentId, String volumeId, String serverId, int lun, boolean readOnly) {
    public LunSpec {
      requireText(attachmentId, "lun.attachmentId");
      requireText(volumeId, "lun.volumeId");
      requireText(serverId, "lun.serverId");
      if (lun < 0 || lun > 16383) {
        throw new IllegalArgumentException("lun must be 0..16383, was " + lun);
      }
    }
  }

  public enum DriveType {
    SSD,
    HDD
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
  }
}
