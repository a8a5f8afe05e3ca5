package io.strata.controlplane.service;

import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.rest.problem.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Online volume moves (issue 18, docs/provisioning.md "Moving a volume to another pool"): an
 * AVAILABLE volume goes to another pool of its array while its servers keep reading and writing.
 * The volume becomes MOVING with {@code poolId} the new pool and {@code moveFromPoolId} the old
 * one, both sent in the array's desired state; the engine copies its extents in the background
 * (writes to what it copied already go to both copies), switches to the new copy and deletes the
 * old one, reporting its progress in the array's status ({@link #reported}). Its report that the
 * move is DONE makes the volume AVAILABLE in its new pool and completes the Operation.
 *
 * <p>A move is taken back with {@link #cancel}: the two pools swap, so the desired state asks the
 * engine to move the volume back to where it came from (it drops its partial copy, or moves the
 * data back if it had switched already), and the engine's DONE for that move completes the cancel.
 */
@ApplicationScoped
@Transactional
public class VolumeMoves {
  private static final Logger LOG = Logger.getLogger(VolumeMoves.class);

  /** The Operation kinds of a move and of its cancel. */
  static final String MOVE = "volume.move";
  static final String MOVE_CANCEL = "volume.move-cancel";

  @Inject CommandOutbox outbox;
  @Inject Operations operations;
  @Inject AuditLog audit;

  /** Starts the move of the caller's volume {@code id} to its array's pool {@code poolId}. */
  public Operation move(UUID tenantId, UUID id, UUID poolId) {
    Volume v = Owned.lock(Volume.class, "volume", tenantId, id);
    Pool to = Owned.find(Pool.class, "pool", tenantId, poolId);
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, v.arrayId);
    if (!to.arrayId.equals(v.arrayId)) {
      throw ApiException.invalidField("poolId", "pool '" + to.name + "' is in another array; a volume moves only"
          + " between pools of its own array");
    }
    if (v.moveFromPoolId != null) {
      Pool from = Pool.findById(v.moveFromPoolId);
      throw ApiException.conflictOnField("volume-moving", "poolId", "the volume is already moving from pool '"
          + from.name + "' to pool '" + Pool.<Pool>findById(v.poolId).name + "'; wait until it is done");
    }
    if (to.id.equals(v.poolId)) {
      throw ApiException.conflictOnField("already-in-pool", "poolId", "the volume is in pool '" + to.name
          + "' already");
    }
    ArrayService.requireAccepting(a, "move a volume");
    if (v.state != VolumeState.AVAILABLE) {
      throw new ApiException(new Problem(409, "illegal-state", "Conflict",
          "a move needs an AVAILABLE volume; it is " + v.state).with("reason", "volume-not-available"));
    }
    if (v.sourceSnapshotId != null) {
      throw ApiException.conflict("volume-is-clone", "the volume is a clone of a snapshot and shares its extents"
          + " with it; a clone cannot move to another pool");
    }
    long snapshots = Counts.of(Snapshot.class, "volumeId = ?1 and state <> ?2", v.id, SnapshotState.DELETED);
    if (snapshots > 0) {
      throw ApiException.conflict("volume-has-snapshots", "the volume has " + snapshots + " snapshot(s), which"
          + " share its extents in its pool; delete them first, then move it");
    }
    requireRoom(to, v);
    v.moveFromPoolId = v.poolId;
    v.poolId = to.id;
    v.moveCopiedExtents = 0;
    v.moveTotalExtents = 0;
    v.moveStoppedReason = null;
    v.moveStartedAt = Instant.now();
    v.moveTo(VolumeState.MOVING, "moving to pool " + to.name);
    v.updatedAt = v.moveStartedAt;
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(a);
    Operation op = operations.start(tenantId, MOVE, "volume", v.id);
    audit.record(tenantId, MOVE, "volume", v.id);
    return op;
  }

  /**
   * Cancels the move of the caller's MOVING volume {@code id}: the volume stays MOVING, now from
   * the pool it was moving to back to the one it came from ({@code poolId} and
   * {@code moveFromPoolId} swap, as the array's desired state then says), marked as a cancel. The
   * move's Operation fails ("cancelled") and a {@code volume.move-cancel} one starts, completed
   * when the engine reports the move back DONE ({@link #reported}), which also clears the move.
   * No room is needed: the pool it goes back to still holds its space. A move being cancelled is
   * not cancelled again.
   *
   * <p>A volume that FAILED while moving (its move still in its record and in the array's desired
   * state) is cancelled the same way, and becomes MOVING again on its way back: the cancel is
   * always a way back to the pool it came from. If it failed while its move was being cancelled
   * already, the cancel asks for the move back again.
   */
  public Operation cancel(UUID tenantId, UUID id) {
    Volume v = Owned.lock(Volume.class, "volume", tenantId, id);
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, v.arrayId);
    boolean failedWhileMoving = v.state == VolumeState.FAILED && v.moveFromPoolId != null;
    if ((v.state != VolumeState.MOVING && !failedWhileMoving) || v.moveFromPoolId == null) {
      throw new ApiException(new Problem(409, "volume-not-moving", "Conflict",
          "only the move of a MOVING volume (or of one that FAILED while moving) can be cancelled; the volume is "
              + v.state + (v.moveFromPoolId == null ? " and not moving" : ""))
          .with("reason", "volume-not-moving"));
    }
    if (failedWhileMoving && v.moveCancelling) {
      return askTheMoveBackAgain(tenantId, v, a);
    }
    if (v.moveCancelling) {
      // the pools are swapped already: it is moving back to its poolId
      throw new ApiException(new Problem(409, "move-cancelling", "Conflict",
          "the move is being cancelled already: the volume is moving back to pool '"
              + Pool.<Pool>findById(v.poolId).name + "'; it can move again once it is AVAILABLE there")
          .with("reason", "move-cancelling"));
    }
    ArrayService.requireAccepting(a, "cancel a volume move");
    Pool back = Pool.findById(v.moveFromPoolId);
    Pool abandoned = Pool.findById(v.poolId);
    v.poolId = back.id;
    v.moveFromPoolId = abandoned.id;
    v.moveCancelling = true;
    v.moveCopiedExtents = 0;
    v.moveTotalExtents = 0;
    v.moveStoppedReason = null;
    v.moveStartedAt = Instant.now();
    v.updatedAt = v.moveStartedAt;
    if (failedWhileMoving) {
      v.moveTo(VolumeState.MOVING, "move cancelled after it failed: moving back to pool " + back.name);
      v.failureReason = null;
    }
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(a);
    operations.complete(v.id, MOVE, false, "cancelled");
    Operation op = operations.start(tenantId, MOVE_CANCEL, "volume", v.id);
    // named as the audit filter names a refused cancel (AuditActions, from the path), so that one
    // action finds both
    audit.record(tenantId, "volume.move.cancel", "volume", v.id);
    LOG.infof("volume %s: move to pool %s cancelled, moving back to pool %s", v.id, abandoned.id, back.id);
    return op;
  }

  /**
   * The volume FAILED while its move was being cancelled: the pools are swapped already, so the
   * desired state is sent again as it is, the volume MOVING back, under a new cancel Operation.
   */
  private Operation askTheMoveBackAgain(UUID tenantId, Volume v, StorageArray a) {
    ArrayService.requireAccepting(a, "cancel a volume move");
    Pool back = Pool.findById(v.poolId);
    v.moveCopiedExtents = 0;
    v.moveTotalExtents = 0;
    v.moveStoppedReason = null;
    v.moveTo(VolumeState.MOVING, "cancel asked again after it failed: moving back to pool " + back.name);
    v.failureReason = null;
    v.updatedAt = Instant.now();
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(a);
    Operation op = operations.start(tenantId, MOVE_CANCEL, "volume", v.id);
    audit.record(tenantId, "volume.move.cancel", "volume", v.id);
    LOG.infof("volume %s: its failed cancel asked again, moving back to pool %s", v.id, back.id);
    return op;
  }

  /**
   * The new pool must be able to hold the whole volume: what its thick volumes reserve (those
   * moving into or out of it too) plus this volume's size within its capacity. A thin volume is
   * counted whole as well, since the copy may have to write every extent of it.
   */
  private static void requireRoom(Pool to, Volume v) {
    long reserved = VolumeService.thickReservedGib(to);
    if (reserved + v.sizeGib > to.usableGib()) {
      throw ApiException.conflictOnField("pool-full", "poolId", "pool '" + to.name + "' has " + to.usableGib()
          + " GiB" + VolumeService.restripeNote(to) + ", of which thick volumes reserve " + reserved
          + " GiB: no room for this volume's " + v.sizeGib + " GiB");
    }
  }

  /**
   * The engine's word on the move of volume {@code volumeId} from pool {@code fromPoolId} to
   * {@code toPoolId}; a report about another move than the volume's (an older one) is ignored.
   * Returns true when it finished the move (the array's desired state then drops it).
   */
  public boolean reported(UUID volumeId, UUID fromPoolId, UUID toPoolId, String state, long copiedExtents,
      long totalExtents, String reason) {
    Volume v = Volume.findById(volumeId);
    if (v == null || v.moveFromPoolId == null || !v.moveFromPoolId.equals(fromPoolId) || !v.poolId.equals(toPoolId)) {
      return false;
    }
    if ("DONE".equals(state)) {
      boolean cancel = v.moveCancelling;
      v.moveCopiedExtents = Math.max(v.moveTotalExtents, totalExtents);
      v.moveTotalExtents = v.moveCopiedExtents;
      v.moveFromPoolId = null;
      v.moveCancelling = false;
      v.moveStoppedReason = null;
      if (v.state == VolumeState.MOVING) {
        v.moveTo(VolumeState.AVAILABLE, (cancel ? "moved back to pool " : "moved to pool ") + toPoolId);
        v.updatedAt = Instant.now();
        // only the move's own Operation: another one of the volume (a QoS change) waits for its node
        operations.complete(v.id, cancel ? MOVE_CANCEL : MOVE, true, null);
      }
      LOG.infof("volume %s %s from pool %s to pool %s", v.id, cancel ? "moved back (move cancelled)" : "moved",
          fromPoolId, toPoolId);
      return true;
    }
    String stopped = "STOPPED".equals(state) ? reason : null;
    if (v.moveCopiedExtents != copiedExtents || v.moveTotalExtents != totalExtents
        || !java.util.Objects.equals(v.moveStoppedReason, stopped)) {
      v.moveCopiedExtents = copiedExtents;
      v.moveTotalExtents = totalExtents;
      v.moveStoppedReason = stopped;
    }
    return false;
  }
}
