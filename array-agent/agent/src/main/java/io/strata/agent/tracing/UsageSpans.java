package io.strata.agent.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.strata.tracing.KafkaSpans;
import io.strata.tracing.KafkaTraceHeaders;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

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
    Span span = KafkaSpans.publish(tracer, record.topic())
        .setAttribute(CommandSpans.ARRAY, arrayId)
        .setAttribute("strata.usage.sequence", sequence)
        .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      KafkaTraceHeaders.inject(Context.current(), record.headers());
      return producer.send(record, (meta, error) -> {
        if (error != null) {
          KafkaSpans.failed(span, error);
        } else {
          KafkaSpans.sent(span, meta);
        }
        span.end();
        callback.onCompletion(meta, error);
      });
    } catch (RuntimeException e) {
      KafkaSpans.failed(span, e);
      span.end();
      throw e;
    }
  }
}
