package io.strata.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One trace across a Kafka record, as the services use it: the producer's span goes into the
 * record's headers and the consumer's span continues it, with the messaging attributes the
 * dashboards and trace views group by.
 */
class KafkaTracingTest {
  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  final SdkTracerProvider provider = SdkTracerProvider.builder()
      .addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  final Tracer tracer = provider.get("test");

  @AfterEach
  void close() {
    provider.close();
  }

  static ConsumerRecord<String, byte[]> consumed(RecordHeaders headers) {
    ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("strata.usage", 3, 41L, "k", new byte[0]);
    headers.forEach(h -> record.headers().add(h));
    return record;
  }

  @Test
  void theConsumerSpanContinuesTheTraceThePublisherPutInTheHeaders() {
    RecordHeaders headers = new RecordHeaders();
    Span publish = KafkaSpans.publish(tracer, "strata.usage").startSpan();
    try (Scope ignored = publish.makeCurrent()) {
      KafkaTraceHeaders.inject(Context.current(), headers);
    }
    KafkaSpans.sent(publish, new RecordMetadata(new TopicPartition("strata.usage", 3), 41L, 0, 0L, 1, 0));
    publish.end();

    ConsumerRecord<String, byte[]> record = consumed(headers);
    assertThat(KafkaTraceHeaders.carriesTrace(record.headers())).isTrue();
    KafkaSpans.process(tracer, record, KafkaTraceHeaders.extract(record.headers())).startSpan().end();

    SpanData sent = spans.getFinishedSpanItems().get(0);
    SpanData processed = spans.getFinishedSpanItems().get(1);
    assertThat(sent.getName()).isEqualTo("publish strata.usage");
    assertThat(sent.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(sent.getAttributes().get(AttributeKey.stringKey("messaging.operation.type"))).isEqualTo("send");
    assertThat(sent.getAttributes().get(AttributeKey.longKey("messaging.kafka.offset"))).isEqualTo(41L);
    assertThat(processed.getName()).isEqualTo("process strata.usage");
    assertThat(processed.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(processed.getTraceId()).isEqualTo(sent.getTraceId());
    assertThat(processed.getParentSpanId()).isEqualTo(sent.getSpanId());
    assertThat(processed.getAttributes().get(AttributeKey.stringKey("messaging.destination.partition.id"))).isEqualTo("3");
    assertThat(processed.getAttributes().get(AttributeKey.longKey("messaging.kafka.offset"))).isEqualTo(41L);
    assertThat(processed.getAttributes().get(AttributeKey.stringKey("messaging.system"))).isEqualTo("kafka");
  }

  @Test
  void aRecordWithoutAValidTraceparentNamesNoTrace() {
    assertThat(KafkaTraceHeaders.carriesTrace(new RecordHeaders())).isFalse();
    assertThat(Span.fromContext(KafkaTraceHeaders.extract(new RecordHeaders())).getSpanContext().isValid()).isFalse();
    RecordHeaders malformed = new RecordHeaders();
    malformed.add(KafkaTraceHeaders.TRACEPARENT, "00-not-a-trace".getBytes(StandardCharsets.UTF_8));
    assertThat(KafkaTraceHeaders.carriesTrace(malformed)).isTrue();
    assertThat(Span.fromContext(KafkaTraceHeaders.extract(malformed)).getSpanContext().isValid()).isFalse();
  }

  @Test
  void injectingAgainReplacesTheHeaderAndAnInvalidContextWritesNone() {
    RecordHeaders headers = new RecordHeaders();
    KafkaTraceHeaders.inject(Context.root(), headers);
    assertThat(headers.toArray()).isEmpty();
    Span first = tracer.spanBuilder("first").startSpan();
    Span second = tracer.spanBuilder("second").startSpan();
    KafkaTraceHeaders.inject(Context.root().with(first), headers);
    KafkaTraceHeaders.inject(Context.root().with(second), headers);
    assertThat(headers.headers(KafkaTraceHeaders.TRACEPARENT)).hasSize(1);
    SpanContext named = Span.fromContext(KafkaTraceHeaders.extract(headers)).getSpanContext();
    assertThat(named.getSpanId()).isEqualTo(second.getSpanContext().getSpanId());
    assertThat(named.isRemote()).isTrue();
  }

  @Test
  void aFailedSpanCarriesTheErrorAndItsMessage() {
    Span span = tracer.spanBuilder("apply").startSpan();
    KafkaSpans.failed(span, new IllegalStateException("drive d1 unreadable"));
    span.end();
    SpanData failed = spans.getFinishedSpanItems().get(0);
    assertThat(failed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(failed.getStatus().getDescription()).isEqualTo("drive d1 unreadable");
    assertThat(failed.getEvents()).extracting(e -> e.getName()).containsExactly("exception");
  }
}
