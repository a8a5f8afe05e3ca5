package io.strata.engine.iscsi.target;

import io.strata.engine.iscsi.login.Authentication;
import io.strata.engine.scsi.ScsiTarget;
import io.strata.engine.transport.Portal;
import java.util.List;
import java.util.Set;

/**
 * One iSCSI target: its name, the portals it is reached through, who may log in and how, and the
 * SCSI device behind it.
 *
 * @param allowedInitiators initiator names that may see and log in to it; empty means any
 */
public record TargetDefinition(
    String name,
    List<Portal> portals,
    Authentication authentication,
    Set<String> allowedInitiators,
    ScsiTarget scsi) {

  public TargetDefinition {
    portals = List.copyOf(portals);
    allowedInitiators = Set.copyOf(allowedInitiators);
  }

  public boolean admits(String initiatorName) {
    return allowedInitiators.isEmpty() || allowedInitiators.contains(initiatorName);
  }

  public boolean reachableThrough(Portal portal) {
    return portals.contains(portal);
  }
}
