package io.strata.controlplane.provisioning;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.controlplane.config.HaConfig;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.service.HighAvailability;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import org.jboss.logging.Logger;

/**
 * Looks at every highly available array every {@code strata.ha.supervise-interval}: failover,
 * the steps of a planned switchover, health ({@link HighAvailability#supervise}). Each array in
 * its own transaction on its row locked with {@code for update skip locked}, so two control
 * plane replicas never decide for the same array at once, and a decision is committed with the
 * desired state it sends (outbox) or not at all. Level-triggered: after a restart of the control
 * plane, Kafka or an agent, the next round decides again from what the database says.
 *
 * <p>It waits {@code 2 × failover-after} after its start before its first round, so that the
 * heartbeats sent while it was down (the events consumer replays them) are read before a node
 * is judged silent.
 */
@ApplicationScoped
public class HaSupervisor {
  private static final Logger LOG = Logger.getLogger(HaSupervisor.class);

  @Inject io.strata.controlplane.replicas.DatabaseClock clock;
  @Inject ProvisioningConfig provisioning;
  @Inject HaConfig config;
  @Inject HighAvailability highAvailability;

  private ScheduledExecutorService timer;

  void onStart(@Observes StartupEvent start) {
    if (!provisioning.enabled()) {
      return;
    }
    long grace = config.failoverAfter().multipliedBy(2).toMillis();
    timer = Timers.every("strata-ha-supervisor", grace, config.superviseInterval().toMillis(), this::roundSafely);
  }

  void onStop(@Observes ShutdownEvent stop) {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private void roundSafely() {
    try {
      round(clock.now()); // PostgreSQL's: heartbeats are stamped by whichever replica read them
    } catch (RuntimeException e) {
      LOG.warnf("HA supervisor round failed: %s", e.getMessage());
    }
  }

  /** One round over every supervised highly available array; what was done, by array. Public for tests. */
  public Map<UUID, String> round(Instant now) {
    List<UUID> arrays = QuarkusTransaction.requiringNew().call(() -> StorageArray.<StorageArray>list(
        "highAvailability = true and state in ?1 order by id", HighAvailability.SUPERVISED).stream()
        .map(a -> a.id).toList());
    Map<UUID, String> done = new java.util.LinkedHashMap<>();
    for (UUID id : arrays) {
      String did = QuarkusTransaction.requiringNew().call(() -> superviseOne(id, now));
      done.put(id, did);
    }
    return done;
  }

  /** One array, if no other replica holds its row right now. */
  public String superviseOne(UUID arrayId, Instant now) {
    @SuppressWarnings("unchecked")
    List<Object> locked = io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
        .createNativeQuery("select id from storage_array where id = ?1 and high_availability for update skip locked")
        .setParameter(1, arrayId)
        .getResultList();
    if (locked.isEmpty()) {
      return "busy";
    }
    StorageArray a = StorageArray.findById(arrayId);
    return highAvailability.supervise(a, now);
  }
}
