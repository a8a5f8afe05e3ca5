package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * What a pool's engine last reported of the pool's background work (issues 18 and 19): the
 * rebuild or member copy running now (null fields: none) and the running or last scrub (null
 * fields: none reported yet). A row of its own beside the pool's, written by the node reports.
 */
@Entity
@Table(name = "pool_activity")
public class PoolActivity extends PanacheEntityBase {
  @Id
  @Column(name = "pool_id")
  public UUID poolId;

  /** {@code REBUILD} or {@code COPY}; null when none runs. */
  @Column(name = "rebuild_kind")
  public String rebuildKind;

  @Column(name = "rebuild_member")
  public Integer rebuildMember;

  /** The drive written to (the control plane's drive id, or the engine's name if it had none). */
  @Column(name = "rebuild_drive_id")
  public String rebuildDriveId;

  @Column(name = "rebuild_bytes_done")
  public Long rebuildBytesDone;

  @Column(name = "rebuild_bytes_total")
  public Long rebuildBytesTotal;

  /** Attempts of the restripe that stopped on an error in a row (the engine retries); null: none. */
  @Column(name = "rebuild_failed_attempts")
  public Integer rebuildFailedAttempts;

  /** Why its last attempt stopped, while {@link #rebuildFailedAttempts} is set. */
  @Column(name = "rebuild_error")
  public String rebuildError;

  @Column(name = "scrub_request_id")
  public String scrubRequestId;

  /** RUNNING, DONE, STOPPED or FAILED. */
  @Column(name = "scrub_state")
  public String scrubState;

  @Column(name = "scrub_rows_done")
  public Long scrubRowsDone;

  @Column(name = "scrub_rows")
  public Long scrubRows;

  @Column(name = "scrub_mismatched_blocks")
  public Long scrubMismatchedBlocks;

  @Column(name = "scrub_repaired_blocks")
  public Long scrubRepairedBlocks;

  @Column(name = "scrub_unrepairable_blocks")
  public Long scrubUnrepairableBlocks;

  @Column(name = "scrub_skipped_rows")
  public Long scrubSkippedRows;

  @Column(name = "scrub_started_at")
  public Instant scrubStartedAt;

  @Column(name = "scrub_finished_at")
  public Instant scrubFinishedAt;

  @Column(name = "scrub_error")
  public String scrubError;

  /** When the engine's node last said anything of this pool. */
  @Column(name = "reported_at", nullable = false)
  public Instant reportedAt;

  public boolean rebuilding() {
    return rebuildKind != null;
  }
}
