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
 * @param admitsUnlisted whether an initiator in neither list may log in too (a target that names
 *     nobody is open to all; one whose access list is deliberately empty is open to none)
 */
public record TargetDefinition(
    String name,
    List<Portal> portals,
    Authentication authentication,
    Set<String> allowedInitiators,
    ScsiTarget scsi,
    Map<String, Authentication> initiatorAuthentication,
    boolean admitsUnlisted) {

  public TargetDefinition {
    portals = List.copyOf(portals);
    allowedInitiators = Set.copyOf(allowedInitiators);
    initiatorAuthentication = Map.copyOf(initiatorAuthentication);
  }

  /** A target open to all when it lists no initiator, else only to those it lists. */
  public TargetDefinition(
      String name,
      List<Portal> portals,
      Authentication authentication,
      Set<String> allowedInitiators,
      ScsiTarget scsi,
      Map<String, Authentication> initiatorAuthentication) {
    this(name, portals, authentication, allowedInitiators, scsi, initiatorAuthentication,
        allowedInitiators.isEmpty() && initiatorAuthentication.isEmpty());
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
    return admitsUnlisted || allowedInitiators.contains(initiatorName) || initiatorAuthentication.containsKey(initiatorName);
  }

  /** How {@code initiatorName} must authenticate: its own credentials, else the target's. */
  public Authentication authenticationFor(String initiatorName) {
    return initiatorAuthentication.getOrDefault(initiatorName, authentication);
  }

  public boolean reachableThrough(Portal portal) {
    return portals.contains(portal);
  }
}
