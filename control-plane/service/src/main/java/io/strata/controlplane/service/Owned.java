package io.strata.controlplane.service;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.strata.controlplane.rest.problem.ApiException;
import jakarta.persistence.LockModeType;
import java.util.UUID;

/**
 * Loads a tenant-owned row by id AND tenant. Another tenant's id answers exactly like an id that
 * does not exist (404), so ids cannot be probed.
 */
public final class Owned {
  private Owned() {}

  public static <E extends PanacheEntityBase> E find(Class<E> type, String kind, UUID tenantId, UUID id) {
    E e =
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
            .createQuery("from " + type.getSimpleName() + " where id = :id and tenantId = :tenant", type)
            .setParameter("id", id)
            .setParameter("tenant", tenantId)
            .getResultStream()
            .findFirst()
            .orElse(null);
    if (e == null) {
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
  public static <E extends PanacheEntityBase> E lock(Class<E> type, String kind, UUID tenantId, UUID id) {
    E e = find(type, kind, tenantId, id);
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().refresh(e, LockModeType.PESSIMISTIC_WRITE);
    return e;
  }
}
