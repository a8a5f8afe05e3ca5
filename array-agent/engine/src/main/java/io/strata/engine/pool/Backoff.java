package io.strata.engine.pool;

import java.time.Duration;

/**
 * The pause before an operation that failed is tried again by itself: {@code first} after the
 * first failure, doubling with each failure in a row, at most {@code max}. Used for a parity
 * pool's stopped restripe ({@link ParityPool#RESTRIPE_RETRY}) and a stopped volume move
 * ({@code layout.VolumeMoves}).
 */
public record Backoff(Duration first, Duration max) {

  public Backoff {
    if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
      throw new IllegalArgumentException("a back-off pauses from a positive first pause up to a"
          + " larger or equal maximum, not " + first + " to " + max);
    }
  }

  /** The pause after the {@code failures}-th failure in a row (1 for the first). */
  public Duration pause(int failures) {
    Duration pause = first;
    for (int i = 1; i < failures && pause.compareTo(max) < 0; i++) {
      pause = pause.multipliedBy(2);
    }
    return pause.compareTo(max) < 0 ? pause : max;
  }
}
