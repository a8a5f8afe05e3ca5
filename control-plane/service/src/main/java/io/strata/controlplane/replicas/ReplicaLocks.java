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
  /** Placing an engine on a node: a standby's relocation ("strata placement"). */
  public static final long PLACEMENT = 0x5354524154410003L;
  /** The hourly performance-history sweep ("strata perf sweep"). */
  public static final long PERFORMANCE_SWEEP = 0x5354524154410004L;

  @Inject EntityManager em;

  /**
   * Takes the lock for the rest of the caller's transaction if no other transaction holds it;
   * false (at once, without waiting) when another replica has it.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public boolean tryLock(long key) {
    return (Boolean) em.createNativeQuery("select pg_try_advisory_xact_lock(?1)").setParameter(1, key).getSingleResult();
  }

  /** Takes the lock for the rest of the caller's transaction, waiting for it if need be. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void lock(long key) {
    em.createNativeQuery("select pg_advisory_xact_lock(?1)").setParameter(1, key).getSingleResult();
  }
}
