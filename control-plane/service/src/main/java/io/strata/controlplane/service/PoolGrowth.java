package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayDrive;
import io.strata.controlplane.domain.CacheMode;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.DriveRole;
import io.strata.controlplane.domain.DriveState;
import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.domain.Protection;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.problem.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

/**
 * Growing a pool while its array runs (docs/provisioning.md, "Growing a pool"): free drives of
 * the pool's array join it as members, and its capacity grows by what they add. A RAID1 pool
 * grows by mirror pairs: the agent lists the new drives after the pool's members and the engine
 * adds the pairs' capacity at the pool's end by a reload, with no block moved, so volumes can use
 * it at once. A RAID5/6 pool grows by any number of drives up to 16 in all: the engine takes them
 * by a reload and restripes the pool onto them in the background (resumed after an engine
 * restart); its volumes get the new capacity when the engine reports the restripe done (the pool's
 * {@code capacityGib} stays the old one until then, {@code targetCapacityGib} shows the new one).
 * Refused (422): pools with a flash cache or tiers and the pools of highly available arrays, which
 * the engine cannot grow while it runs.
 *
 * <p>The request answers 202 with a {@code pool.grow} operation that completes once the engine's
 * node reports the pool READY for a desired state that has the new drives (FAILED with the
 * engine's reason if it refused them).
 */
@ApplicationScoped
@Transactional
public class PoolGrowth {
  static final String KIND = "pool.grow";
  /** The engine stripes a RAID5/6 pool over 16 drives at most. */
  static final int MAX_PARITY_DRIVES = 16;

  @Inject CommandOutbox outbox;
  @Inject AuditLog audit;
  @Inject Operations operations;

  public Operation addDrives(UUID tenantId, UUID poolId, List<UUID> driveIds, Integer restripeRateMbps) {
    Pool pool = Owned.find(Pool.class, "pool", tenantId, poolId);
    StorageArray a = Owned.lock(StorageArray.class, "array", tenantId, pool.arrayId);
    ArrayService.requireAccepting(a, "grow a pool");
    boolean parity = restripes(pool);
    if (restripeRateMbps != null) {
      pool.restripeRateMbps = restripeRate(pool, "restripeRateMbps", restripeRateMbps);
    }
    if (pool.cacheMode != CacheMode.NONE || pool.tiering) {
      throw ApiException.invalidField("driveIds", "pool '" + pool.name + "' has a flash cache or"
          + " tiers, which are sized for the pool: it does not grow while the array runs");
    }
    if (a.highAvailability) {
      throw ApiException.invalidField("driveIds", "the pools of a highly available array do not grow"
          + " while it runs yet");
    }
    if (new HashSet<>(driveIds).size() != driveIds.size()) {
      throw ApiException.invalidField("driveIds", "a drive is listed twice");
    }
    if (!parity && driveIds.size() % 2 != 0) {
      throw ApiException.invalidField("driveIds", pool.protection + " grows by mirror pairs: an even number"
          + " of drives, not " + driveIds.size());
    }
    List<ArrayDrive> members = ArrayDrive.list("poolId = ?1 and role = ?2", pool.id, DriveRole.MEMBER);
    int most = parity ? MAX_PARITY_DRIVES : 64;
    if (members.size() + driveIds.size() > most) {
      throw ApiException.invalidField("driveIds", "a " + (parity ? pool.protection + " " : "") + "pool has at most "
          + most + " drives; pool '" + pool.name + "' has " + members.size());
    }
    long smallest = members.stream().mapToLong(m -> Drive.<Drive>findById(m.driveId).capacityGib).min()
        .orElse(0);
    List<ArrayDrive> joining = new java.util.ArrayList<>();
    for (UUID id : driveIds) {
      joining.add(joinable(a, pool, id, smallest));
    }
    joining.forEach(ad -> ad.giveTo(pool.id, DriveRole.MEMBER));
    long before = pool.usableGib();
    pool.capacityGib = pool.protection.usableGib(members.size() + driveIds.size(), smallest);
    a.updatedAt = Instant.now();
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    CommandOutbox.Stamp sent = outbox.arrayChanged(a);
    if (parity) {
      holdUntilRestriped(pool, before, sent);
    }
    Operation op = operations.start(tenantId, KIND, "pool", pool.id, sent);
    audit.record(tenantId, KIND, "pool", pool.id);
    return op;
  }

  /**
   * Sets the pace of the pool's restripes ({@code rateMbps} MiB/s of pool data, 0: no limit): a
   * restripe running now gets it at once (a new desired state), later ones start at it.
   */
  public io.strata.controlplane.rest.dto.PoolDtos.PoolView setRestripeRate(UUID tenantId, UUID poolId, int rateMbps) {
    Pool pool = Owned.lock(Pool.class, "pool", tenantId, poolId);
    int rate = restripeRate(pool, "rateMbps", rateMbps);
    if (rate != pool.restripeRateMbps) {
      pool.restripeRateMbps = rate;
      if (pool.restriping()) {
        outbox.arrayChanged(StorageArray.findById(pool.arrayId));
      }
    }
    audit.record(tenantId, "pool.restripe-policy", "pool", pool.id);
    return io.strata.controlplane.mapping.Views.pool(pool);
  }

  /** Whether the pool grows by a restripe (RAID5/6; mirrors only add pairs at the end). */
  private static boolean restripes(Pool pool) {
    return pool.protection == Protection.RAID5 || pool.protection == Protection.RAID6;
  }

  /** {@code rate} for the pool's restripes, or 422 naming {@code field} on a pool that never restripes. */
  private static int restripeRate(Pool pool, String field, int rate) {
    if (!restripes(pool)) {
      throw ApiException.invalidField(field, pool.protection + " pool '" + pool.name + "' grows without a"
          + " restripe; only RAID5/6 pools have a restripe rate");
    }
    return rate;
  }

  /**
   * A RAID5/6 pool's volumes keep the capacity they had ({@code before}) until the engine reports
   * the restripe onto the new drives done ({@link PoolActivityReports}); the desired state
   * {@code sent} is the first that has them. An array with no engine placed yet sends none: its
   * engine will build the pool whole, with no restripe to wait for.
   */
  private static void holdUntilRestriped(Pool pool, long before, CommandOutbox.Stamp sent) {
    if (sent == null) {
      return;
    }
    pool.restripingFromGib = before; // a second grow before the first restripe ended: still the oldest
    pool.restripeGeneration = sent.generation();
  }

  /** The array's free drive {@code id} that fits the pool, locked; or 409 naming the field. */
  private static ArrayDrive joinable(StorageArray a, Pool pool, UUID id, long smallest) {
    ArrayDrive ad = ArrayDrive.<ArrayDrive>find("arrayId = ?1 and driveId = ?2", a.id, id)
        .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    if (ad == null) {
      throw ApiException.conflictOnField("not-in-array", "driveIds",
          "drive " + id + " is not a drive of the pool's array; add it to the array first (POST /api/v1/arrays/"
              + a.id + "/drives)");
    }
    if (ad.poolId != null) {
      throw ApiException.conflictOnField("drive-in-pool", "driveIds",
          "drive " + id + " already belongs to a pool (" + ad.role.describe() + ")");
    }
    Drive d = Drive.findById(id);
    if (d.type != pool.driveType) {
      throw ApiException.conflictOnField("unfit-drive", "driveIds",
          "drive " + id + " is " + d.type + "; pool '" + pool.name + "' is made of " + pool.driveType + " drives");
    }
    if (d.capacityGib < smallest) {
      throw ApiException.conflictOnField("unfit-drive", "driveIds",
          "drive " + id + " has " + d.capacityGib + " GiB; the pool's members have " + smallest);
    }
    if (d.state != DriveState.AVAILABLE) {
      throw ApiException.conflictOnField("unfit-drive", "driveIds", "drive " + id + " is " + d.state);
    }
    return ad;
  }

  /**
   * The engine's node reported pool {@code poolId} at desired-state {@code generation}: a pending
   * grow is done when that state was made after the grow was asked (it has the new drives).
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void poolReported(UUID poolId, long generation, boolean ready, String reason) {
    List<Operation> pending = Operation.list("targetId = ?1 and kind = ?2 and state = ?3", poolId, KIND,
        io.strata.controlplane.domain.OperationState.PENDING);
    for (Operation op : pending) {
      if (generation >= ChronoUnit.MICROS.between(Instant.EPOCH, op.createdAt)) {
        operations.complete(poolId, ready, ready ? null : reason);
        return;
      }
    }
  }
}
