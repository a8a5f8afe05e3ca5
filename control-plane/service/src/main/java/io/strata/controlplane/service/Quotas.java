package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.Quota;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.rest.problem.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.UUID;

/**
 * Checks a tenant's quota before a change. The quota row is locked for the rest of the
 * transaction, so two concurrent requests of one tenant cannot both squeeze under the limit.
 */
@ApplicationScoped
public class Quotas {

  public Quota lockFor(UUID tenantId) {
    Quota q = Quota.findById(tenantId, LockModeType.PESSIMISTIC_WRITE);
    if (q == null) {
      throw ApiException.forbidden("no-quota", "the tenant has no quota; an operator must set one");
    }
    return q;
  }

  public void checkArrays(UUID tenantId, int adding) {
    Quota q = lockFor(tenantId);
    long now = Counts.of(StorageArray.class, "tenantId = ?1 and state <> ?2", tenantId, ArrayState.DELETED);
    if (now + adding > q.maxArrays) {
      throw exceeded("arrays", now, adding, q.maxArrays);
    }
  }

  public void checkDrives(UUID tenantId, DriveType type, int adding) {
    if (adding == 0) {
      return;
    }
    Quota q = lockFor(tenantId);
    long now = drivesHeld(tenantId, type);
    if (now + adding > q.maxDrives(type)) {
      throw exceeded(type + " drives", now, adding, q.maxDrives(type));
    }
  }

  public void checkCapacity(UUID tenantId, long addingGib) {
    Quota q = lockFor(tenantId);
    long now = provisionedGib(tenantId);
    if (now + addingGib > q.maxCapacityGib) {
      throw exceeded("capacity (GiB)", now, addingGib, q.maxCapacityGib);
    }
  }

  public static long drivesHeld(UUID tenantId, DriveType type) {
    return io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
        .createQuery(
            "select count(ad) from ArrayDrive ad, Drive d where ad.driveId = d.id and ad.tenantId = :t and d.type = :type",
            Long.class)
        .setParameter("t", tenantId)
        .setParameter("type", type)
        .getSingleResult();
  }

  public static long provisionedGib(UUID tenantId) {
    Long sum =
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
            // the state as a literal, not a list parameter: Hibernate caches the plan of this query
            .createQuery("select coalesce(sum(v.sizeGib), 0) from Volume v where v.tenantId = :t "
                + "and v.state <> io.strata.controlplane.domain.VolumeState.DELETED", Long.class)
            .setParameter("t", tenantId)
            .getSingleResult();
    return sum == null ? 0 : sum;
  }

  private static ApiException exceeded(String resource, long now, long adding, long max) {
    return new ApiException(
        new Problem(409, "quota-exceeded", "Quota exceeded",
            "quota for " + resource + " is " + max + "; the tenant holds " + now + " and asked for " + adding
                + " more")
            .with("resource", resource)
            .with("limit", max)
            .with("used", now));
  }
}
