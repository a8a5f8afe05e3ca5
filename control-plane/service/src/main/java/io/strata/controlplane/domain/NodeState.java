package io.strata.controlplane.domain;

/** Lifecycle of a storage node and its agent. */
public enum NodeState {
  ENROLLING,
  ONLINE,
  OFFLINE,
  MAINTENANCE,
  DECOMMISSIONED;

  public static final StateMachine<NodeState> MACHINE =
      StateMachine.of("node", NodeState.class)
          .from(ENROLLING, ONLINE, OFFLINE, DECOMMISSIONED)
          .from(ONLINE, OFFLINE, MAINTENANCE)
          .from(OFFLINE, ONLINE, MAINTENANCE, DECOMMISSIONED)
          .from(MAINTENANCE, ONLINE, OFFLINE, DECOMMISSIONED)
          .build();
}
