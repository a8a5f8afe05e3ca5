package io.strata.contracts.event;

import java.util.List;

/**
 * The actual state of one array on its node (event {@link Events#ARRAY_STATUS}), sent whenever it
 * changes, and inside every {@link NodeStateReport}.
 *
 * @param arrayId the array
 * @param nodeId the node it runs on
 * @param generation the generation of the desired state this reflects (0 when none applied)
 * @param state the engine's state
 * @param reason why, for FAILED or DEGRADED
 * @param portal {@code host:port} of the engine's portal when it runs
 * @param targetIqn the target's IQN
 * @param enginePid the engine's OS process id, when running
 * @param restarts how often the agent restarted a crashed engine of this array
 * @param isolation how the engine is isolated, e.g. {@code process,cgroup-v1(cpu=1,mem=4096MiB)}
 * @param objects status of the array's drives, pools, volumes, servers and LUNs
 * @param role for an engine of a highly available array, {@code ACTIVE} or {@code STANDBY} (the
 *     role its engine runs in now); null for a single-engine array or a node that only lends drives
 * @param haEpoch the epoch the engine runs at (HA arrays only)
 * @param awaitingDrop drive ids whose pool holds its writes until the control plane consents to
 *     dropping them (HA arrays only; empty otherwise)
 */
public record ArrayStatus(
    String arrayId,
    String nodeId,
    long generation,
    State state,
    String reason,
    String portal,
    String targetIqn,
    Long enginePid,
    int restarts,
    String isolation,
    List<ObjectStatus> objects,
    String role,
    Long haEpoch,
    List<String> awaitingDrop) {

  public ArrayStatus {
    objects = objects == null ? List.of() : List.copyOf(objects);
    awaitingDrop = awaitingDrop == null ? List.of() : List.copyOf(awaitingDrop);
  }

  /** The status of a single-engine array (no HA fields). */
  public ArrayStatus(
      String arrayId, String nodeId, long generation, State state, String reason, String portal, String targetIqn,
      Long enginePid, int restarts, String isolation, List<ObjectStatus> objects) {
    this(arrayId, nodeId, generation, state, reason, portal, targetIqn, enginePid, restarts, isolation, objects,
        null, null, List.of());
  }

  public enum State {
    /** Desired state received, engine starting. */
    PROVISIONING,
    /** Engine runs and accepts logins. */
    ONLINE,
    /** Engine serves, but without all it should have: crashed and being restarted with back-off, or some of its drives not ONLINE (reason says which). */
    DEGRADED,
    /** The array could not be brought to its desired state; see reason. */
    FAILED,
    /** Engine stopped and data removed after a delete. */
    DELETED
  }
}
