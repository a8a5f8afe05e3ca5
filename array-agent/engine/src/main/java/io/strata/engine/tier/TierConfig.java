package io.strata.engine.tier;

import java.time.Duration;

/**
 * Tunables of a {@link TieredDevice}.
 *
 * @param extentSize bytes per extent, the unit of placement and of moves (default 1 MiB, the
 *     thin-volume extent, so one volume extent is never split across tiers)
 * @param heatHalfLife how fast heat fades: an extent untouched for one half-life has half the
 *     heat (default 10 minutes)
 * @param ssdReserveFraction share of SSD slots the mover leaves free for pinned volumes and for
 *     promoting without first demoting (default 10%)
 * @param moveBytesPerSecond the mover's rate limit, bytes copied per second (default 32 MiB/s)
 * @param swapHysteresis an HDD extent displaces an SSD one only when it is this many times
 *     hotter (default 1.5), so extents of similar heat do not swap back and forth
 * @param minPromoteHeat heat below which an extent is not worth promoting (default 2 I/Os)
 * @param moverInterval how often the background mover plans (default 1 s)
 * @param backgroundMover whether the mover thread runs (tests plan and move by hand)
 */
public record TierConfig(
    int extentSize,
    Duration heatHalfLife,
    double ssdReserveFraction,
    long moveBytesPerSecond,
    double swapHysteresis,
    double minPromoteHeat,
    Duration moverInterval,
    boolean backgroundMover) {

  public TierConfig {
    if (extentSize < 64 * 1024 || Integer.bitCount(extentSize) != 1) {
      throw new IllegalArgumentException(
          "tier extent size must be a power of two of at least 64 KiB, not " + extentSize);
    }
    if (heatHalfLife == null || heatHalfLife.isZero() || heatHalfLife.isNegative()) {
      throw new IllegalArgumentException("heat half-life must be positive");
    }
    if (ssdReserveFraction < 0 || ssdReserveFraction >= 1) {
      throw new IllegalArgumentException("SSD reserve must be in [0, 1)");
    }
    if (moveBytesPerSecond <= 0) {
      throw new IllegalArgumentException("the mover's rate limit must be positive");
    }
    if (swapHysteresis < 1) {
      throw new IllegalArgumentException("swap hysteresis must be at least 1");
    }
    if (moverInterval == null || moverInterval.isZero() || moverInterval.isNegative()) {
      throw new IllegalArgumentException("mover interval must be positive");
    }
  }

  public static TierConfig defaults() {
    return new TierConfig(1 << 20, Duration.ofMinutes(10), 0.10, 32L << 20, 1.5, 2.0,
        Duration.ofSeconds(1), true);
  }

  public TierConfig withExtentSize(int bytes) {
    return new TierConfig(bytes, heatHalfLife, ssdReserveFraction, moveBytesPerSecond,
        swapHysteresis, minPromoteHeat, moverInterval, backgroundMover);
  }

  public TierConfig withHeatHalfLife(Duration d) {
    return new TierConfig(extentSize, d, ssdReserveFraction, moveBytesPerSecond, swapHysteresis,
        minPromoteHeat, moverInterval, backgroundMover);
  }

  public TierConfig withReserve(double fraction) {
    return new TierConfig(extentSize, heatHalfLife, fraction, moveBytesPerSecond, swapHysteresis,
        minPromoteHeat, moverInterval, backgroundMover);
  }

  public TierConfig withMoveRate(long bytesPerSecond) {
    return new TierConfig(extentSize, heatHalfLife, ssdReserveFraction, bytesPerSecond,
        swapHysteresis, minPromoteHeat, moverInterval, backgroundMover);
  }

  public TierConfig withMover(boolean background, Duration interval) {
    return new TierConfig(extentSize, heatHalfLife, ssdReserveFraction, moveBytesPerSecond,
        swapHysteresis, minPromoteHeat, interval, background);
  }
}
