package io.strata.agent.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.strata.agent.tracing.UsageSpans;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.Topics;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.UsageMessages;
import io.strata.testsupport.KafkaTestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A usage sample is sent in a PRODUCER span whose context travels in the record's W3C
 * {@code traceparent} header (docs/observability.md, "Tracing"), against a real Kafka broker:
 * billing's metering consumer continues that trace (billing's MeteringTracingTest).
 */
class UsageTracingTest {

  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  final SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  KafkaTestBroker broker;
  EventPublisher events;

  @BeforeEach
  void start() {
    broker = KafkaTestBroker.start();
    TopicSetup.ensure(broker.bootstrapServers(), Duration.ofSeconds(60));
    events = new EventPublisher(broker.bootstrapServers(), "1",
        new MessageCodec(List.copyOf(UsageMessages.ALL), Clock.systemUTC()));
  }

  @AfterEach
  void stop() {
    if (events != null) {
      events.close();
    }
    if (broker != null) {
      broker.close();
    }
    provider.close();
  }

  static ArrayUsageSample sample(String arrayId) {
    Instant end = Instant.parse("2026-12-07T10:00:00Z");
    return new ArrayUsageSample(arrayId, "acme", "1", end.minusSeconds(60), end,
        List.of(new DriveAllocation(DriveType.SSD, 2, 8L << 30)), "E01", List.of(), 0, 0, 1, 2, 4096, 8192, false);
  }

  @Test
  void aUsageSampleCarriesTheTraceOfTheSpanItWasSentIn() throws Exception {
    events.traceUsageWith(new UsageSpans(provider.get("test")));
    events.publishUsage(sample("a-traced"), 42).get();

    ConsumerRecord<String, byte[]> sent = readUsage().get(0);
    Header header = sent.headers().lastHeader("traceparent");
    assertThat(header).as("the record's traceparent header").isNotNull();
    String traceparent = new String(header.value(), StandardCharsets.UTF_8);
    assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");

    // the span ends with Kafka's acknowledgement, which came before get() returned
    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished).hasSize(1);
    SpanData publish = finished.get(0);
    assertThat(publish.getName()).isEqualTo("publish strata.usage");
    assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(publish.getTraceId()).isEqualTo(traceparent.substring(3, 35));
    assertThat(publish.getSpanId()).isEqualTo(traceparent.substring(36, 52));
    assertThat(publish.getParentSpanContext().isValid()).as("the sampler's timer is outside any trace").isFalse();
    assertThat(publish.getAttributes().asMap()).containsValues("a-traced", 42L, Topics.USAGE, "kafka");
    assertThat(publish.getAttributes().asMap()).containsValue(sent.offset());
  }

  @Test
  void withoutATracerTheSampleIsSentWithoutAHeader() throws Exception {
    events.publishUsage(sample("a-plain"), 7).get();
    assertThat(readUsage().get(0).headers().lastHeader("traceparent")).isNull();
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  private List<ConsumerRecord<String, byte[]>> readUsage() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(Topics.USAGE).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<ConsumerRecord<String, byte[]>> read = new ArrayList<>();
      Instant deadline = Instant.now().plusSeconds(30);
      while (read.isEmpty() && Instant.now().isBefore(deadline)) {
        consumer.poll(Duration.ofMillis(500)).forEach(read::add);
      }
      assertThat(read).as("records on %s", Topics.USAGE).isNotEmpty();
      return read;
    }
  }
}
