package io.strata.contracts.event;

import java.time.Instant;

/**
 * What one pool of an array is doing in the background, as its engine reports it (part of
 * {@link ArrayStatus#pools}, added within version 1 for issues 18 and 19): the rebuild or member
 * copy running now, and the scrub running now or the last one the pool's drives remember. A
 * pool with neither is left out of the list.
 *
 * @param poolId the pool, as the control plane named it
 * @param rebuild the rebuild or copy running now; null when none runs
 * @param scrub the running or last scrub; null when the pool was never scrubbed
 */
public record PoolProgress(String poolId, Rebuild rebuild, Scrub scrub) {

  /**
   * A rebuild onto one member.
   *
   * @param kind {@code REBUILD} (a failed, new or returning member rebuilt or resynced from the
   *     others: the pool lacks that redundancy until it is done) or {@code COPY} (a healthy member
   *     copied onto the drive replacing it: the pool keeps its redundancy); a string, so that a
   *     reader from before a new kind still reads the rest
   * @param member the member's position in the pool
   * @param driveId the drive written to (the incoming one), as the control plane named it; null
   *     when the engine did not say
   * @param bytesDone bytes of the drive done
   * @param bytesTotal bytes of the drive the rebuild goes through
   * @param failedAttempts attempts that stopped on an error in a row (a RESTRIPE is tried again by
   *     itself after a pause); 0 when none did or one went through. Added within version 1: an
   *     older sender means 0, older readers ignore it
   * @param error why the last attempt stopped, while {@code failedAttempts} is above 0; else null.
   *     Added within version 1 like {@code failedAttempts}
   */
  public record Rebuild(String kind, Integer member, String driveId, long bytesDone, long bytesTotal,
      int failedAttempts, String error) {

    /** A rebuild with no attempt stopped by an error. */
    public Rebuild(String kind, Integer member, String driveId, long bytesDone, long bytesTotal) {
      this(kind, member, driveId, bytesDone, bytesTotal, 0, null);
    }

    /** The share done, 0 to 1 (1 when there is nothing to go through). */
    public double ratio() {
      return bytesTotal <= 0 ? 1 : Math.min(1, (double) bytesDone / bytesTotal);
    }
  }

  /**
   * A scrub (docs/block-stack.md, "Scrub").
   *
   * @param requestId the scrub request it serves (the pool's {@code scrub.requestId})
   * @param state {@code RUNNING}, {@code DONE}, {@code STOPPED} (interrupted; resumes when asked
   *     again) or {@code FAILED} (see error)
   * @param rowsDone rows (1 MiB of each member) checked so far
   * @param rows rows of each member in all
   * @param mismatchedBlocks 512-byte blocks whose copies or parity disagreed
   * @param repairedBlocks blocks rewritten from the redundancy (mismatched or unreadable)
   * @param unrepairableBlocks blocks nothing could tell right (left as they were): data may be
   *     wrong there
   * @param skippedRows rows a degraded pool could not check
   * @param startedAt when it started
   * @param finishedAt when it finished; null until it has
   * @param error why it FAILED; null otherwise
   */
  public record Scrub(
      String requestId, String state, long rowsDone, long rows, long mismatchedBlocks, long repairedBlocks,
      long unrepairableBlocks, long skippedRows, Instant startedAt, Instant finishedAt, String error) {}
}
