package io.strata.controlplane.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The W3C {@code traceparent} of a trace context, as text, and back: what an outbox row stores
 * of the request that wrote it (the relay publishes it later, in another thread and transaction).
 * The W3C propagator of OpenTelemetry does the formatting and the validation.
 */
public final class TraceParent {

  public static final String HEADER = "traceparent";
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private TraceParent() {}

  /** The traceparent of the current span, or null outside a (sampled or not) valid trace. */
  public static String current() {
    if (!Span.current().getSpanContext().isValid()) {
      return null;
    }
    Map<String, String> carrier = new HashMap<>();
    W3C.inject(Context.current(), carrier, Map::put);
    return carrier.get(HEADER);
  }

  /** The remote span context a stored traceparent names; invalid for null or a malformed value. */
  public static SpanContext parse(String traceparent) {
    if (traceparent == null) {
      return SpanContext.getInvalid();
    }
    Context extracted = W3C.extract(Context.root(), Map.of(HEADER, traceparent), MAP_GETTER);
    return Span.fromContext(extracted).getSpanContext();
  }

  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return List.copyOf(carrier.keySet());
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };
}
