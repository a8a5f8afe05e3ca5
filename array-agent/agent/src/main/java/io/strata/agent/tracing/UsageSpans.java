package io.strata.agent.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;

/**
 * The PRODUCER span of sending one usage sample to {@code strata.usage} (docs/observability.md,
 * "Tracing"), whose context goes with the record in its W3C {@code traceparent} header, so that
 * billing's metering consumer continues the trace. The sampler runs on a timer, outside any
 * trace, so each sample starts a trace of its own. The span ends when Kafka acknowledged the
 * record (or refused it, then with the error).
 */
public final class UsageSpans {

  private final Tracer tracer;

  public UsageSpans(Tracer tracer) {
    this.tracer = tracer;
  }

  /** Spans that go nowhere; the record still gets no header (an invalid context injects none). */
  public static UsageSpans none() {
    return new UsageSpans(OpenTelemetry.noop().getTracer(CommandSpans.INSTRUMENTATION));
  }

  /** Sends {@code record} with {@code producer} inside a PRODUCER span, its context in the record's headers. */
  public Future<RecordMetadata> send(Producer<String, byte[]> producer, ProducerRecord<String, byte[]> record,
      String arrayId, long sequence, Callback callback) {
    Span span = tracer.spanBuilder("publish " + record.topic())
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute("messaging.system", "kafka")
        .setAttribute("messaging.destination.name", record.topic())
        .setAttribute("messaging.operation.type", "send")
        .setAttribute(CommandSpans.ARRAY, arrayId)
        .setAttribute("strata.usage.sequence", sequence)
        .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      W3CTraceContextPropagator.getInstance().inject(Context.current(), record.headers(), HEADERS);
      return producer.send(record, (meta, error) -> {
        if (error != null) {
          span.recordException(error);
          span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
        } else {
          span.setAttribute("messaging.destination.partition.id", Integer.toString(meta.partition()));
          span.setAttribute("messaging.kafka.offset", meta.offset());
        }
        span.end();
        callback.onCompletion(meta, error);
      });
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
      span.end();
      throw e;
    }
  }

  private static final TextMapSetter<Headers> HEADERS = (headers, key, value) -> {
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  };
}
