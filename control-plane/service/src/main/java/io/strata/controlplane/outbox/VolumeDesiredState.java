package io.strata.controlplane.outbox;

import java.util.List;
import java.util.UUID;

/** Desired state of one volume and its snapshots. */
public record VolumeDesiredState(
    UUID volumeId,
    UUID arrayId,
    UUID poolId,
    String name,
    boolean present,
    long sizeGib,
    boolean thin,
    Integer qosIopsLimit,
    Integer qosMbpsLimit,
    UUID sourceSnapshotId,
    List<SnapshotSpec> snapshots) {

  public record SnapshotSpec(UUID snapshotId, String name) {}
}
