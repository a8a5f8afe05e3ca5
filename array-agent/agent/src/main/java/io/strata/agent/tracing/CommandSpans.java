package io.strata.agent.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.strata.tracing.KafkaSpans;
import io.strata.tracing.KafkaTraceHeaders;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The agent's spans for one command (docs/observability.md, "Tracing"): a CONSUMER span that
 * continues the trace named by the record's W3C {@code traceparent} header (the control plane's
 * publish span), and inside it the span of applying the desired state. A record without the
 * header starts a trace of its own. While a span is current its ids are in the log lines
 * ({@link LogIds}). The headers and the span's messaging attributes are the shared
 * {@code infra/tracing-support}'s.
 */
public final class CommandSpans {

  public static final String INSTRUMENTATION = "io.strata.agent";
  static final AttributeKey<String> ARRAY = AttributeKey.stringKey("strata.array.id");
  static final AttributeKey<Long> GENERATION = AttributeKey.longKey("strata.array.generation");

  private final Tracer tracer;

  public CommandSpans(Tracer tracer) {
    this.tracer = tracer;
  }

  /** Spans that go nowhere (tests and tools that build a consumer without tracing). */
  public static CommandSpans none() {
    return new CommandSpans(OpenTelemetry.noop().getTracer(INSTRUMENTATION));
  }

  /** Runs {@code handle} inside the span of processing {@code record}. */
  public void process(ConsumerRecord<String, byte[]> record, Runnable handle) {
    Span span = KafkaSpans.process(tracer, record, KafkaTraceHeaders.extract(record.headers())).startSpan();
    try (Scope ignored = span.makeCurrent(); LogIds ids = LogIds.of(span)) {
      handle.run();
    } catch (RuntimeException | Error e) {
      KafkaSpans.failed(span, e);
      throw e;
    } finally {
      span.end();
    }
  }

  /**
   * Runs {@code apply} (the convergence of one array to its desired state) in a span of its own,
   * a child of the current one; the engine's layout span is in turn its child.
   */
  public <T> T apply(String arrayId, long generation, Supplier<T> apply) {
    Span span = tracer.spanBuilder("apply array desired state")
        .setAttribute(ARRAY, arrayId)
        .setAttribute(GENERATION, generation)
        .startSpan();
    try (Scope ignored = span.makeCurrent(); LogIds ids = LogIds.of(span)) {
      return apply.get();
    } catch (RuntimeException | Error e) {
      KafkaSpans.failed(span, e);
      throw e;
    } finally {
      span.end();
    }
  }
}
