package io.strata.contracts.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one array (VPSA) used during one sampling interval, published by the agent of the node
 * that runs its engine on {@code strata.usage}, keyed by array id. Capacities are the state at the
 * end of the interval and are billed for the whole interval; the counters ({@code readOps} ...
 * {@code writeBytes}) count only what happened during the interval ("since the last sample").
 *
 * <p>Sizes are whole bytes (JSON integers, so that no reader turns them into binary floating point);
 * billing converts them to decimal gigabytes (10^9 bytes). Counters are plain counts.
 *
 * @param arrayId the array's id (control-plane UUID)
 * @param tenantId the owning tenant, e.g. {@code acme}
 * @param nodeId the storage node that sent the sample
 * @param intervalStart start of the interval, inclusive
 * @param intervalEnd end of the interval, exclusive; after {@code intervalStart}
 * @param drives drives given to the array, one entry per drive type
 * @param engineSize the engine size name, one of {@link io.strata.contracts.command.EngineSizes#ALL} (e.g. {@code E01})
 * @param tiers pool and volume capacity per tier
 * @param cacheBytes flash cache size
 * @param snapshotBytes space held by snapshots
 * @param readOps read commands completed during the interval
 * @param writeOps write commands completed during the interval
 * @param readBytes bytes read during the interval
 * @param writeBytes bytes written during the interval
 * @param engineStopped true when no engine ran during the interval because the array is
 *     hibernated (issue 18): billing then meters no engine time, only the drives and space the
 *     array keeps. Added within version 1: missing reads as false (the engine ran)
 */
public record ArrayUsageSample(
    String arrayId,
    String tenantId,
    String nodeId,
    Instant intervalStart,
    Instant intervalEnd,
    List<DriveAllocation> drives,
    String engineSize,
    List<TierCapacity> tiers,
    long cacheBytes,
    long snapshotBytes,
    long readOps,
    long writeOps,
    long readBytes,
    long writeBytes,
    boolean engineStopped) {

  /** The longest interval one sample may cover; longer ones are refused as implausible. */
  public static final Duration MAX_INTERVAL = Duration.ofHours(24);

  public ArrayUsageSample {
    requireText(arrayId, "arrayId");
    requireText(tenantId, "tenantId");
    requireText(nodeId, "nodeId");
    requireText(engineSize, "engineSize");
    Objects.requireNonNull(intervalStart, "intervalStart");
    Objects.requireNonNull(intervalEnd, "intervalEnd");
    if (!intervalEnd.isAfter(intervalStart)) {
      throw new IllegalArgumentException("intervalEnd " + intervalEnd + " is not after intervalStart " + intervalStart);
    }
    if (Duration.between(intervalStart, intervalEnd).compareTo(MAX_INTERVAL) > 0) {
      throw new IllegalArgumentException("interval longer than " + MAX_INTERVAL + ": " + intervalStart + ".." + intervalEnd);
    }
    drives = List.copyOf(drives == null ? List.of() : drives);
    tiers = List.copyOf(tiers == null ? List.of() : tiers);
    for (long value : new long[] {cacheBytes, snapshotBytes, readOps, writeOps, readBytes, writeBytes}) {
      if (value < 0) {
        throw new IllegalArgumentException("sizes and I/O counters cannot be negative");
      }
    }
    if (drives.stream().map(DriveAllocation::driveType).distinct().count() != drives.size()) {
      throw new IllegalArgumentException("one drives entry per drive type, got " + drives);
    }
  }

  /** A sample of an interval during which the engine ran. */
  public ArrayUsageSample(
      String arrayId, String tenantId, String nodeId, Instant intervalStart, Instant intervalEnd,
      List<DriveAllocation> drives, String engineSize, List<TierCapacity> tiers, long cacheBytes, long snapshotBytes,
      long readOps, long writeOps, long readBytes, long writeBytes) {
    this(arrayId, tenantId, nodeId, intervalStart, intervalEnd, drives, engineSize, tiers, cacheBytes, snapshotBytes,
        readOps, writeOps, readBytes, writeBytes, false);
  }

  /** Interval length in whole seconds (samples are cut on second boundaries). */
  public long intervalSeconds() {
    return Duration.between(intervalStart, intervalEnd).getSeconds();
  }

  /**
   * Drives of one type given to the array.
   *
   * @param driveType {@code SSD} or {@code HDD}
   * @param count number of drives
   * @param bytes their total raw capacity
   */
  public record DriveAllocation(DriveType driveType, int count, long bytes) {
    public DriveAllocation {
      Objects.requireNonNull(driveType, "driveType");
      if (count < 0) {
        throw new IllegalArgumentException("drive count cannot be negative");
      }
      nonNegative(bytes, "bytes");
    }
  }

  /**
   * Capacity of one tier of the array.
   *
   * @param tier the tier, named by the drive type that backs it
   * @param poolProvisionedBytes capacity of the pools on this tier
   * @param poolUsedBytes space actually written in those pools
   * @param volumeProvisionedBytes sum of the (thin) volume sizes placed on this tier
   */
  public record TierCapacity(
      DriveType tier, long poolProvisionedBytes, long poolUsedBytes, long volumeProvisionedBytes) {
    public TierCapacity {
      Objects.requireNonNull(tier, "tier");
      nonNegative(poolProvisionedBytes, "poolProvisionedBytes");
      nonNegative(poolUsedBytes, "poolUsedBytes");
      nonNegative(volumeProvisionedBytes, "volumeProvisionedBytes");
    }
  }

  /** Physical drive types, as ARCHITECTURE.md names them. */
  public enum DriveType {
    SSD,
    HDD
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
  }

  private static void nonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " cannot be negative, was " + value);
    }
  }
}
