package io.strata.agent.layout;

import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.EngineSlot;

/**
 * Where the engines of an array run. A single-engine array has one, on
 * {@link ArrayDesiredState#engineNodeId()}; a highly available one (docs/high-availability.md)
 * has one on each node named by an {@link EngineSlot} of its {@code ha}, whatever the role: the
 * standby runs its engine too (serving logins and the LUN map, opening no drive).
 */
public final class HaSlots {

  private HaSlots() {}

  /** {@code node}'s engine slot of an HA array; null for a single-engine array or a node without one. */
  public static EngineSlot of(ArrayDesiredState desired, String node) {
    if (desired.ha() == null) {
      return null;
    }
    return desired.ha().engines().stream().filter(s -> s.nodeId().equals(node)).findFirst().orElse(null);
  }

  /** Whether {@code node} runs an engine of the array (rather than only lending it drives). */
  public static boolean runsEngineOn(ArrayDesiredState desired, String node) {
    return desired.ha() != null ? of(desired, node) != null : desired.runsEngineOn(node);
  }

  /**
   * Whether {@code node}'s engine of the HA array may restart now for a new engine size (issue
   * 18): only as STANDBY while the other engine is ACTIVE, so the array keeps being served. The
   * ACTIVE engine keeps its old size until the control plane switches over to the resized
   * standby; then it is the standby and restarts in its turn.
   */
  public static boolean mayRestartForResize(ArrayDesiredState desired, String node) {
    EngineSlot mine = of(desired, node);
    EngineSlot active = desired.ha() == null ? null : desired.ha().active();
    return mine != null && mine.role() == ArrayDesiredState.Role.STANDBY && active != null
        && !active.nodeId().equals(node);
  }

  /** The port group of the other engine's portal (groups are 1 and 2, so the other one when there is no peer yet). */
  public static int peerPortGroup(ArrayDesiredState desired, EngineSlot slot) {
    return desired.ha().engines().stream().filter(s -> !s.nodeId().equals(slot.nodeId()))
        .mapToInt(EngineSlot::portGroup).findFirst().orElse(slot.portGroup() == 1 ? 2 : 1);
  }
}
