package io.strata.controlplane.provisioning;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.MessageType;
import io.strata.contracts.Topics;
import io.strata.contracts.UnreadableMessageException;
import io.strata.contracts.event.CommandResult;
import io.strata.contracts.event.Events;
import io.strata.contracts.lifecycle.LifecycleMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads strata.events as the consumer group {@code strata-control-plane} (replicas share the
 * partitions) and hands each agent report to {@link NodeReports}, one transaction per event.
 * Offsets are committed after the batch is handled: a crash replays events, which is harmless
 * because every handler is idempotent. An event this build cannot read is logged loudly with its
 * position and skipped (it stays in Kafka for an operator); lifecycle events are billing's.
 */
@ApplicationScoped
public class EventsConsumer {

  private static final Logger LOG = Logger.getLogger(EventsConsumer.class);

  @Inject ProvisioningConfig config;
  @Inject NodeReports reports;
  @Inject ReportStream stream;
  @Inject io.strata.controlplane.performance.PerformanceHistory performance;
  @Inject MeterRegistry registry;

  @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "127.0.0.1:9092")
  String bootstrapServers;

  private final MessageCodec codec = codec();
  private KafkaConsumer<String, byte[]> consumer;
  private KafkaClientMetrics consumerMetrics;
  private Thread thread;
  private volatile boolean running;

  static MessageCodec codec() {
    List<MessageType<?>> types = new ArrayList<>(Events.all());
    types.addAll(LifecycleMessages.ALL);
    return new MessageCodec(types, Clock.systemUTC());
  }

  void onStart(@Observes StartupEvent start) {
    if (!config.enabled()) {
      return;
    }
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "strata-control-plane");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // a replica that dies leaves its partitions unread until the group notices (the client's
    // default is 45 s): its nodes' reports wait that long (see ReportStream)
    props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    consumer = new KafkaConsumer<>(props);
    // lag per partition and the rest of the client's own metrics, labelled with the group
    consumerMetrics = new KafkaClientMetrics(consumer, Tags.of("group", "strata-control-plane"));
    consumerMetrics.bindTo(registry);
    consumer.subscribe(List.of(Topics.EVENTS));
    running = true;
    thread = new Thread(this::run, "strata-events-consumer");
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
        appended.polling(System.nanoTime());
        var records = consumer.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, byte[]> record : records) {
          handle(record, appended.of(record.partition(), System.nanoTime()));
        }
        if (!records.isEmpty()) {
          commitOrLeaveForNextBatch();
        }
        noteAtEnd();
        markCaughtUp();
      }
    } catch (WakeupException e) {
      // stopping
    } catch (RuntimeException e) {
      LOG.error("the strata.events consumer stopped; node reports are not applied until restart", e);
    } finally {
      consumerMetrics.close();
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** How recently the events being read reached Kafka at most (for heartbeats, see NodeReports). */
  private final AppendedWithin appended = new AppendedWithin();

  /** Notes the partitions this poll left at their end (cheap: the client knows its lag). */
  private void noteAtEnd() {
    for (TopicPartition tp : consumer.assignment()) {
      OptionalLong lag = consumer.currentLag(tp);
      if (lag.isPresent() && lag.getAsLong() == 0) {
        appended.atEnd(tp.partition());
      }
    }
  }

  /** How often the partitions read to their end are recorded (see {@link ReportStream#CURRENT}). */
  private static final long MARK_EVERY_NANOS = Duration.ofMillis(500).toNanos();

  private long lastMark = System.nanoTime() - MARK_EVERY_NANOS;

  /**
   * Records the partitions this replica has read to their end (no lag after the batch just
   * handled), so that their nodes' heartbeats count; see {@link ReportStream}. A partition still
   * being caught up (just assigned after a rebalance) is not recorded until its backlog is applied.
   */
  private void markCaughtUp() {
    long nowNanos = System.nanoTime();
    if (nowNanos - lastMark < MARK_EVERY_NANOS) {
      return;
    }
    lastMark = nowNanos;
    List<Integer> caughtUp = new ArrayList<>();
    for (TopicPartition tp : consumer.assignment()) {
      OptionalLong lag = consumer.currentLag(tp);
      if (lag.isPresent() && lag.getAsLong() == 0) {
        caughtUp.add(tp.partition());
      }
    }
    if (caughtUp.isEmpty()) {
      return;
    }
    try {
      stream.caughtUp(caughtUp);
    } catch (RuntimeException e) {
      // the database away: the partitions go stale, and nodes on them are neither alive nor silent
      LOG.debugf("could not record the strata.events partitions read to their end: %s", e.getMessage());
    }
  }

  /**
   * Commits the positions reached. While the broker is away (a restart) the commit times out:
   * the consumer keeps running and the positions go with the next batch's commit. Handlers are
   * idempotent, so a replay after a crash in between only re-applies reports.
   */
  private void commitOrLeaveForNextBatch() {
    try {
      consumer.commitSync();
    } catch (org.apache.kafka.common.errors.RetriableException
        | org.apache.kafka.clients.consumer.CommitFailedException e) {
      LOG.warnf("strata.events offsets not committed yet (%s); they go with the next batch", e.getMessage());
    }
  }

  public void handle(ConsumerRecord<String, byte[]> record) {
    handle(record, null);
  }

  /**
   * Applies one event; {@code appendedWithin}: at most how long ago it reached Kafka (null:
   * unknown), which bounds how stale an agent's slow clock can make its heartbeat.
   */
  void handle(ConsumerRecord<String, byte[]> record, Duration appendedWithin) {
    Envelope e;
    try {
      e = codec.decode(record.value());
    } catch (UnreadableMessageException ex) {
      LOG.errorf("event at %s-%d@%d parked (left unapplied): %s", record.topic(), record.partition(), record.offset(),
          ex.getMessage());
      return;
    }
    try {
      String type = e.type();
      if (type.equals(Events.NODE_ENROLLED.type())) {
        reports.enrolled(codec.payload(e, Events.NODE_ENROLLED));
      } else if (type.equals(Events.NODE_HEARTBEAT.type())) {
        reports.heartbeat(codec.payload(e, Events.NODE_HEARTBEAT), e.time(), record.partition(),
            appendedWithin);
      } else if (type.equals(Events.NODE_STATE_REPORT.type())) {
        reports.stateReport(codec.payload(e, Events.NODE_STATE_REPORT));
      } else if (type.equals(Events.ARRAY_STATUS.type())) {
        reports.arrayStatus(codec.payload(e, Events.ARRAY_STATUS));
      } else if (type.equals(Events.ARRAY_PERFORMANCE.type())) {
        performance.record(codec.payload(e, Events.ARRAY_PERFORMANCE));
      } else if (type.equals(Events.COMMAND_FAILED.type())) {
        CommandResult r = codec.payload(e, Events.COMMAND_FAILED);
        LOG.warnf("node %s could not apply command %s (array %s): %s %s", r.nodeId(), r.commandId(), r.arrayId(),
            r.outcome(), r.reason());
      }
    } catch (UnreadableMessageException ex) {
      LOG.errorf("event %s at %s-%d@%d parked: %s", e.id(), record.topic(), record.partition(), record.offset(),
          ex.getMessage());
    } catch (RuntimeException ex) {
      LOG.errorf(ex, "event %s (%s) could not be applied; the next report of that node will repair it", e.id(), e.type());
    }
  }
}
