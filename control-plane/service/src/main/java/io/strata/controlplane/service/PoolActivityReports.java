package io.strata.controlplane.service;

import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.contracts.event.PoolProgress;
import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.OperationState;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.domain.PoolActivity;
import io.strata.controlplane.domain.StorageArray;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * What a running engine reports of its pools' background work ({@code ArrayStatus.pools}, issues
 * 18 and 19), kept per pool in {@link PoolActivity} for the pool's view and the
 * {@code scrub-unrepairable} alert; and the end of drive replacements: a replacement's operation
 * ({@value #REPLACE}, on the incoming drive) succeeds once the engine has applied the desired state
 * that carried it (the pool READY in a status of that generation or later) and no rebuild or copy
 * runs in the pool any more; it fails if the engine refused the pool.
 */
@ApplicationScoped
public class PoolActivityReports {
  private static final Logger LOG = Logger.getLogger(PoolActivityReports.class);
  /** The operation kind of a drive replacement. */
  public static final String REPLACE = "pool.drive.replace";

  @Inject Operations operations;

  /** Takes in {@code status}, which the caller has found to speak for {@code array}. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void reported(StorageArray array, ArrayStatus status) {
    if (status.state() != ArrayStatus.State.ONLINE && status.state() != ArrayStatus.State.DEGRADED) {
      return; // no engine runs: it says nothing of its pools, and what was last said stays
    }
    Map<UUID, PoolProgress> byPool = new HashMap<>();
    for (PoolProgress p : status.pools()) {
      UUID id = uuid(p.poolId());
      if (id != null) {
        byPool.put(id, p);
      }
    }
    Instant now = Instant.now();
    for (Pool pool : Pool.<Pool>list("arrayId", array.id)) {
      PoolProgress reported = byPool.get(pool.id);
      if (pool.restriping() && restripeDone(pool, status, reported)) {
        LOG.infof("array %s: pool %s restriped onto its new drives, %d GiB usable (was %d)", array.id, pool.id,
            pool.capacityGib, pool.restripingFromGib);
        pool.restripingFromGib = null;
        pool.restripeGeneration = null;
      }
      PoolActivity row = PoolActivity.findById(pool.id);
      if (row == null && reported == null) {
        continue;
      }
      if (row == null) {
        row = new PoolActivity();
        row.poolId = pool.id;
      }
      if (apply(row, reported) || row.reportedAt == null) {
        row.reportedAt = now;
        row.persist();
      }
    }
    completeReplacements(array, status, byPool);
  }

  /**
   * Whether {@code status} says the grown RAID5/6 pool has its new capacity: the engine applied a
   * desired state that has the new drives (the pool READY at that generation or later; the engine
   * starts the restripe as it applies it) and reports no restripe, nor any rebuild, running in the
   * pool any more ({@code reported}: the pool's progress in the same status, which the agent reads
   * from the same engine status as the objects; null when nothing runs in the pool). A rebuild
   * reported instead of the restripe (the engine shows a member's rebuild first) holds the
   * capacity back too, until both are over.
   */
  static boolean restripeDone(Pool pool, ArrayStatus status, PoolProgress reported) {
    if (pool.restripeGeneration != null && status.generation() < pool.restripeGeneration) {
      return false;
    }
    boolean ready = status.objects().stream().anyMatch(o -> o.kind() == ObjectStatus.Kind.POOL
        && pool.id.equals(uuid(o.objectId())) && o.state() == ObjectStatus.State.READY);
    return ready && (reported == null || reported.rebuild() == null);
  }

  /**
   * The report's rebuild (none when the pool is not in it) and scrub (kept when the report has
   * none: an agent or engine from before scrubs were reported); true if anything changed.
   */
  /** What pool_activity.rebuild_kind may hold (V19, V26). */
  static final java.util.Set<String> REBUILD_KINDS = java.util.Set.of("REBUILD", "COPY", "RESTRIPE");

  static boolean apply(PoolActivity row, PoolProgress reported) {
    PoolProgress.Rebuild r = reported == null ? null : reported.rebuild();
    if (r != null && !REBUILD_KINDS.contains(r.kind())) {
      r = null; // a kind from a newer agent: the rest of the report still counts (and the table's check holds)
    }
    Object[] before = snapshot(row);
    row.rebuildKind = r == null ? null : r.kind();
    row.rebuildMember = r == null ? null : r.member();
    row.rebuildDriveId = r == null ? null : r.driveId();
    row.rebuildBytesDone = r == null ? null : r.bytesDone();
    row.rebuildBytesTotal = r == null ? null : r.bytesTotal();
    boolean stopped = r != null && r.failedAttempts() > 0;
    row.rebuildFailedAttempts = stopped ? r.failedAttempts() : null;
    row.rebuildError = stopped ? r.error() : null;
    PoolProgress.Scrub s = reported == null ? null : reported.scrub();
    if (s != null) {
      row.scrubRequestId = s.requestId();
      row.scrubState = s.state();
      row.scrubRowsDone = s.rowsDone();
      row.scrubRows = s.rows();
      row.scrubMismatchedBlocks = s.mismatchedBlocks();
      row.scrubRepairedBlocks = s.repairedBlocks();
      row.scrubUnrepairableBlocks = s.unrepairableBlocks();
      row.scrubSkippedRows = s.skippedRows();
      row.scrubStartedAt = s.startedAt();
      row.scrubFinishedAt = s.finishedAt();
      row.scrubError = s.error();
    }
    return !java.util.Arrays.equals(before, snapshot(row));
  }

  private static Object[] snapshot(PoolActivity a) {
    return new Object[] {a.rebuildKind, a.rebuildMember, a.rebuildDriveId, a.rebuildBytesDone, a.rebuildBytesTotal,
        a.rebuildFailedAttempts, a.rebuildError,
        a.scrubRequestId, a.scrubState, a.scrubRowsDone, a.scrubRows, a.scrubMismatchedBlocks, a.scrubRepairedBlocks,
        a.scrubUnrepairableBlocks, a.scrubSkippedRows, a.scrubStartedAt, a.scrubFinishedAt, a.scrubError};
  }

  private void completeReplacements(StorageArray array, ArrayStatus status, Map<UUID, PoolProgress> byPool) {
    List<Object[]> pending = Operation.getEntityManager().createQuery(
            "select o, ad.poolId from Operation o, ArrayDrive ad where o.kind = ?1 and o.state = ?2"
                + " and ad.arrayId = ?3 and ad.driveId = o.targetId", Object[].class)
        .setParameter(1, REPLACE).setParameter(2, OperationState.PENDING).setParameter(3, array.id)
        .getResultList();
    for (Object[] row : pending) {
      Operation op = (Operation) row[0];
      UUID poolId = (UUID) row[1];
      if (status.generation() < ChronoUnit.MICROS.between(Instant.EPOCH, op.createdAt)) {
        continue; // a status from before the desired state that carries the replacement
      }
      ObjectStatus pool = status.objects().stream()
          .filter(o -> o.kind() == ObjectStatus.Kind.POOL && Objects.equals(uuid(o.objectId()), poolId))
          .findFirst().orElse(null);
      if (pool == null || pool.state() == ObjectStatus.State.DELETED) {
        continue; // the engine has not applied it yet
      }
      if (pool.state() == ObjectStatus.State.FAILED) {
        operations.complete(op.targetId, false, pool.reason());
        continue;
      }
      PoolProgress progress = byPool.get(poolId);
      if (progress == null || progress.rebuild() == null) {
        LOG.infof("array %s: pool %s has its new drive %s, rebuilt", array.id, poolId, op.targetId);
        operations.complete(op.targetId, true, null);
      }
    }
  }

  private static UUID uuid(String id) {
    try {
      return id == null ? null : UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
