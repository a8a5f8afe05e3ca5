package io.strata.controlplane.service;

import io.quarkus.hibernate.orm.panache.Panache;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.dto.VolumeDtos.VolumeView;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.rest.problem.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The recycle bin: a deleted AVAILABLE volume is kept (RECYCLED, its data on the pool, no LUN)
 * for {@link RecycleBinConfig#retention}, restorable by its tenant, and then purged through the
 * ordinary delete path (DELETING until the node confirms, then DELETED). The purge is
 * level-triggered: whatever is due when {@link #purgeDue} runs is purged, after any restart.
 */
@ApplicationScoped
@Transactional
public class RecycleBin {
  @Inject RecycleBinConfig config;
  @Inject CommandOutbox outbox;
  @Inject Operations operations;
  @Inject AuditLog audit;

  /** Whether a delete of {@code v} goes to the bin rather than deleting it at once. */
  @Transactional(Transactional.TxType.SUPPORTS)
  public boolean takes(Volume v) {
    return v.state == VolumeState.AVAILABLE && !config.retention().isZero();
  }

  /** Puts the (locked) volume in the bin; the returned operation is already done. */
  @Transactional(Transactional.TxType.MANDATORY)
  public UUID putIn(UUID tenantId, Volume v) {
    Instant now = Instant.now();
    v.moveTo(VolumeState.RECYCLED, "deleted: kept in the recycle bin");
    v.recycledAt = now;
    v.purgeAt = now.plus(config.retention());
    v.updatedAt = now;
    Panache.getEntityManager().flush();
    outbox.arrayChanged(StorageArray.findById(v.arrayId));
    UUID op = operations.start(tenantId, "volume.delete", "volume", v.id).id;
    operations.complete(v.id, true, null);
    audit.record(tenantId, "volume.recycle", "volume", v.id);
    return op;
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<VolumeView> list(UUID tenantId, UUID arrayId, String cursor, Integer limit) {
    return Listing.where("tenantId = :tenant", "tenant", tenantId)
        .and("arrayId = :array", "array", arrayId)
        .and("state = :state", "state", VolumeState.RECYCLED)
        .page(Volume.class, cursor, limit, Views::volume, v -> v.id);
  }

  /**
   * Takes the volume out of the bin, AVAILABLE again and unattached (its attachments were gone
   * before it could be deleted), under {@code newName} when given. A name that another volume of
   * the array took meanwhile is a 409 naming the field.
   */
  public Volume restore(UUID tenantId, UUID id, String newName) {
    Volume v = inBin(tenantId, id);
    StorageArray a = StorageArray.findById(v.arrayId);
    ArrayService.requireAccepting(a, "restore a volume");
    String name = newName == null ? v.name : newName;
    if (Counts.of(Volume.class, "arrayId = ?1 and name = ?2 and state not in ?3 and id <> ?4", v.arrayId, name,
        List.of(VolumeState.DELETED, VolumeState.RECYCLED), v.id) > 0) {
      Problem p = new Problem(409, "name-taken", "Conflict", "name: another volume of the array is named '" + name
          + "' now; restore under another name with {\"name\": \"...\"}");
      p.errors = List.of(new Problem.FieldError("name", "taken by another volume of the array"));
      throw new ApiException(p.with("reason", "name-taken"));
    }
    v.moveTo(VolumeState.AVAILABLE, "restored from the recycle bin");
    v.name = name;
    v.recycledAt = null;
    v.purgeAt = null;
    v.updatedAt = Instant.now();
    Panache.getEntityManager().flush();
    outbox.arrayChanged(a);
    audit.record(tenantId, "volume.restore", "volume", v.id);
    return v;
  }

  /** Purges the volume from the bin now (the tenant does not want to wait): 202 with the operation. */
  public UUID purge(UUID tenantId, UUID id) {
    Volume v = inBin(tenantId, id);
    return purge(v, null);
  }

  /** Purges {@code v}: asked by the calling user when {@code by} is null, else by {@code by}. */
  private UUID purge(Volume v, Actor by) {
    v.moveTo(VolumeState.DELETING, "purged from the recycle bin");
    v.recycledAt = null;
    v.purgeAt = null;
    v.updatedAt = Instant.now();
    Panache.getEntityManager().flush();
    outbox.arrayChanged(StorageArray.findById(v.arrayId));
    if (by == null) {
      audit.record(v.tenantId, "volume.purge", "volume", v.id);
      return operations.start(v.tenantId, "volume.purge", "volume", v.id).id;
    }
    audit.record(by, v.tenantId, "volume.purge", "volume", v.id);
    return operations.start(by.name(), v.tenantId, "volume.purge", "volume", v.id).id;
  }

  /**
   * Purges every volume whose time in the bin is over at {@code now}, locking each row (skip
   * locked: another replica may be purging it). Returns how many it purged.
   */
  public int purgeDue(Instant now, int batch) {
    @SuppressWarnings("unchecked")
    List<Volume> due = Panache.getEntityManager()
        .createNativeQuery("select * from volume where state = 'RECYCLED' and purge_at <= :now order by purge_at "
            + "limit :n for update skip locked", Volume.class)
        .setParameter("now", now)
        .setParameter("n", batch)
        .getResultList();
    for (Volume v : due) {
      purge(v, Actor.SYSTEM);
    }
    return due.size();
  }

  private static Volume inBin(UUID tenantId, UUID id) {
    Volume v = Owned.lock(Volume.class, "volume", tenantId, id);
    if (v.state != VolumeState.RECYCLED) {
      throw ApiException.notFound("volume in the recycle bin", id);
    }
    return v;
  }

  /** Used by PoolService: volumes of the pool still in the bin, for a clear refusal. */
  @Transactional(Transactional.TxType.MANDATORY)
  static long inBinOfPool(UUID poolId) {
    return Counts.of(Volume.class, "poolId = ?1 and state = ?2", poolId, VolumeState.RECYCLED);
  }
}
