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
 * once after an evaluation that queued some) it claims the due PENDING deliveries (row locks, SKIP
 * LOCKED: replicas share the work), POSTs each signed body with the JDK's HTTP client, and records
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
      dispatchDue(Instant.now());
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

  /** Sends what is due at {@code now}; returns how many were attempted. Public for tests. */
  public int dispatchDue(Instant now) {
    List<Long> claimed = QuarkusTransaction.requiringNew().call(() -> {
      @SuppressWarnings("unchecked")
      List<Number> ids = em.createNativeQuery("select id from webhook_delivery where state = 'PENDING'"
              + " and next_attempt_at <= ?1 order by next_attempt_at limit 50 for update skip locked")
          .setParameter(1, now).getResultList();
      List<Long> out = ids.stream().map(Number::longValue).toList();
      if (!out.isEmpty()) {
        em.createQuery("update WebhookDelivery set nextAttemptAt = ?1, version = version + 1 where id in ?2")
            .setParameter(1, now.plus(LEASE)).setParameter(2, out).executeUpdate();
      }
      return out;
    });
    for (Long id : claimed) {
      attempt(id);
    }
    return claimed.size();
  }

  private record Send(String url, String secret, String body, String event) {}

  private void attempt(long id) {
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
    record(id, status, error, Instant.now());
  }

  private void record(long id, Integer status, String error, Instant now) {
    QuarkusTransaction.requiringNew().run(() -> {
      WebhookDelivery d = WebhookDelivery.findById(id);
      if (d == null) {
        return;
      }
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
