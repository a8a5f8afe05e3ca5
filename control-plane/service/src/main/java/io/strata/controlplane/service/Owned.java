package io.strata.controlplane.service;

import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.strata.controlplane.domain.TenantOwned;
import io.strata.controlplane.rest.problem.ApiException;
import jakarta.persistence.LockModeType;
import java.util.UUID;

/**
 * Loads a tenant-owned row by id AND tenant. Another tenant's id answers exactly like an id that
 * does not exist (404), so ids cannot be probed.
 */
public final class Owned {
  private Owned() {}

  public static <E extends PanacheEntityBase & TenantOwned> E find(Class<E> type, String kind, UUID tenantId, UUID id) {
    // by primary key (Hibernate's prepared load, or the row already in this transaction), not by a
    // query: a query is parsed, planned and scrolled on every call, and this runs on every request
    E e = id == null ? null : Panache.getEntityManager().find(type, id);
    if (e == null || tenantId == null || !tenantId.equals(e.ownerTenantId())) {
      throw ApiException.notFound(kind, id);
    }
    return e;
  }

  /**
   * As {@link #find}, then locks the row (serialises changes that read-then-decide on it) and
   * reads it again under the lock. Locking the row as it was read (em.lock) checks its version:
   * a node's report that changed the row in between (its state, its reason) made a tenant's
   * create fail with 409 "concurrent-modification", for a change the tenant never saw.
   */
  public static <E extends PanacheEntityBase & TenantOwned> E lock(Class<E> type, String kind, UUID tenantId, UUID id) {
    E e = find(type, kind, tenantId, id);
    Panache.getEntityManager().refresh(e, LockModeType.PESSIMISTIC_WRITE);
    return e;
  }
}
