package io.strata.agent.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.CollectorRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

/**
 * The agent's own metrics beside Quarkus's: the engines' figures ({@link EngineMetrics}, and the
 * detailed per-volume, pool and drive ones of {@link EngineCollector}), read from their stats
 * files every {@code strata.metrics.engine-refresh} on a thread of their own, and the
 * Kafka clients' (the command consumer's lag labelled with its group).
 */
public final class AgentMeters implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(AgentMeters.class);

  private final MeterRegistry registry;
  private final EngineMetrics engines;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "strata-agent-metrics");
    t.setDaemon(true);
    return t;
  });
  private final List<KafkaClientMetrics> kafka = new ArrayList<>();
  private final List<CollectorRegistry> collectorRegistries = new ArrayList<>();
  private final EngineCollector collector;

  public AgentMeters(MeterRegistry registry, EngineMetrics engines, Duration refresh) {
    this.registry = registry;
    this.engines = engines;
    this.collector = new EngineCollector(engines);
    for (PrometheusMeterRegistry prometheus : prometheusRegistries(registry)) {
      prometheus.getPrometheusRegistry().register(collector);
      collectorRegistries.add(prometheus.getPrometheusRegistry());
    }
    if (collectorRegistries.isEmpty()) {
      LOG.warn("no Prometheus registry: the per-volume, pool and drive engine figures are not exported");
    }
    timer.scheduleWithFixedDelay(this::refreshQuietly, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
  }

  public synchronized void bindKafka(Consumer<?, ?> commands, Producer<?, ?> events, String group) {
    KafkaClientMetrics consumer = new KafkaClientMetrics(commands, Tags.of("group", group));
    consumer.bindTo(registry);
    kafka.add(consumer);
    KafkaClientMetrics producer = new KafkaClientMetrics(events);
    producer.bindTo(registry);
    kafka.add(producer);
  }

  /** The Prometheus registries in {@code registry} (Quarkus injects a composite holding one). */
  static List<PrometheusMeterRegistry> prometheusRegistries(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      return List.of(prometheus);
    }
    List<PrometheusMeterRegistry> out = new ArrayList<>();
    if (registry instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry r : composite.getRegistries()) {
        out.addAll(prometheusRegistries(r));
      }
    }
    return out;
  }

  public EngineMetrics engines() {
    return engines;
  }

  private void refreshQuietly() {
    try {
      engines.refresh();
    } catch (RuntimeException e) {
      LOG.warnf("engine metrics not refreshed: %s", e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    timer.shutdownNow();
    kafka.forEach(KafkaClientMetrics::close);
    kafka.clear();
    collectorRegistries.forEach(r -> r.unregister(collector));
    collectorRegistries.clear();
  }
}
