package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.CacheMode;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.DriveRole;
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
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Pools: protected capacity from an array's free drives of one type. A pool owns every drive it
 * uses, as a member, its flash cache or its SSD tier (ArrayDrive.poolId and role), so the next
 * pool is built only from drives no pool uses, and a request that would need one is refused
 * (409 naming the field and the pools that hold them) before anything is written or sent.
 */
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
    if (Counts.of(Pool.class, "arrayId = ?1 and name = ?2", a.id, req.name()) > 0) {
      throw ApiException.conflict("already-exists", "name: a pool named '" + req.name() + "' exists in the array");
    }
    // The array's row is locked (above), and so are its free drives: two creates in the same
    // array wait for each other, and the second sees the drives the first took.
    List<HeldDrive> free = freeDrives(a.id);
    List<UUID> engineNodes = a.highAvailability
        ? ArrayService.engineNodes(a).stream().sorted(java.util.Comparator.comparing((UUID n) -> !n.equals(a.nodeId))).toList()
        : List.of(a.nodeId);
    List<HeldDrive> ofType = free.stream().filter(d -> d.drive().type == req.driveType()).toList();
    List<HeldDrive> members = a.highAvailability
        ? HaPoolLayout.balanced(ofType, engineNodes, req.driveCount())
        : ofType.stream().limit(req.driveCount()).toList();
    if (members.size() < req.driveCount()) {
      throw notEnoughFree(a.id, req.driveType(), "driveCount",
          "the pool needs " + req.driveCount() + " " + req.driveType() + " drives, the array has " + members.size()
              + " free");
    }
    if (a.highAvailability) {
      HaPoolLayout.requireSurvivesEitherEngineNode(req.protection(), members, engineNodes,
          shortOf -> notEnoughFree(a.id, req.driveType(), "driveCount", shortOf));
    }
    // Cache and tier SSDs are on the engine's node (the engine does not put them on another
    // node's drive), and never one of the new pool's own members; a highly available array's
    // pool gets one on each engine's node for each (a mirror: dirty lines survive either node).
    List<HeldDrive> cacheDrives = new java.util.ArrayList<>();
    List<HeldDrive> tierDrives = new java.util.ArrayList<>();
    for (UUID node : engineNodes) {
      java.util.Deque<HeldDrive> spareSsds = new java.util.ArrayDeque<>(free.stream()
          .filter(d -> d.drive().type == DriveType.SSD && !members.contains(d) && d.drive().nodeId.equals(node))
          .toList());
      String where = a.highAvailability ? "each engine's node" : "the engine's node";
      if (cache != CacheMode.NONE) {
        cacheDrives.add(takeSpareSsd(spareSsds, a.id, "cacheMode", "its flash cache", where));
      }
      if (tiering) {
        tierDrives.add(takeSpareSsd(spareSsds, a.id, "tiering",
            "its SSD tier" + (cache == CacheMode.NONE ? "" : " besides the cache SSD"), where));
      }
    }
    long smallest = members.stream().mapToLong(d -> d.drive().capacityGib).min().orElseThrow();

    Pool p = new Pool();
    p.id = UUID.randomUUID();
    p.tenantId = tenantId;
    p.arrayId = a.id;
    p.name = req.name();
    p.driveType = req.driveType();
    p.protection = req.protection();
    p.cacheMode = cache;
    p.tiering = tiering;
    p.encrypted = Boolean.TRUE.equals(req.encrypted());
    p.capacityGib = req.protection().usableGib(req.driveCount(), smallest);
    p.createdAt = Instant.now();
    p.persist();
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    members.forEach(d -> d.held().giveTo(p.id, DriveRole.MEMBER));
    for (int copy = 1; copy <= cacheDrives.size(); copy++) {
      cacheDrives.get(copy - 1).held().giveTo(p.id, DriveRole.CACHE, copy);
    }
    for (int copy = 1; copy <= tierDrives.size(); copy++) {
      tierDrives.get(copy - 1).held().giveTo(p.id, DriveRole.TIER, copy);
    }
    outbox.arrayChanged(a);
    audit.record(tenantId, "pool.create", "pool", p.id);
    return Views.pool(p);
  }

  /** A drive of the array with what the array holds of it. */
  record HeldDrive(ArrayDrive held, Drive drive) {}

  /**
   * The array's drives that no pool uses, locked for this transaction, largest first then by
   * drive id (the order the agent has always used for cache and tier SSDs).
   */
  private static List<HeldDrive> freeDrives(UUID arrayId) {
    return io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
        .createQuery(
            "select ad, d from ArrayDrive ad, Drive d where ad.driveId = d.id and ad.arrayId = :a"
                + " and ad.poolId is null order by d.capacityGib desc, d.id",
            Object[].class)
        .setParameter("a", arrayId)
        .setLockMode(LockModeType.PESSIMISTIC_WRITE)
        .getResultList().stream()
        .map(r -> new HeldDrive((ArrayDrive) r[0], (Drive) r[1]))
        .toList();
  }

  private static HeldDrive takeSpareSsd(
      java.util.Deque<HeldDrive> spare, UUID arrayId, String field, String purpose, String where) {
    if (spare.isEmpty()) {
      throw notEnoughFree(arrayId, DriveType.SSD, field,
          purpose + " needs a free SSD of the array on " + where + ", and none is left");
    }
    return spare.poll();
  }

  /**
   * The refusal of a pool that would need drives other pools hold: 409 naming {@code field},
   * saying which pools hold the array's drives of that type and as what, so the tenant knows
   * what to add or delete. Nothing was written.
   */
  private static ApiException notEnoughFree(UUID arrayId, DriveType type, String field, String shortOf) {
    List<Object[]> owners =
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
            .createQuery(
                "select p.name, ad.role, count(ad) from ArrayDrive ad, Drive d, Pool p where ad.driveId = d.id"
                    + " and ad.poolId = p.id and ad.arrayId = :a and d.type = :t group by p.name, ad.role"
                    + " order by p.name, ad.role",
                Object[].class)
            .setParameter("a", arrayId)
            .setParameter("t", type)
            .getResultList();
    String held = owners.isEmpty() ? "no pool holds any"
        : owners.stream()
            .map(o -> "pool '" + o[0] + "' holds " + o[2] + " as its " + ((DriveRole) o[1]).describe()
                + ((Long) o[2] > 1 && o[1] == DriveRole.MEMBER ? "s" : ""))
            .collect(java.util.stream.Collectors.joining(", "));
    return ApiException.conflictOnField("not-enough-drives", field,
        shortOf + " (of the array's " + type + " drives, " + held + "); add " + type
            + " drives to the array or delete the pool that holds them");
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<PoolView> list(UUID tenantId, UUID arrayId, String cursor, Integer limit) {
    Page<Pool> rows = Listing.where("tenantId = :tenant", "tenant", tenantId)
        .and("arrayId = :array", "array", arrayId)
        .page(Pool.class, cursor, limit, p -> p, p -> p.id);
    // the page's reported rebuilds and scrubs in one statement, not one per pool
    java.util.Map<UUID, io.strata.controlplane.domain.PoolActivity> activity = new java.util.HashMap<>();
    if (!rows.items().isEmpty()) {
      io.strata.controlplane.domain.PoolActivity.<io.strata.controlplane.domain.PoolActivity>list(
          "poolId in ?1", rows.items().stream().map(p -> p.id).toList()).forEach(a -> activity.put(a.poolId, a));
    }
    return new Page<>(rows.items().stream().map(p -> Views.pool(p, activity.get(p.id))).toList(), rows.nextCursor());
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Pool get(UUID tenantId, UUID id) {
    return Owned.find(Pool.class, "pool", tenantId, id);
  }

  public void delete(UUID tenantId, UUID id) {
    Pool p = Owned.lock(Pool.class, "pool", tenantId, id);
    // a volume moving out of the pool still has its data there until the move is done
    long volumes = Counts.of(Volume.class, "poolId = ?1 or moveFromPoolId = ?1", id);
    if (volumes > 0) {
      long inBin = RecycleBin.inBinOfPool(id);
      throw ApiException.conflict("pool-has-volumes", "the pool still has " + volumes + " volume(s); delete them first"
          + (inBin > 0 ? " (" + inBin + " of them in the recycle bin: restore or purge them)" : ""));
    }
    // the pool's members, cache and tier drives are free again, for the next pool
    ArrayDrive.update("poolId = null, role = null, roleCopy = 1 where poolId = ?1", id);
    p.delete();
    outbox.arrayChanged(StorageArray.findById(p.arrayId));
    audit.record(tenantId, "pool.delete", "pool", id);
  }
}
