package io.strata.engine.qos;

import java.time.Duration;

/**
 * Per-volume I/O limits.
 *
 * @param iops operations per second (reads, writes, unmaps), 0 for no limit
 * @param bytesPerSecond bytes read plus written per second, 0 for no limit
 * @param burst how long a volume that was idle may run at full speed before the limits bite:
 *     each bucket holds {@code limit * burst} tokens (at least one operation's worth)
 */
public record QosLimits(long iops, long bytesPerSecond, Duration burst) {
  public QosLimits {
    if (iops < 0 || bytesPerSecond < 0) {
      throw new IllegalArgumentException("QoS limits must not be negative");
    }
    if (burst == null || burst.isNegative() || burst.isZero()) {
      throw new IllegalArgumentException("the QoS burst must be a positive duration");
    }
  }

  /** Limits with a one-second burst. */
  public static QosLimits of(long iops, long bytesPerSecond) {
    return new QosLimits(iops, bytesPerSecond, Duration.ofSeconds(1));
  }

  public boolean unlimited() {
    return iops == 0 && bytesPerSecond == 0;
  }
}
