package io.strata.controlplane.alerts;

import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.service.AuditLog;
import io.strata.controlplane.service.NewestFirst;
import io.strata.controlplane.security.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Alerts, thresholds and webhooks as the API offers them. A tenant ({@code tenant} not null) sees
 * and manages only its own: another tenant's alert or webhook is 404, like one that does not
 * exist. An operator ({@code tenant} null) sees every alert and manages the operators' webhooks.
 */
@ApplicationScoped
public class Alerts {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Inject AuditLog audit;
  @Inject SecretBox box;
  @Inject Thresholds thresholds;

  /** Whether tenants may point webhooks at loopback, private and link-local addresses (dev and tests only). */
  @ConfigProperty(name = "strata.alerts.webhooks.tenant-private-targets", defaultValue = "false")
  boolean tenantPrivateTargets;

  public record WebhookView(UUID id, UUID tenantId, String url, String createdBy, Instant createdAt) {
    static WebhookView of(Webhook w) {
      return new WebhookView(w.id, w.tenantId, w.url, w.createdBy, w.createdAt);
    }
  }

  /** The answer to a registration: the only time the signing secret is shown. */
  public record WebhookCreated(UUID id, UUID tenantId, String url, String createdBy, Instant createdAt, String secret) {}

  public record DeliveryView(
      long id, UUID webhookId, long alertId, String event, String state, int attempts, Instant nextAttemptAt,
      Integer lastStatus, String lastError, Instant createdAt, Instant deliveredAt) {
    static DeliveryView of(WebhookDelivery d) {
      return new DeliveryView(d.id, d.webhookId, d.alertId, d.event, d.state, d.attempts,
          WebhookDelivery.PENDING.equals(d.state) ? d.nextAttemptAt : null, d.lastStatus, d.lastError, d.createdAt,
          d.deliveredAt);
    }
  }

  public record ThresholdView(String name, double value, Instant updatedAt, String updatedBy) {
    static ThresholdView of(AlertThreshold t) {
      return new ThresholdView(t.name, t.value, t.updatedAt, t.updatedBy);
    }
  }

  // ---------------------------------------------------------------- alerts

  /** Newest first; {@code tenant} null: every tenant's and the fleet's (operators). */
  @Transactional
  public Page<AlertView> alerts(UUID tenant, String state, String condition, UUID array,
      String cursor, Integer limit) {
    if (state != null && !state.equals(Alert.FIRING) && !state.equals(Alert.RESOLVED)) {
      throw ApiException.badRequest("state", "must be FIRING or RESOLVED");
    }
    if (condition != null && Condition.byId(condition) == null) {
      throw ApiException.badRequest("condition", "must be one of " + List.of(Condition.values()).stream()
          .map(c -> c.id).toList());
    }
    NewestFirst q = NewestFirst.all()
        .and("tenantId = :tenant", "tenant", tenant)
        .and("state = :state", "state", state)
        .and("condition = :condition", "condition", condition)
        .and("arrayId = :array", "array", array);
    return q.page(Alert.class, cursor, limit, AlertView::of, a -> a.id);
  }

  @Transactional
  public AlertView alert(UUID tenant, long id) {
    Alert a = Alert.findById(id);
    if (a == null || (tenant != null && !tenant.equals(a.tenantId))) {
      throw ApiException.notFound("alert", id);
    }
    return AlertView.of(a);
  }

  // ---------------------------------------------------------------- thresholds

  public List<ThresholdView> thresholds() {
    return thresholds.all().stream().map(ThresholdView::of).toList();
  }

  @Transactional
  public ThresholdView setThreshold(String name, Double value, String by) {
    AlertThreshold t = thresholds.set(name, value, by);
    audit.record(null, "alert-threshold.update", "alert-threshold", null);
    return ThresholdView.of(t);
  }

  // ---------------------------------------------------------------- webhooks

  @Transactional
  public WebhookCreated register(UUID tenant, String url, String by) {
    URI target = checkedUrl(url, tenant != null);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes());
    Webhook w = new Webhook();
    w.id = UUID.randomUUID();
    w.tenantId = tenant;
    w.url = target.toString();
    w.secretSealed = box.seal(secret);
    w.createdBy = by;
    w.createdAt = Instant.now();
    w.persist();
    audit.record(tenant, "webhook.create", "webhook", w.id);
    return new WebhookCreated(w.id, w.tenantId, w.url, w.createdBy, w.createdAt, secret);
  }

  @Transactional
  public List<WebhookView> webhooks(UUID tenant) {
    List<Webhook> hooks = tenant == null ? Webhook.list("tenantId is null order by createdAt")
        : Webhook.list("tenantId = ?1 order by createdAt", tenant);
    return hooks.stream().map(WebhookView::of).toList();
  }

  @Transactional
  public WebhookView webhook(UUID tenant, UUID id) {
    return WebhookView.of(owned(tenant, id));
  }

  @Transactional
  public void unregister(UUID tenant, UUID id) {
    Webhook w = owned(tenant, id);
    WebhookDelivery.delete("webhookId", w.id);
    w.delete();
    audit.record(tenant, "webhook.delete", "webhook", id);
  }

  @Transactional
  public Page<DeliveryView> deliveries(UUID tenant, UUID webhook, String cursor, Integer limit) {
    owned(tenant, webhook);
    return NewestFirst.all().and("webhookId = :webhook", "webhook", webhook)
        .page(WebhookDelivery.class, cursor, limit, DeliveryView::of, d -> d.id);
  }

  /** The tenant's webhook (tenant null: an operators' webhook); 404 for anyone else's. */
  private static Webhook owned(UUID tenant, UUID id) {
    Webhook w = Webhook.findById(id);
    boolean mine = w != null && (tenant == null ? w.tenantId == null : tenant.equals(w.tenantId));
    if (!mine) {
      throw ApiException.notFound("webhook", id);
    }
    return w;
  }

  private URI checkedUrl(String url, boolean forTenant) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw ApiException.badRequest("url", "not a URL: " + e.getReason());
    }
    if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
        || uri.getUserInfo() != null || uri.getFragment() != null) {
      throw ApiException.badRequest("url", "must be an absolute http or https URL with a host, no user info or fragment");
    }
    if (forTenant && !tenantPrivateTargets) {
      try {
        for (InetAddress a : InetAddress.getAllByName(uri.getHost())) {
          if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
              || a.isMulticastAddress()) {
            throw ApiException.badRequest("url", "must not point at a loopback, private or link-local address");
          }
        }
      } catch (UnknownHostException e) {
        throw ApiException.badRequest("url", "host " + uri.getHost() + " does not resolve");
      }
    }
    return uri;
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return b;
  }
}
