package io.strata.engine.iscsi.target;

import io.strata.engine.iscsi.login.Authentication;
import io.strata.engine.scsi.ScsiTarget;
import io.strata.engine.transport.Portal;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One iSCSI target: its name, the portals it is reached through, who may log in and how, and the
 * SCSI device behind it.
 *
 * @param allowedInitiators initiator names that may see and log in to it; empty (and no
 *     per-initiator credentials) means any
 * @param initiatorAuthentication per initiator name, its own credentials; an initiator listed
 *     here is admitted even when absent from {@code allowedInitiators}
 */
public record TargetDefinition(
    String name,
    List<Portal> portals,
    Authentication authentication,
    Set<String> allowedInitiators,
    ScsiTarget scsi,
    Map<String, Authentication> initiatorAuthentication) {

  public TargetDefinition {
    portals = List.copyOf(portals);
    allowedInitiators = Set.copyOf(allowedInitiators);
    initiatorAuthentication = Map.copyOf(initiatorAuthentication);
  }

  /** A target whose initiators all authenticate alike. */
  public TargetDefinition(
      String name,
      List<Portal> portals,
      Authentication authentication,
      Set<String> allowedInitiators,
      ScsiTarget scsi) {
    this(name, portals, authentication, allowedInitiators, scsi, Map.of());
  }

  public boolean admits(String initiatorName) {
    if (allowedInitiators.isEmpty() && initiatorAuthentication.isEmpty()) {
      return true;
    }
    return allowedInitiators.contains(initiatorName) || initiatorAuthentication.containsKey(initiatorName);
  }

  /** How {@code initiatorName} must authenticate: its own credentials, else the target's. */
  public Authentication authenticationFor(String initiatorName) {
    return initiatorAuthentication.getOrDefault(initiatorName, authentication);
  }

  public boolean reachableThrough(Portal portal) {
    return portals.contains(portal);
  }
}
