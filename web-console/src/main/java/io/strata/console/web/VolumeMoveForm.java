package io.strata.console.web;

import io.strata.console.api.ControlPlane.PoolView;
import io.strata.console.api.ControlPlane.VolumeView;
import io.strata.console.api.ControlPlaneClient;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The volume page's "Move to another pool" form: the pools it may move to, and its one field. */
final class VolumeMoveForm {
  private VolumeMoveForm() {}

  /** The pools of the volume's array (a volume moves only within its array). */
  static List<PoolView> poolsOf(ControlPlaneClient controlPlane, VolumeView v) {
    return controlPlane.pools(null, 500, v.arrayId()).items();
  }

  /** The pools it may move to: those of its array but its own. */
  static List<PoolView> targets(List<PoolView> pools, VolumeView v) {
    return pools.stream().filter(p -> !p.id().equals(v.poolId())).toList();
  }

  /** Pool names by id (as text, as the template compares them), to say where a move goes. */
  static Map<String, String> names(List<PoolView> pools) {
    Map<String, String> names = new java.util.HashMap<>();
    pools.forEach(p -> names.put(p.id().toString(), p.name()));
    return names;
  }

  /** The console's copy of the API's rule: a pool must be chosen, by its id. */
  static Map<String, String> check(String poolId) {
    if (poolId == null || poolId.isBlank()) {
      return Map.of("poolId", "choose the pool to move the volume to");
    }
    try {
      UUID.fromString(poolId);
      return Map.of();
    } catch (IllegalArgumentException e) {
      return Map.of("poolId", "not a pool of this array");
    }
  }
}
