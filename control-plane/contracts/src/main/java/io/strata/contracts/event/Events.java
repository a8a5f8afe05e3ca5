package io.strata.contracts.event;

import io.strata.contracts.MessageType;
import java.util.List;

/**
 * The events agents send on {@code strata.events}, keyed by node id (so that one node's events
 * stay in order).
 */
public final class Events {

  public static final MessageType<NodeEnrolled> NODE_ENROLLED =
      MessageType.of("io.strata.event.node.enrolled", NodeEnrolled.class, 1);
  public static final MessageType<NodeHeartbeat> NODE_HEARTBEAT =
      MessageType.of("io.strata.event.node.heartbeat", NodeHeartbeat.class, 1);
  public static final MessageType<NodeStateReport> NODE_STATE_REPORT =
      MessageType.of("io.strata.event.node.state-report", NodeStateReport.class, 1);
  public static final MessageType<ArrayStatus> ARRAY_STATUS =
      MessageType.of("io.strata.event.array.status", ArrayStatus.class, 1);
  public static final MessageType<ObjectStatus> OBJECT_STATUS =
      MessageType.of("io.strata.event.object.status", ObjectStatus.class, 1);
  public static final MessageType<CommandResult> COMMAND_APPLIED =
      MessageType.of("io.strata.event.command.applied", CommandResult.class, 1);
  public static final MessageType<CommandResult> COMMAND_FAILED =
      MessageType.of("io.strata.event.command.failed", CommandResult.class, 1);

  /** Added for the tenants' performance history (docs/observability.md); an additive type. */
  public static final MessageType<ArrayPerformance> ARRAY_PERFORMANCE =
      MessageType.of("io.strata.event.array.performance", ArrayPerformance.class, 1);

  public static List<MessageType<?>> all() {
    return List.of(
        NODE_ENROLLED, NODE_HEARTBEAT, NODE_STATE_REPORT, ARRAY_STATUS, OBJECT_STATUS, COMMAND_APPLIED, COMMAND_FAILED,
        ARRAY_PERFORMANCE);
  }

  public static String nodeSubject(String nodeId) {
    return "node/" + nodeId;
  }

  private Events() {}
}
