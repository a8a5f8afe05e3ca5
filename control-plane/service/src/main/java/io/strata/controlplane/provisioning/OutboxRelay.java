package io.strata.controlplane.provisioning;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.Topics;
import io.strata.contracts.command.Commands;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.OutboxMessage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes outbox rows to strata.commands, keyed by the node's name (the agent's node id), in
 * the order they were written, with an idempotent producer. A row is marked published only after
 * Kafka acknowledged it, in the same transaction that locked it ({@code for update skip locked},
 * so several control-plane replicas never send one row twice at the same time). A crash between
 * the acknowledgement and the commit sends the row again on the next round: same envelope id,
 * which the agent acknowledges without re-applying.
 */
@ApplicationScoped
public class OutboxRelay {

  private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
  private static final int BATCH = 100;

  @Inject ProvisioningConfig config;
  @Inject EntityManager entities;
  @Inject ObjectMapper json;

  @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "127.0.0.1:9092")
  String bootstrapServers;

  private KafkaProducer<String, byte[]> producer;
  private ScheduledExecutorService timer;
  private final MessageCodec codec = MessageCodec.of(Commands.ARRAY_DESIRED_STATE);

  void onStart(@Observes StartupEvent start) {
    if (!config.enabled()) {
      return;
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "strata-control-plane-outbox");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producer = new KafkaProducer<>(props);
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "strata-outbox-relay");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::relaySafely, 0, config.relayInterval().toMillis(), TimeUnit.MILLISECONDS);
  }

  void onStop(@Observes ShutdownEvent stop) {
    if (timer != null) {
      timer.shutdownNow();
      producer.close(Duration.ofSeconds(5));
    }
  }

  private void relaySafely() {
    try {
      while (relayBatch() == BATCH) {
        // more waiting: go on at once
      }
    } catch (RuntimeException e) {
      LOG.warnf("outbox relay round failed, retrying: %s", e.getMessage());
    }
  }

  /** Publishes up to one batch of rows; returns how many. */
  int relayBatch() {
    return QuarkusTransaction.requiringNew().timeout(60).call(() -> {
      @SuppressWarnings("unchecked")
      List<Object> ids = entities.createNativeQuery(
              "select id from outbox_message where published_at is null order by created_at limit " + BATCH
                  + " for update skip locked")
          .getResultList();
      for (Object id : ids) {
        OutboxMessage row = OutboxMessage.findById(id instanceof UUID u ? u : UUID.fromString(id.toString()));
        Node node = Node.findById(row.nodeId);
        Envelope envelope = DesiredStateCommands.envelope(row, node.name, json);
        producer.send(new ProducerRecord<>(Topics.COMMANDS, node.name, codec.encode(envelope))).get(30, TimeUnit.SECONDS);
        row.publishedAt = Instant.now();
      }
      return ids.size();
    });
  }
}
