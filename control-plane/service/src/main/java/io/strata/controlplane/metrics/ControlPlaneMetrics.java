package io.strata.controlplane.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.strata.controlplane.alerts.Condition;
import io.strata.controlplane.domain.NodeState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Gauges read from the control plane's tables: how many outbox rows wait for the relay and how
 * old the oldest is, how many operations are pending per kind, and how many storage nodes are in
 * each state. Each scrape may ask, but the
 * database is asked at most once per {@code strata.metrics.db-refresh} (a scrape in between reads
 * the last answer), and only with queries the partial indexes on unpublished rows and pending
 * operations answer (and a count over the node table, one row per storage node), so the cost does
 * not grow with the history kept.
 */
@ApplicationScoped
public class ControlPlaneMetrics {

  private static final Logger LOG = Logger.getLogger(ControlPlaneMetrics.class);

  @Inject DataSource dataSource;
  @Inject MeterRegistry registry;

  @ConfigProperty(name = "strata.metrics.db-refresh", defaultValue = "10s")
  Duration refresh;

  private volatile Reading last = new Reading(0, 0, Map.of(), Map.of(), Map.of(), Instant.EPOCH);
  /** Operation kinds seen pending since start: each keeps its gauge (0 once none is pending). */
  private final Set<String> kinds = ConcurrentHashMap.newKeySet();

  /** One answer from the database. */
  record Reading(long outboxRows, double outboxOldestAgeSeconds, Map<String, Long> pendingByKind,
      Map<String, Long> nodesByState, Map<String, Long> firingByCondition, Instant readAt) {}

  void onStart(@Observes StartupEvent start) {
    Gauge.builder("strata_outbox_unpublished_messages", this, m -> m.reading().outboxRows())
        .description("Outbox rows not yet published to Kafka")
        .register(registry);
    Gauge.builder("strata_outbox_oldest_unpublished_age_seconds", this, m -> m.reading().outboxOldestAgeSeconds())
        .description("Age of the oldest outbox row not yet published to Kafka (0 when none waits)")
        .register(registry);
    for (NodeState state : NodeState.values()) {
      Gauge.builder("strata_nodes", this, m -> m.reading().nodesByState().getOrDefault(state.name(), 0L))
          .description("Storage nodes by state (ENROLLING, ONLINE, OFFLINE, MAINTENANCE, DECOMMISSIONED)")
          .tag("state", state.name())
          .register(registry);
    }
    // the control plane's own alerts (docs/observability.md, "Alerts"), for Prometheus's rules
    for (Condition condition : Condition.values()) {
      Gauge.builder("strata_alerts_firing", this, m -> m.reading().firingByCondition().getOrDefault(condition.id, 0L))
          .description("Alerts the control plane has FIRING, by condition (one per object the condition holds for)")
          .tag("condition", condition.id)
          .tag("severity", condition.severity)
          .register(registry);
    }
  }

  /** The latest reading, asking the database first when it is older than the refresh interval. */
  synchronized Reading reading() {
    Instant now = Instant.now();
    if (Duration.between(last.readAt(), now).compareTo(refresh) >= 0) {
      try {
        last = read(now);
        registerNewKinds(last.pendingByKind().keySet());
      } catch (SQLException | RuntimeException e) {
        LOG.debugf("metrics: database not read (%s); the last reading stays", e.getMessage());
        last = new Reading(last.outboxRows(), last.outboxOldestAgeSeconds(), last.pendingByKind(), last.nodesByState(),
            last.firingByCondition(), now);
      }
    }
    return last;
  }

  private Reading read(Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      long rows = 0;
      double age = 0;
      try (ResultSet r = s.executeQuery(
          "select count(*), min(created_at) from outbox_message where published_at is null")) {
        if (r.next()) {
          rows = r.getLong(1);
          Timestamp oldest = r.getTimestamp(2);
          age = oldest == null ? 0 : Math.max(0, Duration.between(oldest.toInstant(), now).toMillis() / 1000.0);
        }
      }
      Map<String, Long> pending = new ConcurrentHashMap<>();
      try (ResultSet r = s.executeQuery(
          "select kind, count(*) from operation where state = 'PENDING' group by kind")) {
        while (r.next()) {
          pending.put(r.getString(1), r.getLong(2));
        }
      }
      Map<String, Long> nodes = new ConcurrentHashMap<>();
      try (ResultSet r = s.executeQuery("select state, count(*) from node group by state")) {
        while (r.next()) {
          nodes.put(r.getString(1), r.getLong(2));
        }
      }
      Map<String, Long> firing = new ConcurrentHashMap<>();
      try (ResultSet r = s.executeQuery("select condition, count(*) from alert where state = 'FIRING' group by condition")) {
        while (r.next()) {
          firing.put(r.getString(1), r.getLong(2));
        }
      }
      return new Reading(rows, age, Map.copyOf(pending), Map.copyOf(nodes), Map.copyOf(firing), now);
    }
  }

  private void registerNewKinds(Set<String> seen) {
    for (String kind : seen) {
      if (kinds.add(kind)) {
        Gauge.builder("strata_operations_pending", this,
                m -> m.last.pendingByKind().getOrDefault(kind, 0L))
            .description("Operations waiting for their storage node's report, by kind")
            .tag("kind", kind)
            .register(registry);
      }
    }
  }
}
