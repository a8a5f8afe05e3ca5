package io.strata.agent.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import org.jboss.logging.MDC;

/**
 * Puts a span's trace and span ids in the logging context (MDC keys {@code traceId} and
 * {@code spanId}, those of Quarkus' OpenTelemetry extension, which the log format prints) for as
 * long as it is open. Quarkus does this itself on its request threads; the agent's Kafka consumer
 * runs on a thread of its own. The ids that were there before come back on close.
 */
public final class LogIds implements AutoCloseable {

  private final Object traceId;
  private final Object spanId;

  private LogIds(SpanContext context) {
    this.traceId = MDC.get("traceId");
    this.spanId = MDC.get("spanId");
    if (context.isValid()) {
      MDC.put("traceId", context.getTraceId());
      MDC.put("spanId", context.getSpanId());
    }
  }

  public static LogIds of(Span span) {
    return new LogIds(span.getSpanContext());
  }

  @Override
  public void close() {
    restore("traceId", traceId);
    restore("spanId", spanId);
  }

  private static void restore(String key, Object value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
