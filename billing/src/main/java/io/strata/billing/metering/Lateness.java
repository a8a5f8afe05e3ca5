package io.strata.billing.metering;

import java.time.Duration;
import java.time.Instant;

/**
 * Decides whether a sample is too late to bill automatically. The reference is the newest interval
 * end already seen for the same array (its watermark), not the wall clock, so that a replay of old
 * data is judged like the live stream was.
 */
public final class Lateness {

  private Lateness() {}

  /** True when {@code intervalEnd} is more than {@code grace} behind {@code watermark}. */
  public static boolean beyondGrace(Instant watermark, Instant intervalEnd, Duration grace) {
    return watermark != null && intervalEnd.isBefore(watermark.minus(grace));
  }
}
