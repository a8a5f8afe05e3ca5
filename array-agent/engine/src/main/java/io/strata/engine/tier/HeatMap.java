package io.strata.engine.tier;

/**
 * Heat per extent: each I/O adds one, and all heat decays exponentially with a half-life, so an
 * extent's heat is roughly its I/O count over the last half-life or so.
 *
 * <p>The request path only increments a float (an occasional lost increment under a race is
 * harmless for a statistic, and cheaper than a lock); the mover applies the decay to every
 * extent, off the request path, before it plans.
 */
final class HeatMap {
  private final float[] heat;
  private final double halfLifeNanos;

  HeatMap(int extents, long halfLifeNanos) {
    this.heat = new float[extents];
    this.halfLifeNanos = halfLifeNanos;
  }

  void touch(long extent) {
    if (extent < heat.length) { // extents added by online growth stay cold until reopened
      heat[(int) extent] += 1f;
    }
  }

  double heat(long extent) {
    return extent < heat.length ? heat[(int) extent] : 0;
  }

  /** Ages every extent by {@code elapsedNanos}: heat *= 2^(-elapsed / half-life). */
  void decay(long elapsedNanos) {
    if (elapsedNanos <= 0) {
      return;
    }
    float factor = (float) Math.pow(2, -elapsedNanos / halfLifeNanos);
    for (int i = 0; i < heat.length; i++) {
      heat[i] *= factor;
    }
  }

  int size() {
    return heat.length;
  }
}
