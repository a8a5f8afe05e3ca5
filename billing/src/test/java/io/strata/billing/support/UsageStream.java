package io.strata.billing.support;

import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.Topics;
import io.strata.contracts.lifecycle.LifecycleMessages;
import io.strata.contracts.lifecycle.ResourceLifecycleEvent;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.UsageMessages;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

/** Publishes what agents and the control plane would, on the test broker, synchronously. */
public final class UsageStream implements AutoCloseable {

  private final MessageCodec codec = MessageCodec.of(UsageMessages.ARRAY_USAGE_SAMPLE, LifecycleMessages.RESOURCE_LIFECYCLE);
  private final KafkaProducer<String, byte[]> producer;

  public UsageStream() {
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
  }

  /** Sends a sample as {@code source}'s message number {@code sequence}; a fresh envelope id every call, as a retrying agent would. */
  public void sample(String source, long sequence, ArrayUsageSample sample) {
    Envelope envelope = codec.envelope(UsageMessages.ARRAY_USAGE_SAMPLE, source, sequence, "array/" + sample.arrayId(), sample);
    send(Topics.USAGE, sample.arrayId(), codec.encode(envelope));
  }

  /** Sends a sample as {@link #sample} does, its record carrying the W3C {@code traceparent} header an agent's span gives it. */
  public void tracedSample(String source, long sequence, ArrayUsageSample sample, String traceparent) {
    Envelope envelope = codec.envelope(UsageMessages.ARRAY_USAGE_SAMPLE, source, sequence, "array/" + sample.arrayId(), sample);
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.USAGE, sample.arrayId(), codec.encode(envelope));
    record.headers().add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
    send(record);
  }

  public void lifecycle(long sequence, ResourceLifecycleEvent event) {
    Envelope envelope = codec.envelope(LifecycleMessages.RESOURCE_LIFECYCLE, "control-plane", sequence, "array/" + event.arrayId(), event);
    send(Topics.EVENTS, event.arrayId(), codec.encode(envelope));
  }

  public void raw(String topic, String key, String body) {
    send(topic, key, body.getBytes(StandardCharsets.UTF_8));
  }

  private void send(String topic, String key, byte[] value) {
    send(new ProducerRecord<>(topic, key, value));
  }

  private void send(ProducerRecord<String, byte[]> record) {
    try {
      producer.send(record).get();
    } catch (Exception e) {
      throw new IllegalStateException("could not publish to " + record.topic(), e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
