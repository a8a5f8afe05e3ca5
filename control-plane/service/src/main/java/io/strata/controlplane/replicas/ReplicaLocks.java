package io.strata.controlplane.replicas;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Transaction-scoped PostgreSQL advisory locks that let one control-plane replica at a time do a
 * job every replica schedules (docs/replicas.md). The keys are fixed numbers, one per job, so
 * that every replica and every release names the same lock.
 */
@ApplicationScoped
public class ReplicaLocks {

  /** The watchdog's rounds ("strata watchdog"). */
  public static final long WATCHDOG = 0x5354524154410002L;
  /**
   * Placing an engine on a node: a standby's relocation takes it exclusively, an array's creation
   * shared (creations already exclude each other through the nodes' row locks, which a
   * relocation cannot take: it holds an array's row, and a drain takes a node's row first).
   */
  public static final long PLACEMENT = 0x5354524154410003L;
  /** The hourly performance-history sweep ("strata perf sweep"). */
  public static final long PERFORMANCE_SWEEP = 0x5354524154410004L;

  /** Seeding the demo tenants at start ("strata demo seed"). */
  public static final long DEMO_SEED = 0x5354524154410005L;

  @Inject EntityManager em;

  /**
   * Takes the lock for the rest of the caller's transaction if no other transaction holds it;
   * false (at once, without waiting) when another replica has it.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public boolean tryLock(long key) {
    return (Boolean) em.createNativeQuery("select pg_try_advisory_xact_lock(?1)").setParameter(1, key).getSingleResult();
  }

  /** Takes the lock shared (with other shared holders, not an exclusive one) for the rest of the transaction. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void lockShared(long key) {
    em.createNativeQuery("select pg_advisory_xact_lock_shared(?1)").setParameter(1, key).getSingleResult();
  }

  /**
   * Takes the lock of one Idempotency-Key (its scope and key, hashed into PostgreSQL's two-integer
   * lock space, which never meets the one-number keys above) for the rest of the transaction,
   * waiting for it: a retry that arrives while its original is still being created waits for the
   * original's commit (docs/control-plane.md, "Creates"). Two keys may share a lock by hash
   * collision; they then only wait for each other.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void lockIdempotencyKey(String scope, String key) {
    lockNamed(scope, key);
  }

  /**
   * Takes the lock of one tenant alias for the rest of the transaction, waiting for it: onboarding
   * a tenant (its Keycloak organization and admin user, then its rows) runs for one alias at a
   * time across replicas, so that clearing a half-made tenant's leftovers in Keycloak never
   * removes what a concurrent onboarding of the same alias is making (TenantOnboarding).
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void lockTenantAlias(String alias) {
    lockNamed("strata tenant alias", alias);
  }

  /** A lock named by two strings, hashed into PostgreSQL's two-integer lock space. */
  private void lockNamed(String space, String name) {
    em.createNativeQuery("select pg_advisory_xact_lock(hashtext(?1), hashtext(?2))")
        .setParameter(1, space).setParameter(2, name).getSingleResult();
  }

  /** Takes the lock for the rest of the caller's transaction, waiting for it if need be. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void lock(long key) {
    em.createNativeQuery("select pg_advisory_xact_lock(?1)").setParameter(1, key).getSingleResult();
  }
}
