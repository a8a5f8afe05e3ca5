package io.strata.controlplane.scheduler;

import io.strata.controlplane.domain.DriveType;
import java.util.List;

/** The standard weighers: spread engines over nodes, keep drives close to their engine. */
public final class Weighers {
  private Weighers() {}

  /** Prefer the node with the most vCPU left after placing the engine. */
  public static final NodeWeigher FREE_VCPU =
      (node, request) -> node.freeVcpus() - request.engineSize().vcpus();

  /** Prefer the node with the most memory left after placing the engine. */
  public static final NodeWeigher FREE_MEMORY =
      (node, request) -> node.freeMemoryGib() - request.engineSize().memoryGib();

  /** Prefer the node that holds more of the requested drives itself (fewer remote drives). */
  public static final NodeWeigher LOCAL_DRIVES =
      new NodeWeigher() {
        @Override
        public double rawWeight(NodeView node, PlacementRequest request) {
          double local = 0;
          for (DriveType type : DriveType.values()) {
            local += Math.min(node.freeDriveCount(type), request.driveCount(type));
          }
          return local;
        }

        @Override
        public double multiplier() {
          return 0.5;
        }
      };

  public static List<NodeWeigher> standard() {
    return List.of(FREE_VCPU, FREE_MEMORY, LOCAL_DRIVES);
  }
}
