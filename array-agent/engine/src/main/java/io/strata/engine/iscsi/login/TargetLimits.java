package io.strata.engine.iscsi.login;

/**
 * What this target offers in negotiation: the most it accepts for each numeric key, and its
 * preference for each boolean key.
 */
public record TargetLimits(
    int maxRecvDataSegmentLength,
    int maxBurstLength,
    int firstBurstLength,
    int maxConnections,
    int maxOutstandingR2T,
    int errorRecoveryLevel,
    int commandWindow) {

  /** Sizes that suit 4 KiB to 1 MiB I/O on today's networks. */
  public static final TargetLimits DEFAULT =
      new TargetLimits(262_144, 1_048_576, 262_144, 8, 4, 0, 128);
}
