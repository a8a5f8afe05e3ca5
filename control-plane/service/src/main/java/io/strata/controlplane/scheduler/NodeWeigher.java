package io.strata.controlplane.scheduler;

/**
 * Scores a node that passed the filters; higher is better. Raw scores are normalised to 0..1
 * over the candidates and multiplied by {@link #multiplier()} before being summed (as Cinder's
 * weighers do), so no weigher dominates by its unit.
 */
public interface NodeWeigher {
  double rawWeight(NodeView node, PlacementRequest request);

  default double multiplier() {
    return 1.0;
  }
}
