package io.strata.billing.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.strata.tracing.KafkaSpans;
import io.strata.tracing.KafkaTraceHeaders;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The metering consumer's spans (docs/observability.md, "Tracing"): every record of a batch that
 * carries a W3C {@code traceparent} header (the agent's span of sending the usage sample) gets a
 * CONSUMER span continuing that trace, from before its batch is stored until the batch's
 * transaction committed, or failed (then with the error: the batch is read again). Records
 * without the header (lifecycle events, samples of agents from before tracing) get no span:
 * a trace of one span per reading would be noise, and untraced streams cost nothing. The
 * headers and the span's messaging attributes are the shared {@code infra/tracing-support}'s.
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
        KafkaSpans.failed(span, e);
        span.end();
      }
    }
  }

  /** Starts the spans of the batch's records that carry a trace. */
  public Batch start(List<ConsumerRecord<String, byte[]>> batch) {
    List<Span> spans = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : batch) {
      if (!KafkaTraceHeaders.carriesTrace(record.headers())) {
        continue;
      }
      Context parent = KafkaTraceHeaders.extract(record.headers());
      if (!Span.fromContext(parent).getSpanContext().isValid()) {
        continue; // a malformed header: the reading is stored all the same, untraced
      }
      spans.add(KafkaSpans.process(tracer, record, parent)
          .setAttribute("messaging.batch.message_count", (long) batch.size())
          .startSpan());
    }
    return new Batch(spans);
  }
}
