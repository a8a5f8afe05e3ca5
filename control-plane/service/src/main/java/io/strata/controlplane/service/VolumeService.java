package io.strata.controlplane.service;

import io.strata.controlplane.domain.Attachment;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.ETags;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.dto.VolumeDtos;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeCreate;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeRollback;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeUpdate;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeView;
import io.strata.controlplane.rest.problem.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/** Volumes: create (also as clones), resize (grow only), QoS, tier pin, delete. */
@ApplicationScoped
@Transactional
public class VolumeService {
  @Inject Quotas quotas;
  @Inject CommandOutbox outbox;
  @Inject Operations operations;
  @Inject AuditLog audit;
  @Inject RecycleBin recycleBin;
  @Inject TenantKeys keys;

  public record Changed(Volume volume, UUID operationId) {}

  public Changed create(UUID tenantId, VolumeCreate req) {
    Pool pool = Owned.find(Pool.class, "pool", tenantId, req.poolId());
    boolean thin = req.thin() == null || req.thin();
    requirePinnable(pool, req.tierPin());
    // the tenant's KEK is made with its first encrypted volume (in the KMS; only its id is kept)
    // a volume that does not say takes its pool's default
    boolean encrypted = req.encrypted() != null ? req.encrypted() : pool.encrypted;
    String kek = encrypted ? keys.kekOf(tenantId) : null;
    return create(tenantId, pool, req.name(), req.sizeGib(), thin, req.qosIopsLimit(), req.qosMbpsLimit(),
        Boolean.TRUE.equals(req.multiAttach()), null, req.tierPin(), kek);
  }

  /** A pin chooses between a pool's SSD and HDD tiers: a pool without tiering has only one. */
  private static void requirePinnable(Pool pool, DriveType tierPin) {
    if (tierPin != null && !pool.tiering) {
      throw ApiException.invalidField("tierPin", "pool '" + pool.name + "' has no tiering (only a pool created"
          + " with \"tiering\": true has an SSD and an HDD tier to pin to); leave tierPin out or null");
    }
  }

  Changed create(UUID tenantId, Pool pool, String name, long sizeGib, boolean thin, Integer iops, Integer mbps,
      boolean multiAttach, UUID sourceSnapshotId, DriveType tierPin, String kekId) {
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, pool.arrayId);
    ArrayService.requireAccepting(a, "create a volume");
    // a volume in the recycle bin gave its name back (a restore then asks for another)
    if (Counts.of(Volume.class, "arrayId = ?1 and name = ?2 and state not in ?3", a.id, name,
        java.util.List.of(VolumeState.DELETED, VolumeState.RECYCLED)) > 0) {
      throw ApiException.conflict("already-exists", "name: a volume named '" + name + "' exists in the array");
    }
    quotas.checkCapacity(tenantId, sizeGib);
    if (!thin) {
      requireThickRoom(pool, sizeGib);
    }
    Volume v = new Volume();
    v.id = UUID.randomUUID();
    v.tenantId = tenantId;
    v.arrayId = a.id;
    v.poolId = pool.id;
    v.name = name;
    v.sizeGib = sizeGib;
    v.thin = thin;
    v.qosIopsLimit = iops;
    v.qosMbpsLimit = mbps;
    v.multiAttach = multiAttach;
    v.sourceSnapshotId = sourceSnapshotId;
    v.tierPin = tierPin;
    v.encrypted = kekId != null;
    v.kekId = kekId;
    v.state = VolumeState.CREATING;
    v.createdAt = Instant.now();
    v.updatedAt = v.createdAt;
    v.persist();
    // the operation starts at the database time the array's next generation was taken at (U1's one
    // clock, read once: docs/replicas.md)
    UUID op = operations.start(tenantId, "volume.create", "volume", v.id, outbox.arrayChanged(a)).id;
    audit.record(tenantId, "volume.create", "volume", v.id);
    return new Changed(v, op);
  }

  /** Thick volumes reserve their whole size in the pool. */
  private static void requireThickRoom(Pool pool, long addingGib) {
    long reserved = thickReservedGib(pool);
    if (reserved + addingGib > pool.usableGib()) {
      throw ApiException.conflictOnField("pool-full", "sizeGib", "thick volumes would need " + (reserved + addingGib)
          + " GiB of pool '" + pool.name + "', which has " + pool.usableGib() + " GiB" + restripeNote(pool));
    }
  }

  /** Why a grown pool has less than its target yet, for a pool-full problem; empty otherwise. */
  static String restripeNote(Pool pool) {
    return pool.restriping() ? " (" + pool.capacityGib + " GiB once the engine has restriped it onto its new drives)"
        : "";
  }

  /**
   * GiB the pool's thick volumes reserve: those in it, and those moving out of it (their old copy
   * stays there until the move is done).
   */
  static long thickReservedGib(Pool pool) {
    return io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
        .createQuery("select coalesce(sum(v.sizeGib), 0) from Volume v where (v.poolId = :p or v.moveFromPoolId = :p)"
            + " and v.thin = false and v.state <> :gone", Long.class)
        .setParameter("p", pool.id)
        .setParameter("gone", VolumeState.DELETED)
        .getSingleResult();
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<VolumeView> list(UUID tenantId, UUID arrayId, UUID poolId, VolumeState state, String name, String cursor, Integer limit) {
    Listing l = Listing.where("tenantId = :tenant", "tenant", tenantId)
        .and("arrayId = :array", "array", arrayId)
        .and("poolId = :pool", "pool", poolId)
        .and("state = :state", "state", state)
        .and("name = :name", "name", name);
    return l.page(Volume.class, cursor, limit, Views::volume, v -> v.id);
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Volume get(UUID tenantId, UUID id) {
    return Owned.find(Volume.class, "volume", tenantId, id);
  }

  /** Resize (grow only) and/or QoS. If-Match is required. */
  public Changed update(UUID tenantId, UUID id, String ifMatch, VolumeUpdate req) {
    Volume v = Owned.lock(Volume.class, "volume", tenantId, id);
    ETags.check(ifMatch, v.version);
    UUID op = null;
    if (req.sizeGib() != null && req.sizeGib() != v.sizeGib) {
      requireNotMoving(v, "resized");
      if (req.sizeGib() < v.sizeGib) {
        throw new ApiException(
            new io.strata.controlplane.rest.problem.Problem(409, "shrink-not-allowed", "Conflict",
                "sizeGib: volumes only grow (" + v.sizeGib + " GiB now, " + req.sizeGib() + " GiB asked); shrinking would cut data off")
                .with("reason", "shrink"));
      }
      v.moveTo(VolumeState.RESIZING, "resize to " + req.sizeGib() + " GiB");
      quotas.checkCapacity(tenantId, req.sizeGib() - v.sizeGib);
      if (!v.thin) {
        requireThickRoom(Pool.findById(v.poolId), req.sizeGib() - v.sizeGib);
      }
      v.sizeGib = req.sizeGib();
      op = operations.start(tenantId, "volume.resize", "volume", v.id).id;
    } else if (!v.state.isLive()) {
      throw ApiException.conflict("illegal-state", "the volume is " + v.state);
    }
    if (req.qosIopsLimit() != null) {
      v.qosIopsLimit = req.qosIopsLimit() == 0 ? null : req.qosIopsLimit();
    }
    if (req.qosMbpsLimit() != null) {
      v.qosMbpsLimit = req.qosMbpsLimit() == 0 ? null : req.qosMbpsLimit();
    }
    if (req.tierPin() != null) {
      DriveType pin = req.tierPin() == VolumeDtos.TierPinChange.NONE ? null : DriveType.valueOf(req.tierPin().name());
      requirePinnable(Pool.findById(v.poolId), pin);
      v.tierPin = pin;
    }
    v.updatedAt = Instant.now();
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(StorageArray.findById(v.arrayId));
    audit.record(tenantId, "volume.update", "volume", v.id);
    return new Changed(v, op);
  }

  /** A moving volume keeps its size and its copies until the engine finished the move. */
  static void requireNotMoving(Volume v, String what) {
    if (v.moveFromPoolId != null) {
      throw ApiException.conflict("volume-moving", "the volume is moving to another pool; it can be " + what
          + " once the move is done (see its \"move\")");
    }
  }

  /**
   * Rolls the volume back to one of its own AVAILABLE snapshots: AVAILABLE → ROLLING_BACK, the
   * desired state carries the request (its id is the Operation's), and the node's report that
   * the volume is READY at a generation that includes it brings the volume back to AVAILABLE.
   * An attached volume is refused unless {@code force}: a mounted file system would be corrupted.
   */
  public Operation rollback(UUID tenantId, UUID id, VolumeRollback req) {
    Volume v = Owned.lock(Volume.class, "volume", tenantId, id);
    Snapshot s = Owned.find(Snapshot.class, "snapshot", tenantId, req.snapshotId());
    if (!s.volumeId.equals(v.id)) {
      throw new ApiException(
          new io.strata.controlplane.rest.problem.Problem(409, "snapshot-of-another-volume", "Conflict",
              "snapshotId: snapshot '" + s.name + "' is of another volume; a volume rolls back only to its own snapshots")
              .with("reason", "snapshot-of-another-volume"));
    }
    if (s.state != SnapshotState.AVAILABLE) {
      throw new ApiException(
          new io.strata.controlplane.rest.problem.Problem(409, "illegal-state", "Conflict",
              "snapshotId: a rollback needs an AVAILABLE snapshot; it is " + s.state)
              .with("reason", "snapshot-not-available"));
    }
    if (v.state != VolumeState.AVAILABLE) {
      throw new ApiException(
          new io.strata.controlplane.rest.problem.Problem(409, "illegal-state", "Conflict",
              "a rollback needs an AVAILABLE volume; it is " + v.state)
              .with("reason", "volume-not-available"));
    }
    long attached = Counts.of(Attachment.class, "from Attachment a where a.volumeId = ?1 and " + Attachment.holdingLun("a"), id);
    boolean force = Boolean.TRUE.equals(req.force());
    if (attached > 0 && !force) {
      throw new ApiException(
          new io.strata.controlplane.rest.problem.Problem(409, "volume-attached", "Conflict",
              "the volume is attached to " + attached + " server(s): a mounted file system would be corrupted by a "
                  + "rollback under it; detach it first, or send \"force\": true")
              .with("reason", "attached"));
    }
    v.moveTo(VolumeState.ROLLING_BACK, "rollback to snapshot " + s.id + (force && attached > 0 ? " (forced while attached)" : ""));
    Operation op = operations.start(tenantId, "volume.rollback", "volume", v.id);
    v.rollbackRequestId = op.id;
    v.rollbackSnapshotId = s.id;
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(StorageArray.findById(v.arrayId));
    audit.record(tenantId, force && attached > 0 ? "volume.rollback.forced" : "volume.rollback", "volume", v.id);
    return op;
  }

  /**
   * An attached volume or one with snapshots cannot be deleted (409 naming why). An AVAILABLE
   * volume goes to the recycle bin (RecycleBin); any other is deleted at once.
   */
  public UUID delete(UUID tenantId, UUID id, String ifMatch) {
    Volume v = Owned.lock(Volume.class, "volume", tenantId, id);
    if (ifMatch != null) {
      ETags.check(ifMatch, v.version);
    }
    requireNotMoving(v, "deleted");
    long attached = Counts.of(Attachment.class, "from Attachment a where a.volumeId = ?1 and " + Attachment.holdingLun("a"), id);
    if (attached > 0) {
      throw new ApiException(
          new io.strata.controlplane.rest.problem.Problem(409, "volume-attached", "Conflict",
              "the volume is attached to " + attached + " server(s); detach it first")
              .with("reason", "attached"));
    }
    long snapshots = Counts.of(Snapshot.class, "volumeId = ?1 and state <> ?2", id, SnapshotState.DELETED);
    if (snapshots > 0) {
      throw ApiException.conflict("volume-has-snapshots", "the volume has " + snapshots + " snapshot(s); delete them first");
    }
    if (recycleBin.takes(v)) {
      return recycleBin.putIn(tenantId, v);
    }
    v.moveTo(VolumeState.DELETING, "delete requested");
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    outbox.arrayChanged(StorageArray.findById(v.arrayId));
    UUID op = operations.start(tenantId, "volume.delete", "volume", id).id;
    audit.record(tenantId, "volume.delete", "volume", id);
    return op;
  }
}
