package io.strata.controlplane.rest.dto;

import io.strata.controlplane.domain.CacheMode;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.Protection;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.UUID;

public final class PoolDtos {
  private PoolDtos() {}

  /** A pool built from {@code driveCount} of the array's unpooled drives of {@code driveType}. */
  public record PoolCreate(
      @NotNull UUID arrayId,
      @NotNull @Pattern(regexp = Names.NAME, message = Names.NAME_MESSAGE) String name,
      @NotNull DriveType driveType,
      @NotNull Protection protection,
      @NotNull @Min(2) @Max(64) Integer driveCount,
      CacheMode cacheMode,
      Boolean tiering,
      /* the default of its volumes' "encrypted" (docs/encryption.md); absent: false */
      Boolean encrypted) {

    /** A pool whose volumes are plain unless they ask. */
    public PoolCreate(UUID arrayId, String name, DriveType driveType, Protection protection, Integer driveCount,
        CacheMode cacheMode, Boolean tiering) {
      this(arrayId, name, driveType, protection, driveCount, cacheMode, tiering, null);
    }
  }

  /**
   * A pool. {@code capacityGib} is what its volumes may use now; {@code targetCapacityGib} what
   * it has with all its drives: larger only while the engine restripes a grown RAID5/6 pool onto
   * its new drives (the progress is {@code rebuild}, kind RESTRIPE), equal otherwise; {@code
   * restripe} the pace of such a restripe.
   */
  public record PoolView(
      UUID id,
      UUID arrayId,
      String name,
      DriveType driveType,
      Protection protection,
      CacheMode cacheMode,
      boolean tiering,
      long capacityGib,
      long targetCapacityGib,
      Instant createdAt,
      ScrubView scrub,
      RestripeView restripe,
      RebuildView rebuild,
      LastScrubView lastScrub,
      /* its volumes are encrypted unless their create says otherwise */
      boolean encrypted) {}

  /**
   * The rebuild or member copy running in the pool now, as its engine last reported it (null when
   * none runs). {@code kind}: {@code REBUILD} (a failed, replaced or returning drive rebuilt from
   * the others; the pool lacks that redundancy until done) or {@code COPY} (a healthy member
   * copied onto the drive replacing it); {@code driveId}: the drive written to; {@code percent}
   * 0 to 100 (one decimal); {@code failedAttempts} and {@code error}: a RESTRIPE's attempts that
   * stopped on an error in a row and the last one's reason (the engine tries again by itself after
   * a pause; 0 and null while none stopped); {@code reportedAt}: when the engine's node said so.
   */
  public record RebuildView(
      String kind, Integer member, String driveId, long bytesDone, long bytesTotal, double percent,
      int failedAttempts, String error, Instant reportedAt) {}

  /**
   * The pool's running or last scrub, as its engine reported it (null until one is): {@code state}
   * RUNNING, DONE, STOPPED or FAILED; {@code requestId} the request it served ({@code
   * scrub.requestId} when it is the latest); rows are 1 MiB of each drive ({@code percent} of them
   * checked); blocks are 512 bytes: mismatched (copies or parity disagreed), repaired (rewritten
   * from the redundancy), unrepairable (wrong and nothing could tell right: raises the
   * {@code scrub-unrepairable} alert); {@code skippedRows}: rows a degraded pool could not check.
   */
  public record LastScrubView(
      String requestId, String state, long rowsDone, long rows, double percent, long mismatchedBlocks,
      long repairedBlocks, long unrepairableBlocks, long skippedRows, Instant startedAt, Instant finishedAt,
      String error, Instant reportedAt) {}

  /**
   * A pool's scrub settings and its current request. {@code everyDays}: the schedule (null: on
   * demand only); {@code rateMbps}: the most a scrub reads, MiB/s (0: no limit); {@code
   * requestId} and {@code requestedAt}: the scrub last asked for (null: never).
   */
  public record ScrubView(Integer everyDays, int rateMbps, UUID requestId, Instant requestedAt) {}

  /** POST /api/v1/pools/{id}/scrub: scrub now, optionally at another rate (kept for later ones). */
  public record ScrubRequest(@Min(0) @Max(10000) Integer rateMbps) {}

  /**
   * PUT /api/v1/pools/{id}/scrub-policy: scrub every {@code everyDays} days (null: on demand only)
   * at {@code rateMbps} MiB/s (0: no limit).
   */
  public record ScrubPolicy(@Min(1) @Max(365) Integer everyDays, @NotNull @Min(0) @Max(10000) Integer rateMbps) {}

  /** Which free drive of the array replaces a member; null: the control plane picks one. */
  public record DriveReplace(UUID replacementDriveId) {}

  /** Drives of the pool's array to add to the pool as members (docs/provisioning.md, "Growing a pool"). */
  public record PoolDrivesAdd(
      @jakarta.validation.constraints.NotNull @jakarta.validation.constraints.Size(min = 1, max = 62)
          java.util.List<@jakarta.validation.constraints.NotNull UUID> driveIds,
      @Min(0) @Max(10000) Integer restripeRateMbps) {}

  /**
   * PUT /api/v1/pools/{id}/restripe-policy: the most pool data a RAID5/6 pool's restripe onto added
   * drives moves, MiB/s (0: no limit); a restripe running now changes its pace.
   */
  public record RestripePolicy(@NotNull @Min(0) @Max(10000) Integer rateMbps) {}

  /** A RAID5/6 pool's restripe settings: {@code rateMbps}, the most it moves (MiB/s, 0: no limit). */
  public record RestripeView(int rateMbps) {}
}
