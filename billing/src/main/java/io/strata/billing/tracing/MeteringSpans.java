package io.strata.billing.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The metering consumer's spans (docs/observability.md, "Tracing"): every record of a batch that
 * carries a W3C {@code traceparent} header (the agent's span of sending the usage sample) gets a
 * CONSUMER span continuing that trace, from before its batch is stored until the batch's
 * transaction committed, or failed (then with the error: the batch is read again). Records
 * without the header (lifecycle events, samples of agents from before tracing) get no span:
 * a trace of one span per reading would be noise, and untraced streams cost nothing.
 */
@ApplicationScoped
public class MeteringSpans {

  @Inject Tracer tracer;

  /** The spans of one batch, ended together. */
  public final class Batch {
    private final List<Span> spans;

    private Batch(List<Span> spans) {
      this.spans = spans;
    }

    /** The batch is stored: each span records what became of the batch and ends. */
    public void stored(String result) {
      for (Span span : spans) {
        span.setAttribute("strata.metering.batch", result);
        span.end();
      }
    }

    /** The batch was not stored (it is read again): each span ends with the error. */
    public void failed(RuntimeException e) {
      for (Span span : spans) {
        span.recordException(e);
        span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
        span.end();
      }
    }
  }

  /** Starts the spans of the batch's records that carry a trace. */
  public Batch start(List<ConsumerRecord<String, byte[]>> batch) {
    List<Span> spans = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : batch) {
      if (record.headers().lastHeader(HEADER) == null) {
        continue;
      }
      Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), record.headers(), HEADERS);
      if (!Span.fromContext(parent).getSpanContext().isValid()) {
        continue; // a malformed header: the reading is stored all the same, untraced
      }
      spans.add(tracer.spanBuilder("process " + record.topic())
          .setSpanKind(SpanKind.CONSUMER)
          .setParent(parent)
          .setAttribute("messaging.system", "kafka")
          .setAttribute("messaging.destination.name", record.topic())
          .setAttribute("messaging.operation.type", "process")
          .setAttribute("messaging.destination.partition.id", Integer.toString(record.partition()))
          .setAttribute("messaging.kafka.offset", record.offset())
          .setAttribute("messaging.batch.message_count", (long) batch.size())
          .startSpan());
    }
    return new Batch(spans);
  }

  static final String HEADER = "traceparent";

  private static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers carrier) {
      List<String> keys = new ArrayList<>();
      carrier.forEach(h -> keys.add(h.key()));
      return keys;
    }

    @Override
    public String get(Headers carrier, String key) {
      Header header = carrier == null ? null : carrier.lastHeader(key);
      return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
  };
}
