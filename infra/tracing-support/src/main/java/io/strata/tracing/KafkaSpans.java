package io.strata.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The spans of Kafka messaging, named and attributed by OpenTelemetry's messaging conventions
 * ({@code process TOPIC} / {@code publish TOPIC}, {@code messaging.*}) the same way in every
 * service, so that one trace reads alike from the control plane's publish to billing's consumer.
 * Each service adds its own attributes to the builder and decides when the span ends.
 */
public final class KafkaSpans {

  private KafkaSpans() {}

  /** A CONSUMER span of processing {@code record}, a child of {@code parent} (usually from its headers). */
  public static SpanBuilder process(Tracer tracer, ConsumerRecord<?, ?> record, Context parent) {
    return tracer.spanBuilder("process " + record.topic())
        .setSpanKind(SpanKind.CONSUMER)
        .setParent(parent)
        .setAttribute("messaging.system", "kafka")
        .setAttribute("messaging.destination.name", record.topic())
        .setAttribute("messaging.operation.type", "process")
        .setAttribute("messaging.destination.partition.id", Integer.toString(record.partition()))
        .setAttribute("messaging.kafka.offset", record.offset());
  }

  /** A PRODUCER span of sending a record to {@code topic}, a child of the current span. */
  public static SpanBuilder publish(Tracer tracer, String topic) {
    return tracer.spanBuilder("publish " + topic)
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute("messaging.system", "kafka")
        .setAttribute("messaging.destination.name", topic)
        .setAttribute("messaging.operation.type", "send");
  }

  /** Where the broker put the record the span sent. */
  public static void sent(Span span, RecordMetadata meta) {
    span.setAttribute("messaging.destination.partition.id", Integer.toString(meta.partition()));
    span.setAttribute("messaging.kafka.offset", meta.offset());
  }

  /** Marks the span failed with {@code error} (it is not ended here). */
  public static void failed(Span span, Throwable error) {
    span.recordException(error);
    span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
  }
}
