package io.strata.controlplane.outbox;

import java.util.List;
import java.util.UUID;

/**
 * Desired state of one VPSA's engine: size, target, drives and pools. Every command carries the
 * whole desired state of the object it names (level-triggered: the agent converges the node to
 * it, so a lost or repeated command leaves nothing stuck). Volumes and LUNs have their own
 * commands, so that a command's size does not grow with the number of volumes.
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
    List<PoolSpec> pools) {

  public record DriveSpec(UUID driveId, UUID nodeId, String serial, String type, long capacityGib, UUID poolId) {}

  public record PoolSpec(
      UUID poolId, String name, String driveType, String protection, String cacheMode, boolean tiering,
      long capacityGib) {}
}
