package io.strata.controlplane.alerts;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.controlplane.provisioning.Timers;
import io.strata.controlplane.security.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sends the queued webhook deliveries: every {@code strata.alerts.webhooks.dispatch-every} (and at
 * once after an evaluation that queued some) it lists the due PENDING deliveries and, one at a
 * time, claims each (a lease from PostgreSQL's clock and a new version: replicas share the work and
 * never send one delivery at once), POSTs its signed body with the JDK's HTTP client, and records
 * the answer. A 2xx is DELIVERED; anything else (another status, a refused connection, a timeout)
 * is tried again after an exponentially growing wait (initial backoff doubled per attempt, capped),
 * until {@code max-attempts}, then FAILED. The schedule lives in the delivery's row, so retries
 * survive restarts, which an in-memory retry library could not give.
 */
@ApplicationScoped
public class WebhookDispatcher {
  private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
  /** How long a claimed delivery is kept from other replicas while it is being sent. */
  private static final Duration LEASE = Duration.ofSeconds(60);

  @Inject EntityManager em;
  @Inject SecretBox box;
  @Inject io.strata.controlplane.replicas.DatabaseClock clock;

  @ConfigProperty(name = "strata.alerts.webhooks.dispatch-every", defaultValue = "2s") String every;
  @ConfigProperty(name = "strata.alerts.webhooks.backoff-initial", defaultValue = "5s") Duration initialBackoff;
  @ConfigProperty(name = "strata.alerts.webhooks.backoff-max", defaultValue = "30m") Duration maxBackoff;
  @ConfigProperty(name = "strata.alerts.webhooks.max-attempts", defaultValue = "10") int maxAttempts;
  @ConfigProperty(name = "strata.alerts.webhooks.timeout", defaultValue = "10s") Duration timeout;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
  private ScheduledExecutorService timer;

  void onStart(@Observes StartupEvent start) {
    if (every.equals("off")) {
      return;
    }
    long ms = io.quarkus.runtime.configuration.DurationConverter.parseDuration(every).toMillis();
    timer = Timers.every("strata-webhook-dispatcher", ms, ms, this::dispatchSafely);
  }

  void onStop(@Observes ShutdownEvent stop) {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  /** Dispatches soon, not at the next tick (an evaluation just queued deliveries). */
  void wake() {
    if (timer != null) {
      timer.schedule(this::dispatchSafely, 0, TimeUnit.MILLISECONDS);
    }
  }

  private void dispatchSafely() {
    try {
      dispatchDue(clock.now());
    } catch (RuntimeException e) {
      LOG.warnf("webhook dispatch failed: %s", e.getMessage());
    }
  }

  /** The attempt {@code n} (1-based) failed: when to try again. */
  Duration backoffAfter(int attempts) {
    long factor = 1L << Math.min(attempts - 1, 30);
    Duration wait = initialBackoff.multipliedBy(factor);
    return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
  }

  /**
   * Sends what is due at {@code now}; returns how many were attempted. Public for tests. Each
   * delivery is claimed just before it is sent, one at a time ({@link #claim}), so a lease always
   * covers one POST (at most the timeout plus the connect timeout, 15 s, well inside the lease):
   * another replica takes over a delivery only when its sender has been silent for the whole lease.
   */
  public int dispatchDue(Instant now) {
    List<Long> due = QuarkusTransaction.requiringNew().call(() -> {
      @SuppressWarnings("unchecked")
      List<Number> ids = em.createNativeQuery("select id from webhook_delivery where state = 'PENDING'"
              + " and next_attempt_at <= ?1 order by next_attempt_at, id limit 50")
          .setParameter(1, now).getResultList();
      return ids.stream().map(Number::longValue).toList();
    });
    int attempted = 0;
    for (Long id : due) {
      Long version = claim(id, now);
      if (version != null) {
        attempt(id, version);
        attempted++;
      }
    }
    return attempted;
  }

  /**
   * Claims one delivery if it is still PENDING and due at {@code now} (no other replica claimed,
   * sent or gave it up since it was listed): its next attempt moves a lease ahead, by
   * PostgreSQL's clock, which every replica shares, and its version moves on. Returns that
   * version, which the result must still find ({@link #record}), or null when it is not ours.
   */
  private Long claim(long id, Instant now) {
    return QuarkusTransaction.requiringNew().call(() -> {
      @SuppressWarnings("unchecked")
      List<Number> versions = em.createNativeQuery("update webhook_delivery"
              + " set next_attempt_at = clock_timestamp() + make_interval(secs => ?1), version = version + 1"
              + " where id = ?2 and state = 'PENDING' and next_attempt_at <= ?3 returning version")
          .setParameter(1, (double) LEASE.toSeconds()).setParameter(2, id).setParameter(3, now).getResultList();
      return versions.isEmpty() ? null : versions.get(0).longValue();
    });
  }

  private record Send(String url, String secret, String body, String event) {}

  private void attempt(long id, long claimed) {
    Send send = QuarkusTransaction.requiringNew().call(() -> {
      WebhookDelivery d = WebhookDelivery.findById(id);
      Webhook w = d == null ? null : Webhook.findById(d.webhookId);
      return w == null ? null : new Send(w.url, box.open(w.secretSealed), d.body, d.event);
    });
    if (send == null) {
      return; // its webhook was removed (the delivery with it)
    }
    Integer status = null;
    String error = null;
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(send.url()))
          .timeout(timeout)
          .header("Content-Type", "application/json")
          .header("User-Agent", "strata-alerts")
          .header("X-Strata-Event", send.event())
          .header("X-Strata-Delivery", Long.toString(id))
          .header(WebhookSignature.HEADER, WebhookSignature.of(send.secret(), send.body()))
          .POST(HttpRequest.BodyPublishers.ofString(send.body()))
          .build();
      status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status / 100 != 2) {
        error = "answered HTTP " + status;
      }
    } catch (IOException | IllegalArgumentException e) {
      error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = "interrupted";
    }
    record(id, claimed, status, error);
  }

  /**
   * Writes the outcome of an attempt made under the claim that left the delivery at version
   * {@code claimed}; nothing when the delivery has moved on since (its lease ran out and another
   * replica claimed it, and that replica's outcome counts), so an attempt is counted once.
   */
  private void record(long id, long claimed, Integer status, String error) {
    QuarkusTransaction.requiringNew().run(() -> {
      WebhookDelivery d = WebhookDelivery.findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
      if (d == null) {
        return;
      }
      if (d.version != claimed) {
        LOG.infof("webhook delivery %d: its lease ran out while it was sent, another replica took it over", id);
        return;
      }
      Instant now = clock.now();
      d.attempts++;
      d.lastStatus = status;
      d.lastError = error == null ? null : (error.length() > 512 ? error.substring(0, 512) : error);
      if (error == null) {
        d.state = WebhookDelivery.DELIVERED;
        d.deliveredAt = now;
      } else if (d.attempts >= maxAttempts) {
        d.state = WebhookDelivery.FAILED;
        LOG.warnf("webhook delivery %d failed after %d attempts: %s", id, d.attempts, error);
      } else {
        d.nextAttemptAt = now.plus(backoffAfter(d.attempts));
      }
    });
  }
}
