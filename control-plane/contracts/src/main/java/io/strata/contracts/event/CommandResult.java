package io.strata.contracts.event;

/**
 * The outcome of one command (event {@link Events#COMMAND_APPLIED} or
 * {@link Events#COMMAND_FAILED}), so that the control plane can complete the user's Operation.
 *
 * @param commandId the command's envelope id
 * @param nodeId the agent that handled it
 * @param arrayId the array it named
 * @param generation the generation it carried
 * @param outcome what happened
 * @param reason why it failed, or was skipped
 */
public record CommandResult(
    String commandId, String nodeId, String arrayId, long generation, Outcome outcome, String reason) {

  public enum Outcome {
    /** Applied now: the node converged to the command's desired state. */
    APPLIED,
    /** Seen before; acknowledged again, not re-executed. */
    ALREADY_APPLIED,
    /** Older than the generation already applied; ignored. */
    SUPERSEDED,
    /** Could not be applied; see reason. A later command (or a retry) may succeed. */
    FAILED,
    /** Refused before applying: unreadable, unknown version, or for another node. Parked. */
    REFUSED
  }
}
