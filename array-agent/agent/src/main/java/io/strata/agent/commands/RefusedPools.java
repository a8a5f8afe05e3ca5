package io.strata.agent.commands;

import io.strata.agent.layout.LayoutPlanner;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.LunSpec;
import io.strata.contracts.command.ArrayDesiredState.SnapshotSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import io.strata.contracts.event.ObjectStatus.Kind;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The objects an engine did not serve because it refused their pool (a pool claiming a drive
 * that belongs to another pool; the status file's {@code refusedPools}): the pool itself, its
 * volumes, their snapshots, the clones of those snapshots (which live in their source's pool,
 * as in the engine), the volumes' rollbacks and attachments. Everything else of the revision
 * was applied.
 */
final class RefusedPools {

  private RefusedPools() {}

  /**
   * Each object of {@code desired} that lives in a refused pool, by its {@link
   * LayoutPlanner.Planned#key()}, with the reason to report: the engine's own for the pool,
   * prefixed with the object for what the pool holds.
   *
   * @param refusedPools the engine's refusals, pool id to reason
   */
  static Map<String, String> objectsIn(ArrayDesiredState desired, Map<String, String> refusedPools) {
    Map<String, String> out = new LinkedHashMap<>();
    if (refusedPools.isEmpty()) {
      return out;
    }
    refusedPools.forEach((pool, reason) -> out.put(key(Kind.POOL, pool), reason));
    // The reason of each volume and snapshot held, by its id: a clone takes its source's.
    Map<String, String> volumes = new HashMap<>();
    Map<String, String> snapshots = new HashMap<>();
    desired.volumes().stream().filter(v -> v.cloneOfSnapshotId() == null && refusedPools.containsKey(v.poolId()))
        .forEach(v -> volumes.put(v.volumeId(), refusedPools.get(v.poolId())));
    boolean grew = !volumes.isEmpty();
    while (grew) {
      grew = false;
      for (VolumeSpec v : desired.volumes()) {
        String reason = volumes.get(v.volumeId());
        if (reason != null) {
          for (SnapshotSpec s : v.snapshots()) {
            grew |= snapshots.putIfAbsent(s.snapshotId(), reason) == null;
          }
        } else if (v.cloneOfSnapshotId() != null && snapshots.containsKey(v.cloneOfSnapshotId())) {
          volumes.put(v.volumeId(), snapshots.get(v.cloneOfSnapshotId()));
          grew = true;
        }
      }
    }
    for (VolumeSpec v : desired.volumes()) {
      String reason = volumes.get(v.volumeId());
      if (reason == null) {
        continue;
      }
      put(out, Kind.VOLUME, v.volumeId(), reason);
      v.snapshots().forEach(s -> put(out, Kind.SNAPSHOT, s.snapshotId(), reason));
      if (v.rollback() != null) {
        put(out, Kind.ROLLBACK, v.rollback().requestId(), reason);
      }
    }
    for (LunSpec l : desired.luns()) {
      if (volumes.containsKey(l.volumeId())) {
        put(out, Kind.LUN, l.attachmentId(), volumes.get(l.volumeId()));
      }
    }
    return out;
  }

  private static void put(Map<String, String> out, Kind kind, String id, String reason) {
    String says = kind == Kind.LUN ? "attachment" : kind.name().toLowerCase();
    out.put(key(kind, id), says + " " + id + ": " + reason);
  }

  /** The same key as {@link LayoutPlanner.Planned#key()}. */
  private static String key(Kind kind, String id) {
    return new LayoutPlanner.Planned(kind, id, null, null).key();
  }
}
