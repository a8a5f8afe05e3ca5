package io.strata.contracts.event;

import io.strata.contracts.command.ArrayDesiredState;
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
 * @param role the engine's role in a highly available array (null: single engine, or a node that
 *     only lends drives). Added within version 1, like the two below
 * @param haEpoch the epoch the HA engine runs at (null: single engine)
 * @param awaitingDrop drive ids whose pool holds its writes until the control plane consents to
 *     dropping them (HA only; empty otherwise)
 * @param engineSize the engine size (e.g. {@code E02}) the engine that runs now was started
 *     with; null when no engine runs. Added within version 1 (issue 18: a resize is done when the
 *     engine reports the new size)
 * @param moves the online moves of volumes to other pools the engine runs or finished (issue 18):
 *     one per volume whose desired state has a {@code moveFromPoolId}, once the engine applied
 *     it; empty when none. Added within version 1 (absent: empty)
 * @param pools what each pool is doing in the background: its running rebuild or member copy,
 *     its running or last scrub (pools with neither are absent; empty from an agent from before).
 *     Added within version 1 (issues 18 and 19)
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
    ArrayDesiredState.Role role,
    Long haEpoch,
    List<String> awaitingDrop,
    String engineSize,
    List<VolumeMoveStatus> moves,
    List<PoolProgress> pools,
    List<VolumeKeyStatus> keys) {

  public ArrayStatus {
    objects = objects == null ? List.of() : List.copyOf(objects);
    awaitingDrop = awaitingDrop == null ? List.of() : List.copyOf(awaitingDrop);
    moves = moves == null ? List.of() : List.copyOf(moves);
    pools = pools == null ? List.of() : List.copyOf(pools);
    keys = keys == null ? List.of() : List.copyOf(keys);
  }

  /** A status that says nothing of encrypted volumes' keys (from an agent before issue 22). */
  public ArrayStatus(
      String arrayId, String nodeId, long generation, State state, String reason, String portal, String targetIqn,
      Long enginePid, int restarts, String isolation, List<ObjectStatus> objects, ArrayDesiredState.Role role,
      Long haEpoch, List<String> awaitingDrop, String engineSize, List<VolumeMoveStatus> moves,
      List<PoolProgress> pools) {
    this(arrayId, nodeId, generation, state, reason, portal, targetIqn, enginePid, restarts, isolation, objects, role,
        haEpoch, awaitingDrop, engineSize, moves, pools, null);
  }

  /** A status that reports no volume moves and says nothing of its pools' rebuilds and scrubs. */
  public ArrayStatus(
      String arrayId, String nodeId, long generation, State state, String reason, String portal, String targetIqn,
      Long enginePid, int restarts, String isolation, List<ObjectStatus> objects, ArrayDesiredState.Role role,
      Long haEpoch, List<String> awaitingDrop, String engineSize) {
    this(arrayId, nodeId, generation, state, reason, portal, targetIqn, enginePid, restarts, isolation, objects, role,
        haEpoch, awaitingDrop, engineSize, null, null);
  }

  /** A status that does not say the engine's size. */
  public ArrayStatus(
      String arrayId, String nodeId, long generation, State state, String reason, String portal, String targetIqn,
      Long enginePid, int restarts, String isolation, List<ObjectStatus> objects, ArrayDesiredState.Role role,
      Long haEpoch, List<String> awaitingDrop) {
    this(arrayId, nodeId, generation, state, reason, portal, targetIqn, enginePid, restarts, isolation, objects, role,
        haEpoch, awaitingDrop, null, null, null);
  }

  /** The status of a single-engine array, or of a node that only lends drives. */
  public ArrayStatus(
      String arrayId, String nodeId, long generation, State state, String reason, String portal, String targetIqn,
      Long enginePid, int restarts, String isolation, List<ObjectStatus> objects) {
    this(arrayId, nodeId, generation, state, reason, portal, targetIqn, enginePid, restarts, isolation, objects,
        null, null, null, null, null, null);
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
    DELETED,
    /**
     * Engine stopped on purpose (the desired state says hibernated): drives, data and layout kept.
     * Added within version 1 (issue 18); sent only for a desired state that asked for it, so a
     * reader from before it never receives it.
     */
    HIBERNATED
  }
}
