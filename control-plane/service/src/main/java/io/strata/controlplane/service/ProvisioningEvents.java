package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Attachment;
import io.strata.controlplane.domain.AttachmentState;
import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.SnapshotPolicy;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.TenantLifecycleEntity;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.domain.VolumeState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The seam where the storage nodes' reports enter the state machines. The consumer of
 * strata.events (provisioning, issue 6) calls these methods; each is idempotent (a repeated
 * report of the state an object is already in changes nothing) and refuses, with a log line,
 * a report its lifecycle does not allow. Completing the transition completes the user's
 * Operation.
 */
@ApplicationScoped
@Transactional
public class ProvisioningEvents {
  private static final Logger LOG = Logger.getLogger(ProvisioningEvents.class);

  @Inject Operations operations;
  @Inject ArrayService arrays;

  /**
   * Whether a report moves a FAILED object out of FAILED: one that failed while being removed
   * recovers only by being gone (its removal finishes), any other only by serving again (it
   * returns to its normal state). Issue 16: FAILED is not a dead end once its cause is gone.
   */
  private static boolean recovers(TenantLifecycleEntity failed, boolean reportedGone) {
    return failed.failedWhileRemoved() == reportedGone;
  }

  /** The node reports the array engine's state (ONLINE, DEGRADED, DELETED or FAILED). */
  public boolean arrayReported(UUID arrayId, ArrayState reported, String reason) {
    StorageArray a = StorageArray.findById(arrayId);
    if (a == null) {
      return false;
    }
    if (a.state == reported) {
      if (reported == ArrayState.DEGRADED && reason != null) {
        a.failureReason = reason; // what it lacks now (another drive failed, one came back)
      }
      return false;
    }
    if (a.state == ArrayState.FAILED && !recovers(a, reported == ArrayState.DELETED)) {
      LOG.warnf("ignoring report %s for array %s, FAILED while %s", reported, arrayId, a.failedFrom);
      return false;
    }
    if (a.state == ArrayState.FAILED && reported == ArrayState.DELETED) {
      a.moveTo(ArrayState.DELETING, "its failed delete is done"); // then DELETED below, as every delete
    }
    if (!ArrayState.MACHINE.allows(a.state, reported)) {
      LOG.warnf("ignoring report %s for array %s in state %s", reported, arrayId, a.state);
      return false;
    }
    ArrayState before = a.state;
    a.moveTo(reported, reason == null ? "reported by the node" : reason);
    // why it failed, or what a DEGRADED array lacks (the engine's drive states), for the tenant to see
    a.failureReason = reported == ArrayState.FAILED || reported == ArrayState.DEGRADED ? reason : null;
    if (reported == ArrayState.DELETED) {
      arrays.releaseAll(a);
    }
    // An array that comes up DEGRADED was created (or recovered): it serves, and its state says
    // what it lacks. A running array that becomes DEGRADED completes nothing it was asked.
    if (reported != ArrayState.DEGRADED || before == ArrayState.PROVISIONING || before == ArrayState.FAILED
        || before == ArrayState.RESIZING || before == ArrayState.RESUMING) {
      operations.complete(arrayId, reported != ArrayState.FAILED, reported == ArrayState.FAILED ? reason : null);
    }
    return true;
  }

  /** AVAILABLE (created or resized), DELETED or FAILED. A deleted volume's rows are removed. */
  public boolean volumeReported(UUID volumeId, VolumeState reported, String reason) {
    Volume v = Volume.findById(volumeId);
    if (v == null || v.state == reported) {
      return false;
    }
    if (v.state == VolumeState.RECYCLED) {
      // The engine keeps serving its data to no one; READY must not take it out of the bin, and
      // only the purge (DELETING) or a restore moves it.
      return false;
    }
    if (v.state == VolumeState.FAILED && !recovers(v, reported == VolumeState.DELETED)) {
      LOG.warnf("ignoring report %s for volume %s, FAILED while %s", reported, volumeId, v.failedFrom);
      return false;
    }
    if (v.state == VolumeState.FAILED && reported == VolumeState.DELETED) {
      v.moveTo(VolumeState.DELETING, "its failed delete is done");
    }
    if (reported == VolumeState.AVAILABLE && v.moveFromPoolId != null) {
      // it failed while moving (and may have been retried): served again, its move goes on, and
      // it stays cancellable (VolumeMoves.cancel) until the engine reports the move DONE
      reported = VolumeState.MOVING;
      if (v.state == reported) {
        return false;
      }
    }
    if (!VolumeState.MACHINE.allows(v.state, reported)) {
      LOG.warnf("ignoring report %s for volume %s in state %s", reported, volumeId, v.state);
      return false;
    }
    v.moveTo(reported, reason == null ? "reported by the node" : reason);
    v.failureReason = reported == VolumeState.FAILED ? reason : null;
    operations.complete(volumeId, reported != VolumeState.FAILED, reported == VolumeState.FAILED ? reason : null);
    if (reported == VolumeState.DELETED) {
      Attachment.delete("volumeId", volumeId);
      Snapshot.delete("volumeId", volumeId);
      SnapshotPolicy.delete("volumeId", volumeId);
      v.delete();
    }
    return true;
  }

  /**
   * The node applied a volume's rollback, or refused it. A refused rollback leaves the volume's
   * content as it was (the engine changes nothing for a layout it refuses), so the volume is
   * AVAILABLE again either way; only the operation says which.
   */
  public boolean rollbackReported(UUID volumeId, boolean applied, String reason) {
    Volume v = Volume.findById(volumeId);
    if (v == null || v.state != VolumeState.ROLLING_BACK) {
      return false;
    }
    v.moveTo(VolumeState.AVAILABLE, applied ? "rolled back" : "rollback refused: " + reason);
    operations.complete(volumeId, applied, applied ? null : reason);
    return true;
  }

  public boolean snapshotReported(UUID snapshotId, SnapshotState reported, String reason) {
    Snapshot s = Snapshot.findById(snapshotId);
    if (s == null || s.state == reported) {
      return false;
    }
    if (s.state == SnapshotState.FAILED && !recovers(s, reported == SnapshotState.DELETED)) {
      LOG.warnf("ignoring report %s for snapshot %s, FAILED while %s", reported, snapshotId, s.failedFrom);
      return false;
    }
    if (s.state == SnapshotState.FAILED && reported == SnapshotState.DELETED) {
      s.moveTo(SnapshotState.DELETING, "its failed delete is done");
    }
    if (!SnapshotState.MACHINE.allows(s.state, reported)) {
      LOG.warnf("ignoring report %s for snapshot %s in state %s", reported, snapshotId, s.state);
      return false;
    }
    s.moveTo(reported, reason == null ? "reported by the node" : reason);
    s.failureReason = reported == SnapshotState.FAILED ? reason : null;
    operations.complete(snapshotId, reported != SnapshotState.FAILED, reported == SnapshotState.FAILED ? reason : null);
    if (reported == SnapshotState.DELETED) {
      s.delete();
    }
    return true;
  }

  public boolean attachmentReported(UUID attachmentId, AttachmentState reported, String reason) {
    Attachment at = Attachment.findById(attachmentId);
    if (at == null || at.state == reported) {
      return false;
    }
    if (at.state == AttachmentState.FAILED
        && !recovers(at, reported == AttachmentState.DETACHED)) {
      LOG.warnf("ignoring report %s for attachment %s, FAILED while %s", reported, attachmentId, at.failedFrom);
      return false;
    }
    if (at.state == AttachmentState.FAILED && reported == AttachmentState.DETACHED) {
      at.moveTo(AttachmentState.DETACHING, "its failed detach is done");
    }
    if (!AttachmentState.MACHINE.allows(at.state, reported)) {
      LOG.warnf("ignoring report %s for attachment %s in state %s", reported, attachmentId, at.state);
      return false;
    }
    at.moveTo(reported, reason == null ? "reported by the node" : reason);
    at.failureReason = reported == AttachmentState.FAILED ? reason : null;
    operations.complete(attachmentId, reported != AttachmentState.FAILED, reported == AttachmentState.FAILED ? reason : null);
    return true;
  }
}
