package io.strata.tracing;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A trace's context in a Kafka record's headers, as W3C {@code traceparent} (and {@code tracestate})
 * in UTF-8 (docs/observability.md, "Tracing"): what a producer writes and a consumer continues,
 * the same in every service.
 */
public final class KafkaTraceHeaders {

  public static final String TRACEPARENT = "traceparent";

  private KafkaTraceHeaders() {}

  /** Whether the record names a trace at all (a malformed value still gives an invalid context). */
  public static boolean carriesTrace(Headers headers) {
    return headers.lastHeader(TRACEPARENT) != null;
  }

  /** The context the headers name, a child of nothing else; without a valid traceparent, the root context. */
  public static Context extract(Headers headers) {
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, GETTER);
  }

  /** Writes {@code context}'s span into the headers, replacing any earlier; nothing for an invalid span. */
  public static void inject(Context context, Headers headers) {
    W3CTraceContextPropagator.getInstance().inject(context, headers, SETTER);
  }

  private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
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

  private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  };
}
