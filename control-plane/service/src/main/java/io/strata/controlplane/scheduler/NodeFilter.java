package io.strata.controlplane.scheduler;

import java.util.Optional;

/** Removes nodes that cannot host the engine; says why, naming the short resource. */
public interface NodeFilter {

  /** Empty when the node passes, otherwise the rejection. */
  Optional<Rejection> reject(NodeView node, PlacementRequest request);

  record Rejection(String resource, String reason) {}
}
