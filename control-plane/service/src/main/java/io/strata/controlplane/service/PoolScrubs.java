package io.strata.controlplane.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.dto.PoolDtos.PoolView;
import io.strata.controlplane.rest.dto.PoolDtos.ScrubPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Pool scrubs (docs/block-stack.md, "Scrub"): a scrub is asked for by giving the pool a new
 * scrub request id, sent in the array's desired state; the agent writes it into the engine's
 * layout and the engine runs each id once (an interrupted one resumes, also after an engine
 * restart). On demand ({@link #requestNow}) or on the pool's schedule ({@link #runDue}, every
 * {@code scrubEveryDays} after the last request, or after the pool's creation for the first).
 *
 * <p>Safe with several control-plane replicas: a due pool is locked {@code FOR UPDATE SKIP
 * LOCKED} and checked again in its own transaction, so it gets one request per interval.
 */
@ApplicationScoped
public class PoolScrubs {
  private static final Logger LOG = Logger.getLogger(PoolScrubs.class);
  /** A pool due at :now: on a schedule, and its interval passed since its last request. */
  private static final String DUE = "scrub_every_days is not null"
      + " and coalesce(scrub_requested_at, created_at) + make_interval(days => scrub_every_days) <= :now";

  @Inject CommandOutbox outbox;
  @Inject AuditLog audit;
  @Inject EntityManager entities;

  private final Clock clock = Clock.systemUTC();

  /** Scrub the pool now (at {@code rateMbps} if given, which is kept for later scrubs too). */
  @Transactional
  public PoolView requestNow(UUID tenantId, UUID poolId, Integer rateMbps) {
    Pool p = Owned.lock(Pool.class, "pool", tenantId, poolId);
    if (rateMbps != null) {
      p.scrubRateMbps = rateMbps;
    }
    request(p, clock.instant());
    audit.record(tenantId, "pool.scrub", "pool", p.id);
    return Views.pool(p);
  }

  /** Sets the pool's schedule and rate; a new rate reaches a scrub already running. */
  @Transactional
  public PoolView setPolicy(UUID tenantId, UUID poolId, ScrubPolicy policy) {
    Pool p = Owned.lock(Pool.class, "pool", tenantId, poolId);
    boolean rateChanged = p.scrubRateMbps != policy.rateMbps();
    p.scrubEveryDays = policy.everyDays();
    p.scrubRateMbps = policy.rateMbps();
    if (rateChanged && p.scrubRequestId != null) {
      outbox.arrayChanged(StorageArray.findById(p.arrayId));
    }
    audit.record(tenantId, "pool.scrub-policy", "pool", p.id);
    return Views.pool(p);
  }

  private void request(Pool p, Instant now) {
    p.scrubRequestId = UUID.randomUUID();
    p.scrubRequestedAt = now;
    outbox.arrayChanged(StorageArray.findById(p.arrayId));
  }

  @Scheduled(
      identity = "pool-scrubs",
      every = "${strata.scrub.scheduler.every:60s}",
      delayed = "${strata.scrub.scheduler.delay:30s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void tick() {
    int asked = runDue(clock.instant());
    if (asked > 0) {
      LOG.infof("pool scrubs: %d scheduled scrub(s) asked for", asked);
    }
  }

  /**
   * Asks for a scrub of every pool due at {@code now}, each in its own transaction; returns how
   * many. Public with an explicit time so that tests control the clock.
   */
  public int runDue(Instant now) {
    @SuppressWarnings("unchecked")
    List<Object> due = QuarkusTransaction.requiringNew().call(() -> entities
        .createNativeQuery("select id from pool where " + DUE + " order by id limit 500")
        .setParameter("now", Timestamp.from(now)).getResultList());
    int asked = 0;
    for (Object id : due) {
      UUID poolId = (UUID) id;
      boolean done = QuarkusTransaction.requiringNew().call(() -> {
        List<?> locked = entities.createNativeQuery(
                "select id from pool where id = :id and " + DUE + " for update skip locked")
            .setParameter("id", poolId).setParameter("now", Timestamp.from(now)).getResultList();
        if (locked.isEmpty()) {
          return false; // another replica has it, or it is no longer due
        }
        Pool p = Pool.findById(poolId);
        request(p, now);
        audit.record(Actor.SYSTEM, p.tenantId, "pool.scrub", "pool", p.id);
        return true;
      });
      asked += done ? 1 : 0;
    }
    return asked;
  }
}
