package io.strata.controlplane.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.controlplane.provisioning.Timers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Turns what holds now ({@link AlertConditions}) into alerts, every
 * {@code strata.alerts.evaluate-every}: a condition seen on an object with no FIRING alert opens
 * one; seen again, its alert's last-seen moves; no longer seen, its alert is RESOLVED. Each opening
 * and resolution queues a delivery to every webhook that should hear of it, in the same
 * transaction. Replicas try a transaction-scoped advisory lock, so one evaluates at a time (the
 * others skip that round) and no condition opens twice (the unique index on open alerts would
 * refuse it anyway); a round older than the last one is skipped (docs/replicas.md, N2).
 */
@ApplicationScoped
public class AlertEvaluator {
  private static final Logger LOG = Logger.getLogger(AlertEvaluator.class);
  /** pg_try_advisory_xact_lock key of the evaluation ("strata alerts"). */
  private static final long LOCK = 0x5354524154414cL;

  @Inject AlertConditions conditions;
  @Inject EntityManager em;
  @Inject ObjectMapper json;
  @Inject WebhookDispatcher dispatcher;
  @Inject MeteringLag meteringLag;
  @Inject io.strata.controlplane.replicas.ReplicaLocks locks;
  @Inject io.strata.controlplane.replicas.DatabaseClock clock;

  @ConfigProperty(name = "strata.alerts.evaluate-every", defaultValue = "10s") Optional<String> every;

  private ScheduledExecutorService timer;

  void onStart(@Observes StartupEvent start) {
    String interval = every.orElse("off");
    if (interval.equals("off")) {
      return;
    }
    long ms = io.quarkus.runtime.configuration.DurationConverter.parseDuration(interval).toMillis();
    timer = Timers.every("strata-alerts-evaluator", ms, ms, this::evaluateSafely);
  }

  void onStop(@Observes ShutdownEvent stop) {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private void evaluateSafely() {
    try {
      evaluate(clock::now);
    } catch (RuntimeException e) {
      LOG.warnf("alert evaluation failed: %s", e.getMessage());
    }
  }

  /** One evaluation at {@code now}; returns the alerts it opened and resolved. Public for tests. */
  public Changes evaluate(Instant now) {
    return evaluate(() -> now);
  }

  /**
   * One evaluation, at the time {@code clockAfterLock} gives once the lock is held (PostgreSQL's
   * clock on the timer: the stored times it compares were written by any replica). Every replica
   * evaluates on its timer: one at a time (a try-lock: a replica that finds another evaluating
   * skips its round rather than repeat it just after), and never at a time older than the last
   * evaluation's (alert_evaluation), which would undo what a newer round found and send
   * receivers a RESOLVED and a FIRING again.
   */
  private Changes evaluate(java.util.function.Supplier<Instant> clockAfterLock) {
    // asked of Kafka before the transaction: a slow broker must not hold a connection and the lock
    Long lag = meteringLag.current();
    Changes changes = QuarkusTransaction.requiringNew().call(() -> {
      if (!locks.tryLock(LOCK)) {
        return Changes.none(); // another replica is evaluating now
      }
      Instant now = clockAfterLock.get();
      if (!isNewest(now)) {
        LOG.debugf("alerts: a round at %s is older than the last evaluation; skipped", now);
        return Changes.none();
      }
      Map<String, Observation> seen = new HashMap<>();
      for (Observation o : conditions.current(now, lag)) {
        seen.putIfAbsent(o.identity(), o);
      }
      Map<String, Alert> open = new HashMap<>();
      for (Alert a : Alert.<Alert>list("state", Alert.FIRING)) {
        open.put(a.condition + " " + a.objectKey, a);
      }
      Changes c = new Changes(new java.util.ArrayList<>(), new java.util.ArrayList<>());
      for (Observation o : seen.values()) {
        Alert a = open.remove(o.identity());
        if (a == null) {
          c.opened().add(open(o, now));
        } else {
          a.lastSeen = now;
          a.summary = clip(o.summary());
        }
      }
      for (Alert a : open.values()) {
        a.state = Alert.RESOLVED;
        a.resolvedAt = now;
        c.resolved().add(a);
      }
      em.flush();
      c.opened().forEach(a -> queueDeliveries(a, Alert.FIRING, now));
      c.resolved().forEach(a -> queueDeliveries(a, Alert.RESOLVED, now));
      return c;
    });
    if (!changes.opened().isEmpty() || !changes.resolved().isEmpty()) {
      LOG.infof("alerts: %d opened, %d resolved", changes.opened().size(), changes.resolved().size());
      dispatcher.wake();
    }
    return changes;
  }

  /** What one evaluation changed. */
  public record Changes(List<Alert> opened, List<Alert> resolved) {
    static Changes none() {
      return new Changes(List.of(), List.of());
    }
  }

  /** Records {@code now} as the last evaluation's time, unless an evaluation at a later time was made. */
  private boolean isNewest(Instant now) {
    return em.createNativeQuery("insert into alert_evaluation (id, last_at) values (1, ?1) on conflict (id) do update"
            + " set last_at = excluded.last_at where alert_evaluation.last_at <= excluded.last_at")
        .setParameter(1, now).executeUpdate() == 1;
  }

  private Alert open(Observation o, Instant now) {
    Alert a = new Alert();
    a.condition = o.condition().id;
    a.objectType = o.condition().objectType;
    a.objectKey = o.objectKey();
    a.tenantId = o.tenantId();
    a.arrayId = o.arrayId();
    a.nodeId = o.nodeId();
    a.severity = o.condition().severity;
    a.state = Alert.FIRING;
    a.summary = clip(o.summary());
    a.firstSeen = now;
    a.lastSeen = now;
    a.persist();
    return a;
  }

  /** A delivery to each operator webhook, and to the tenant's when the alert is about its object. */
  private void queueDeliveries(Alert a, String event, Instant now) {
    List<Webhook> hooks = a.tenantId == null
        ? Webhook.list("tenantId is null")
        : Webhook.list("tenantId is null or tenantId = ?1", a.tenantId);
    if (hooks.isEmpty()) {
      return;
    }
    String body;
    try {
      body = json.writeValueAsString(new AlertView.Notification(event, AlertView.of(a)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    for (Webhook w : hooks) {
      WebhookDelivery d = new WebhookDelivery();
      d.webhookId = w.id;
      d.tenantId = w.tenantId;
      d.alertId = a.id;
      d.event = event;
      d.body = body;
      d.state = WebhookDelivery.PENDING;
      d.nextAttemptAt = now;
      d.createdAt = now;
      d.persist();
    }
  }

  private static String clip(String s) {
    return s.length() > 1024 ? s.substring(0, 1021) + "..." : s;
  }
}
