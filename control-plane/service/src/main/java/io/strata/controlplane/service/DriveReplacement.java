package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.DriveRole;
import io.strata.controlplane.domain.DriveState;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.dto.ArrayDtos.ArrayDriveView;
import io.strata.controlplane.rest.problem.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * Replacing a member drive of a pool while its array runs (docs/provisioning.md, "Replacing a
 * drive"): a free drive of the array of the same type, on the outgoing drive's node and at least
 * as large as the pool's smallest member, takes its place in the pool; the outgoing drive leaves
 * the array. The agent puts the new drive at the outgoing drive's position in the engine's layout
 * and reloads it; the engine copies a healthy member onto it (keeping the pool's redundancy
 * throughout) or rebuilds a failed one from the others, while I/O goes on.
 *
 * <p>A healthy outgoing drive is still being read while the engine copies it, so it is RETIRED
 * (no scheduler hands it to anyone) rather than freed; an operator returns it to service
 * (docs/operations.md). A failed one keeps its FAILED state.
 *
 * <p>The replacement is an operation ({@value PoolActivityReports#REPLACE}, on the incoming
 * drive) that completes when the engine reports the rebuild or copy onto the new drive finished
 * ({@link PoolActivityReports}); meanwhile the pool's view shows its progress.
 */
@ApplicationScoped
@Transactional
public class DriveReplacement {
  @Inject CommandOutbox outbox;
  @Inject AuditLog audit;
  @Inject ArrayService arrays;
  @Inject Operations operations;

  /** The array's drives after a replacement, and the replacement's operation. */
  public record Replaced(List<ArrayDriveView> drives, UUID operationId) {}

  public Replaced replace(UUID tenantId, UUID poolId, UUID driveId, UUID replacementDriveId) {
    Pool pool = Owned.find(Pool.class, "pool", tenantId, poolId);
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, pool.arrayId);
    ArrayService.requireAccepting(a, "replace a drive");
    ArrayDrive outgoing = ArrayDrive.<ArrayDrive>find("arrayId = ?1 and driveId = ?2", a.id, driveId)
        .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    if (outgoing == null || !poolId.equals(outgoing.poolId)) {
      throw ApiException.conflictOnField("not-a-member", "driveId",
          "drive " + driveId + " is not a drive of pool '" + pool.name + "'");
    }
    if (outgoing.role != DriveRole.MEMBER) {
      throw ApiException.conflictOnField("not-a-member", "driveId", "drive " + driveId + " is pool '"
          + pool.name + "''s " + outgoing.role.describe() + ", not a member; only members are replaced");
    }
    Drive old = Drive.findById(driveId);
    long smallest = smallestMember(poolId);
    ArrayDrive incoming = replacementDriveId != null
        ? chosen(a, pool, old, smallest, replacementDriveId)
        : picked(a, pool, old, smallest);
    incoming.giveTo(pool.id, DriveRole.MEMBER);
    outgoing.delete();
    if (old.state == DriveState.AVAILABLE) {
      old.state = DriveState.RETIRED; // still read by the engine's copy: no one else may take it
    }
    a.updatedAt = Instant.now();
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    // Started before the desired state is written: the operation's time is at most the
    // generation of the desired state that carries the replacement, which is what completes it.
    UUID op = operations.start(tenantId, PoolActivityReports.REPLACE, "drive", incoming.driveId).id;
    outbox.arrayChanged(a);
    audit.record(tenantId, "pool.drive.replace", "pool", pool.id);
    return new Replaced(arrays.drives(tenantId, a.id), op);
  }

  private static long smallestMember(UUID poolId) {
    return ArrayDrive.<ArrayDrive>list("poolId = ?1 and role = ?2", poolId, DriveRole.MEMBER).stream()
        .mapToLong(ad -> Drive.<Drive>findById(ad.driveId).capacityGib).min().orElse(0);
  }

  /** The drive the tenant named: a free drive of the array that fits, or 409 naming the field. */
  private static ArrayDrive chosen(StorageArray a, Pool pool, Drive old, long smallest, UUID id) {
    ArrayDrive ad = ArrayDrive.<ArrayDrive>find("arrayId = ?1 and driveId = ?2", a.id, id)
        .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    if (ad == null) {
      throw ApiException.conflictOnField("not-in-array", "replacementDriveId",
          "drive " + id + " is not a drive of the array; add drives to the array first");
    }
    if (ad.poolId != null) {
      throw ApiException.conflictOnField("drive-in-pool", "replacementDriveId",
          "drive " + id + " already belongs to a pool (" + ad.role.describe() + ")");
    }
    String why = unfit(Drive.findById(id), pool, old, smallest);
    if (why != null) {
      throw ApiException.conflictOnField("unfit-replacement", "replacementDriveId", "drive " + id + " " + why);
    }
    return ad;
  }

  /** The smallest free drive of the array that fits, or 409 saying what to add. */
  private static ArrayDrive picked(StorageArray a, Pool pool, Drive old, long smallest) {
    List<ArrayDrive> free = ArrayDrive.<ArrayDrive>find("arrayId = ?1 and poolId is null", a.id)
        .withLock(LockModeType.PESSIMISTIC_WRITE).list();
    return free.stream()
        .filter(ad -> unfit(Drive.findById(ad.driveId), pool, old, smallest) == null)
        .min(Comparator.comparingLong((ArrayDrive ad) -> Drive.<Drive>findById(ad.driveId).capacityGib)
            .thenComparing(ad -> ad.driveId))
        .orElseThrow(() -> ApiException.conflictOnField("not-enough-drives", "replacementDriveId",
            "the array has no free " + pool.driveType + " drive of at least " + smallest + " GiB on the node of drive "
                + old.id + "; add one to the array (POST /api/v1/arrays/" + a.id + "/drives)"));
  }

  /** Why {@code d} cannot replace {@code old} in {@code pool}, or null when it can. */
  private static String unfit(Drive d, Pool pool, Drive old, long smallest) {
    if (d.type != pool.driveType) {
      return "is " + d.type + "; pool '" + pool.name + "' is made of " + pool.driveType + " drives";
    }
    if (!d.nodeId.equals(old.nodeId)) {
      return "is on another node than the drive it would replace (the engine replaces a member with a drive of"
          + " the same node while it runs)";
    }
    if (d.capacityGib < smallest) {
      return "has " + d.capacityGib + " GiB; the pool's members have " + smallest;
    }
    if (d.state != DriveState.AVAILABLE) {
      return "is " + d.state;
    }
    return null;
  }
}
