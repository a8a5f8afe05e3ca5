package io.strata.contracts.event;

import java.util.List;

/**
 * Everything the agent has on its node (event {@link Events#NODE_STATE_REPORT}), sent on start.
 * The control plane compares it with what it wants and resends the desired state of every array
 * that differs (missing, older generation, or not wanted any more).
 *
 * @param nodeId the agent's node id
 * @param arrays the arrays the agent holds, with their applied generation and state
 * @param drives the drives of the node
 */
public record NodeStateReport(String nodeId, List<ArrayStatus> arrays, List<NodeEnrolled.Drive> drives) {
  public NodeStateReport {
    arrays = arrays == null ? List.of() : List.copyOf(arrays);
    drives = drives == null ? List.of() : List.copyOf(drives);
  }
}
