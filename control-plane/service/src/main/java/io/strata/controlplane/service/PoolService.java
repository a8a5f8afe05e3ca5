package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.CacheMode;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.dto.PoolDtos.PoolCreate;
import io.strata.controlplane.rest.dto.PoolDtos.PoolView;
import io.strata.controlplane.rest.problem.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Pools: protected capacity from an array's unpooled drives of one type. */
@ApplicationScoped
@Transactional
public class PoolService {
  @Inject CommandOutbox outbox;
  @Inject AuditLog audit;

  public PoolView create(UUID tenantId, PoolCreate req) {
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, req.arrayId());
    ArrayService.requireAccepting(a, "create a pool");
    String countProblem = req.protection().checkDriveCount(req.driveCount());
    if (countProblem != null) {
      throw ApiException.invalidField("driveCount", countProblem);
    }
    CacheMode cache = req.cacheMode() == null ? CacheMode.NONE : req.cacheMode();
    boolean tiering = Boolean.TRUE.equals(req.tiering());
    if ((tiering || cache != CacheMode.NONE) && req.driveType() != DriveType.HDD) {
      throw ApiException.invalidField(
          tiering ? "tiering" : "cacheMode", "flash cache and tiering sit in front of HDD pools only");
    }
    if (Pool.count("arrayId = ?1 and name = ?2", a.id, req.name()) > 0) {
      throw ApiException.conflict("already-exists", "name: a pool named '" + req.name() + "' exists in the array");
    }
    List<Object[]> free =
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
            .createQuery(
                "select ad, d from ArrayDrive ad, Drive d where ad.driveId = d.id and ad.arrayId = :a"
                    + " and ad.poolId is null and d.type = :t order by d.capacityGib desc, d.id",
                Object[].class)
            .setParameter("a", a.id)
            .setParameter("t", req.driveType())
            .getResultList();
    if (free.size() < req.driveCount()) {
      throw ApiException.conflict("not-enough-drives",
          "driveCount: the array has " + free.size() + " unpooled " + req.driveType() + " drives, the pool needs "
              + req.driveCount() + "; add drives to the array first");
    }
    List<Object[]> used = free.subList(0, req.driveCount());
    long smallest = used.stream().mapToLong(r -> ((Drive) r[1]).capacityGib).min().orElseThrow();

    Pool p = new Pool();
    p.id = UUID.randomUUID();
    p.tenantId = tenantId;
    p.arrayId = a.id;
    p.name = req.name();
    p.driveType = req.driveType();
    p.protection = req.protection();
    p.cacheMode = cache;
    p.tiering = tiering;
    p.capacityGib = req.protection().usableGib(req.driveCount(), smallest);
    p.createdAt = Instant.now();
    p.persist();
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    used.forEach(r -> ((ArrayDrive) r[0]).poolId = p.id);
    outbox.arrayChanged(a);
    audit.record(tenantId, "pool.create", "pool", p.id);
    return Views.pool(p);
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<PoolView> list(UUID tenantId, UUID arrayId, String cursor, Integer limit) {
    return Listing.where("tenantId = :tenant", "tenant", tenantId)
        .and("arrayId = :array", "array", arrayId)
        .page(Pool.class, cursor, limit, Views::pool, p -> p.id);
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Pool get(UUID tenantId, UUID id) {
    return Owned.find(Pool.class, "pool", tenantId, id);
  }

  public void delete(UUID tenantId, UUID id) {
    Pool p = Owned.lock(Pool.class, "pool", tenantId, id);
    long volumes = Volume.count("poolId", id);
    if (volumes > 0) {
      throw ApiException.conflict("pool-has-volumes", "the pool still has " + volumes + " volume(s); delete them first");
    }
    ArrayDrive.update("poolId = null where poolId = ?1", id);
    p.delete();
    outbox.arrayChanged(StorageArray.findById(p.arrayId));
    audit.record(tenantId, "pool.delete", "pool", id);
  }
}
