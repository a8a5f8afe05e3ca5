package io.strata.controlplane.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.SnapshotPolicy;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.Volume;
import io.strata.controlplane.domain.VolumeState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Executes snapshot policies: takes the snapshots that are due and deletes a policy's snapshots
 * beyond its retention, through the same path as a user's request (state machine, desired-state
 * command in the outbox, operation, audit entry), recorded as done by "system".
 *
 * <p>Safe with several control-plane replicas: each policy is handled in its own transaction that
 * first locks the policy row with {@code FOR UPDATE SKIP LOCKED} and checks again that it is due,
 * so a policy is run by one replica at a time and at most once per interval. A policy is due
 * {@code intervalMinutes} after its last run (after its creation for the first run); a replica
 * that was down does not catch up with a burst, it takes one snapshot and starts counting again.
 */
@ApplicationScoped
public class SnapshotScheduler {
  private static final Logger LOG = Logger.getLogger(SnapshotScheduler.class);
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final int NAME_MAX = 63;

  @Inject SnapshotService snapshots;
  @Inject EntityManager entities;

  @ConfigProperty(name = "strata.snapshots.scheduler.batch", defaultValue = "200")
  int batch;

  private final Clock clock = Clock.systemUTC();

  /** What one round did (for logs and tests). */
  public record Round(int taken, int skipped, int deleted, int failed) {}

  @Scheduled(
      identity = "snapshot-policies",
      every = "${strata.snapshots.scheduler.every:60s}",
      delayed = "${strata.snapshots.scheduler.delay:30s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void tick() {
    Round round = runDue(clock.instant());
    if (round.taken() + round.deleted() + round.failed() > 0) {
      LOG.infof("snapshot policies: %s", round);
    }
  }

  /**
   * Runs every policy due at {@code now}, each in its own transaction (one failing policy does not
   * hold back the others). Public with an explicit time so that tests control the clock.
   */
  public Round runDue(Instant now) {
    int taken = 0, skipped = 0, deleted = 0, failed = 0;
    while (true) {
      List<UUID> due = QuarkusTransaction.requiringNew().call(() -> dueIds(now));
      int handledThisPass = 0;
      for (UUID id : due) {
        try {
          PolicyRun run = QuarkusTransaction.requiringNew().call(() -> runPolicy(id, now));
          switch (run.outcome()) {
            case TAKEN -> taken++;
            case NOT_TAKEN -> skipped++;
            case BUSY -> { continue; }
          }
          deleted += run.deleted();
          handledThisPass++;
        } catch (RuntimeException e) {
          failed++;
          handledThisPass++;
          LOG.warnf(e, "snapshot policy %s could not run", id);
          QuarkusTransaction.requiringNew().run(() -> markRun(id, now));
        }
      }
      if (due.size() < batch || handledThisPass == 0) {
        return new Round(taken, skipped, deleted, failed);
      }
    }
  }

  private enum Outcome { TAKEN, NOT_TAKEN, BUSY }

  private record PolicyRun(Outcome outcome, int deleted) {}

  @SuppressWarnings("unchecked")
  private List<UUID> dueIds(Instant now) {
    return entities.createNativeQuery(
            "select id from snapshot_policy where enabled "
                + "and coalesce(last_run_at, created_at) + interval_minutes * interval '1 minute' <= :now "
                + "order by coalesce(last_run_at, created_at), id limit :n", UUID.class)
        .setParameter("now", now)
        .setParameter("n", batch)
        .getResultList();
  }

  /** Locks the policy (skipping it when another replica holds it), re-checks it is due, runs it. */
  private PolicyRun runPolicy(UUID id, Instant now) {
    List<?> locked = entities.createNativeQuery(
            "select id from snapshot_policy where id = :id and enabled "
                + "and coalesce(last_run_at, created_at) + interval_minutes * interval '1 minute' <= :now "
                + "for update skip locked")
        .setParameter("id", id)
        .setParameter("now", now)
        .getResultList();
    if (locked.isEmpty()) {
      return new PolicyRun(Outcome.BUSY, 0);
    }
    SnapshotPolicy policy = entities.find(SnapshotPolicy.class, id);
    Volume volume = entities.find(Volume.class, policy.volumeId, LockModeType.PESSIMISTIC_WRITE);
    policy.lastRunAt = now;
    Outcome outcome;
    if (volume.state == VolumeState.AVAILABLE) {
      snapshots.take(policy.tenantId, volume, snapshotName(policy.name, now), policy.id, Actor.SYSTEM);
      outcome = Outcome.TAKEN;
    } else {
      LOG.infof("snapshot policy %s (%s) skipped a run: volume %s is %s", policy.id, policy.name, volume.id, volume.state);
      outcome = Outcome.NOT_TAKEN;
    }
    return new PolicyRun(outcome, enforceRetention(policy));
  }

  /**
   * Deletes the policy's snapshots beyond the newest {@code retain} ones. Snapshots still being
   * created count towards the newest but are not deleted until they have settled.
   */
  private int enforceRetention(SnapshotPolicy policy) {
    entities.flush();
    List<Snapshot> kept = Snapshot.list(
        "policyId = ?1 and state not in ?2 order by createdAt desc, id desc",
        policy.id, Set.of(SnapshotState.DELETED, SnapshotState.DELETING));
    int deleted = 0;
    for (Snapshot old : kept.subList(Math.min(policy.retain, kept.size()), kept.size())) {
      if (old.state == SnapshotState.AVAILABLE || old.state == SnapshotState.FAILED) {
        snapshots.delete(policy.tenantId, old.id, Actor.SYSTEM);
        deleted++;
      }
    }
    return deleted;
  }

  /** A failed run still counts as a run, so one broken policy is retried an interval later, not at once. */
  private void markRun(UUID id, Instant now) {
    SnapshotPolicy policy = entities.find(SnapshotPolicy.class, id);
    if (policy != null) {
      policy.lastRunAt = now;
    }
  }

  /** The policy's name and the UTC time of the run, e.g. {@code hourly-20261125-2215}, within 63 characters. */
  static String snapshotName(String policyName, Instant at) {
    String stamp = STAMP.format(at);
    int room = NAME_MAX - stamp.length() - 1;
    String prefix = policyName.length() > room ? policyName.substring(0, room) : policyName;
    while (prefix.endsWith("-")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    return prefix + "-" + stamp;
  }
}
