package io.strata.controlplane.provisioning;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.context.Context;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.Topics;
import io.strata.contracts.command.Commands;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.OutboxMessage;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.tracing.OutboxPublishSpans;
import io.strata.tracing.KafkaTraceHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
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
 * the order they were written, with an idempotent producer. An array's desired state goes to
 * every node the array has something on: the engine's node and each node that lends it drives
 * (which exports them to the engine), and once more to a node whose drive left the array. A row is marked published only after
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
  @Inject CommandOutbox outbox;
  @Inject MeterRegistry registry;
  @Inject OutboxPublishSpans spans;
  @Inject io.strata.controlplane.replicas.DatabaseClock clock;

  /** The rows of one command by the generation they name, then as written: the last one names the command. */
  private static final Comparator<OutboxMessage> OLDEST_GENERATION_FIRST =
      Comparator.comparingLong(DesiredStateCommands::generation)
          .thenComparing((OutboxMessage r) -> r.createdAt).thenComparing(r -> r.id);

  @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "127.0.0.1:9092")
  String bootstrapServers;

  private KafkaProducer<String, byte[]> producer;
  private KafkaClientMetrics producerMetrics;
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
    producerMetrics = new KafkaClientMetrics(producer);
    producerMetrics.bindTo(registry);
    timer = Timers.every("strata-outbox-relay", 0, config.relayInterval().toMillis(), this::relaySafely);
  }

  void onStop(@Observes ShutdownEvent stop) {
    if (timer != null) {
      timer.shutdownNow();
      producerMetrics.close();
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

  /**
   * Publishes up to one batch of rows; returns how many rows it settled. The "array changed" rows
   * of one array (and node) become one command, built now from the database: the one with the
   * highest generation names it (envelope id, generation) and all of them are marked published with it. A row that
   * carries its own desired state is published as it is. Commands go out in the order of their
   * newest row.
   */
  int relayBatch() {
    return QuarkusTransaction.requiringNew().timeout(60).call(() -> {
      @SuppressWarnings("unchecked")
      List<Object> ids = entities.createNativeQuery(
              "select id from outbox_message where published_at is null order by created_at limit " + BATCH
                  + " for update skip locked")
          .getResultList();
      if (ids.isEmpty()) {
        return 0;
      }
      List<UUID> locked = ids.stream().map(id -> id instanceof UUID u ? u : UUID.fromString(id.toString())).toList();
      Map<String, List<OutboxMessage>> byCommand = new LinkedHashMap<>();
      for (OutboxMessage row : OutboxMessage.<OutboxMessage>list("id in ?1 order by createdAt, id", locked)) {
        byCommand.computeIfAbsent(commandKey(row), k -> new ArrayList<>()).add(row);
      }
      List<List<OutboxMessage>> commands = new ArrayList<>(byCommand.values());
      commands.forEach(rows -> rows.sort(OLDEST_GENERATION_FIRST));
      commands.sort(Comparator.comparing((List<OutboxMessage> rows) -> rows.get(rows.size() - 1).createdAt));
      for (List<OutboxMessage> rows : commands) {
        // before the state is read: a writer of the array that took a lower generation has
        // committed by then, so the state sent under this generation holds its change
        keepAboveSent(rows.get(rows.size() - 1));
        // one span per command, continuing the trace of the request that wrote its newest row;
        // its context goes to the agents in the records' traceparent header
        spans.publish(rows, Topics.COMMANDS, () -> {
          for (var command : commands(rows)) {
            ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(Topics.COMMANDS, command.getKey(), codec.encode(command.getValue()));
            KafkaTraceHeaders.inject(Context.current(), record.headers());
            producer.send(record).get(30, TimeUnit.SECONDS);
          }
          return null;
        });
      }
      Instant publishedAt = clock.now(); // every command of the batch was acknowledged by now
      commands.forEach(rows -> rows.forEach(r -> r.publishedAt = publishedAt));
      return ids.size();
    });
  }

  /**
   * Raises the array's {@code desired_generation} to the generation just sent when it is lower,
   * so that the array's next change takes a higher one whatever stamped this row: a row written
   * by an older release (named by its creation time on that replica's clock) must not outrank
   * the changes that follow it. The condition skips the row lock in the usual case, where every
   * row already took its generation from the array.
   */
  private void keepAboveSent(OutboxMessage newest) {
    if (!CommandOutbox.TYPE_ARRAY_CHANGED.equals(newest.type)) {
      return;
    }
    long sent = DesiredStateCommands.generation(newest);
    entities.createNativeQuery(
            "update storage_array set desired_generation = ?1 where id = ?2 and desired_generation < ?1")
        .setParameter(1, sent)
        .setParameter(2, UUID.fromString(newest.subject.substring("array/".length())))
        .executeUpdate();
  }

  /**
   * Rows that become one command: the "changed" rows of one array (whichever node each names:
   * the command goes to all the array's nodes anyway); any other row alone.
   */
  private static String commandKey(OutboxMessage row) {
    return CommandOutbox.TYPE_ARRAY_CHANGED.equals(row.type) ? row.subject : row.id.toString();
  }

  /**
   * The commands for one group of rows, by node name: a row with its own desired state goes to
   * its node; a changed array's state goes to every node it has something on (the engine's, the
   * drives' ones) and to every node the rows name; a changed array that no longer exists sends
   * nothing.
   */
  private List<Map.Entry<String, Envelope>> commands(List<OutboxMessage> rows) {
    OutboxMessage newest = rows.get(rows.size() - 1);
    if (!CommandOutbox.TYPE_ARRAY_CHANGED.equals(newest.type)) {
      String node = Node.<Node>findById(newest.nodeId).name;
      return List.of(Map.entry(node, DesiredStateCommands.envelope(newest, node, json)));
    }
    UUID arrayId = UUID.fromString(newest.subject.substring("array/".length()));
    var state = outbox.desiredStateNow(arrayId);
    if (state == null) {
      LOG.warnf("outbox row %s names array %s, which no longer exists; nothing sent", newest.id, arrayId);
      return List.of();
    }
    List<Map.Entry<String, Envelope>> out = new ArrayList<>();
    for (UUID target : DesiredStateCommands.targets(state, rows.stream().map(r -> r.nodeId).toList())) {
      Node node = Node.findById(target);
      if (node == null) {
        LOG.warnf("array %s: node %s is gone; its command is not sent", arrayId, target);
        continue;
      }
      out.add(Map.entry(node.name, DesiredStateCommands.envelope(newest, state, node.name, json)));
    }
    return out;
  }
}
