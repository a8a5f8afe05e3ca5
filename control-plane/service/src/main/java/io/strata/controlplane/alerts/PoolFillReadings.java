package io.strata.controlplane.alerts;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.Topics;
import io.strata.contracts.UnreadableMessageException;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.UsageMessages;
import io.strata.controlplane.provisioning.ProvisioningConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps the latest fill of each array's pools per tier from the agents' usage samples
 * ({@code strata.usage}, which billing meters; read here by a group of its own, from the latest
 * position: only the current fill matters, so nothing is replayed). The pool-fill conditions read
 * the table.
 */
@ApplicationScoped
public class PoolFillReadings {
  private static final Logger LOG = Logger.getLogger(PoolFillReadings.class);
  static final String GROUP = "strata-control-plane-fill";

  @Inject ProvisioningConfig config;
  @Inject EntityManager em;

  @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "127.0.0.1:9092") String bootstrapServers;

  private final MessageCodec codec = MessageCodec.of(UsageMessages.ARRAY_USAGE_SAMPLE);
  private KafkaConsumer<String, byte[]> consumer;
  private Thread thread;
  private volatile boolean running;

  void onStart(@Observes StartupEvent start) {
    if (!config.enabled()) {
      return;
    }
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    consumer = new KafkaConsumer<>(props);
    consumer.subscribe(List.of(Topics.USAGE));
    running = true;
    thread = new Thread(this::run, "strata-pool-fill-consumer");
    thread.setDaemon(true);
    thread.start();
  }

  void onStop(@Observes ShutdownEvent stop) {
    if (consumer != null) {
      running = false;
      consumer.wakeup();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    try {
      while (running) {
        for (var record : consumer.poll(Duration.ofMillis(500))) {
          try {
            Envelope e = codec.decode(record.value());
            if (e.type().equals(UsageMessages.ARRAY_USAGE_SAMPLE.type())) {
              record(codec.payload(e, UsageMessages.ARRAY_USAGE_SAMPLE));
            }
          } catch (UnreadableMessageException | RuntimeException ex) {
            LOG.debugf("usage message at %s-%d@%d not read for pool fill: %s", record.topic(), record.partition(),
                record.offset(), ex.getMessage());
          }
        }
      }
    } catch (WakeupException e) {
      // stopping
    } catch (RuntimeException e) {
      LOG.error("the pool-fill consumer stopped; pool-fill alerts use the last readings until restart", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Keeps the sample's fill per tier, unless a newer sample of the array was kept already. */
  public void record(ArrayUsageSample sample) {
    UUID array;
    try {
      array = UUID.fromString(sample.arrayId());
    } catch (IllegalArgumentException e) {
      return;
    }
    QuarkusTransaction.requiringNew().run(() -> {
      for (ArrayUsageSample.TierCapacity t : sample.tiers()) {
        em.createNativeQuery("insert into array_tier_fill (array_id, tier, capacity_bytes, used_bytes, sampled_at)"
                + " values (?1, ?2, ?3, ?4, ?5) on conflict (array_id, tier) do update set"
                + " capacity_bytes = excluded.capacity_bytes, used_bytes = excluded.used_bytes,"
                + " sampled_at = excluded.sampled_at where array_tier_fill.sampled_at <= excluded.sampled_at")
            .setParameter(1, array).setParameter(2, t.tier().name()).setParameter(3, t.poolProvisionedBytes())
            .setParameter(4, t.poolUsedBytes()).setParameter(5, sample.intervalEnd())
            .executeUpdate();
      }
    });
  }
}
