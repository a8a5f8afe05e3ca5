package io.strata.agent.events;

import io.strata.agent.tracing.UsageSpans;
import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.MessageType;
import io.strata.contracts.Topics;
import io.strata.contracts.event.Events;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.UsageMessages;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Sends this node's events to {@code strata.events}, keyed by node id so that they stay in order,
 * with an idempotent producer (a retried send is written once). The envelope's sequence starts at
 * the agent's start time in microseconds, so it grows across restarts too.
 */
public final class EventPublisher implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(EventPublisher.class);

  private final String nodeId;
  private final String source;
  private final MessageCodec codec;
  private final KafkaProducer<String, byte[]> producer;
  private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis() * 1000);
  private volatile UsageSpans usageSpans = UsageSpans.none();

  public EventPublisher(String bootstrapServers, String nodeId, MessageCodec codec) {
    this.nodeId = nodeId;
    this.source = "agent/" + nodeId;
    this.codec = codec;
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "strata-agent-" + nodeId);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    this.producer = new KafkaProducer<>(props);
  }

  public <T> Future<RecordMetadata> publish(MessageType<T> type, String subject, T payload) {
    Envelope envelope = codec.envelope(type, source, sequence.incrementAndGet(), subject, payload);
    return producer.send(new ProducerRecord<>(Topics.EVENTS, nodeId, codec.encode(envelope)), (meta, error) -> {
      if (error != null) {
        LOG.warnf("event %s %s not sent: %s", type.type(), subject, error.getMessage());
      }
    });
  }

  /**
   * Sends a usage sample to {@code strata.usage}, keyed by array id, with the agent's own usage
   * sequence number (see {@link io.strata.agent.usage.UsageSequence}).
   */
  public Future<RecordMetadata> publishUsage(ArrayUsageSample sample, long usageSequence) {
    Envelope envelope = codec.envelope(UsageMessages.ARRAY_USAGE_SAMPLE, source, usageSequence,
        "array/" + sample.arrayId(), sample);
    return usageSpans.send(producer, new ProducerRecord<>(Topics.USAGE, sample.arrayId(), codec.encode(envelope)),
        sample.arrayId(), usageSequence, (meta, error) -> {
          if (error != null) {
            LOG.warnf("usage sample %d of array %s not sent: %s", usageSequence, sample.arrayId(), error.getMessage());
          }
        });
  }

  /** Usage samples are sent in spans of {@code spans}, their trace in the records' headers (billing continues it). */
  public void traceUsageWith(UsageSpans spans) {
    this.usageSpans = spans;
  }

  public <T> Future<RecordMetadata> publishAboutNode(MessageType<T> type, T payload) {
    return publish(type, Events.nodeSubject(nodeId), payload);
  }

  public void flush() {
    producer.flush();
  }

  /** The Kafka client, for its metrics (docs/observability.md). */
  public org.apache.kafka.clients.producer.Producer<String, byte[]> kafkaClient() {
    return producer;
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
