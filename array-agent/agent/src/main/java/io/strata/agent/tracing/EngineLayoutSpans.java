package io.strata.agent.tracing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.strata.agent.layout.JsonFiles;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The span of an engine taking a layout revision (docs/observability.md, "Tracing"). The engine
 * is its own plain-Java process without an OpenTelemetry SDK, so the agent records the span for
 * it: it opens the span (a child of the current apply span) when it has written the revision and
 * is about to start, restart or signal the engine, writes the span's {@code traceparent} beside
 * the layout in {@value #FILE} (the engine logs the trace and span id with the outcome of that
 * revision), and ends the span when the engine's status file says that it applied the revision,
 * or refused it (then the span's status is ERROR with the engine's reason). A newer revision, a
 * stopped engine or a deleted array ends a span still open.
 */
public final class EngineLayoutSpans {

  /** The file beside {@code layout.json} naming the trace of its revision: {@code {"revision": N, "traceparent": "00-..."}}. */
  public static final String FILE = "layout-trace.json";
  static final AttributeKey<Long> REVISION = AttributeKey.longKey("strata.layout.revision");
  static final AttributeKey<String> ACTION = AttributeKey.stringKey("strata.engine.action");
  static final AttributeKey<String> ENDED = AttributeKey.stringKey("strata.engine.outcome");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Tracer tracer;
  private final Map<String, Open> open = new ConcurrentHashMap<>();

  private record Open(long revision, Span span) {}

  /** What the agent writes beside the layout for the engine. */
  public record Trace(long revision, String traceparent) {}

  public EngineLayoutSpans(Tracer tracer) {
    this.tracer = tracer;
  }

  public static EngineLayoutSpans none() {
    return new EngineLayoutSpans(OpenTelemetry.noop().getTracer(CommandSpans.INSTRUMENTATION));
  }

  /**
   * The engine of {@code arrayId} is to take {@code revision} by {@code action} (start, restart
   * or reload). Only inside a trace (a command being applied): a convergence the agent starts on
   * its own (after its restart, or an epoch the export service reached) makes no span.
   */
  public void begin(String arrayId, Path arrayFolder, long revision, String action) {
    if (!Span.current().getSpanContext().isValid()) {
      return;
    }
    Span span = tracer.spanBuilder("engine " + action + " layout")
        .setAttribute(CommandSpans.ARRAY, arrayId)
        .setAttribute(REVISION, revision)
        .setAttribute(ACTION, action)
        .startSpan();
    Map<String, String> carrier = new HashMap<>();
    W3CTraceContextPropagator.getInstance().inject(Context.current().with(span), carrier, Map::put);
    JsonFiles.writeOwnerOnly(JSON, arrayFolder.resolve(FILE), new Trace(revision, carrier.get("traceparent")));
    Open before = open.put(arrayId, new Open(revision, span));
    if (before != null) {
      end(before, "superseded by revision " + revision, null);
    }
  }

  /**
   * The engine's status names {@code revision}: ends the open span of that revision or an older
   * one, successfully unless the engine gave {@code error}.
   */
  public void engineSaid(String arrayId, long revision, String error) {
    Open o = open.get(arrayId);
    if (o != null && revision >= o.revision() && open.remove(arrayId, o)) {
      end(o, error == null ? "applied" : "refused", error);
    }
  }

  /** The engine stopped (or the array left the node) before it said anything of the open span's revision. */
  public void abandon(String arrayId, String why) {
    Open o = open.remove(arrayId);
    if (o != null) {
      end(o, why, null);
    }
  }

  private static void end(Open o, String outcome, String error) {
    o.span().setAttribute(ENDED, outcome);
    if (error != null) {
      o.span().setStatus(StatusCode.ERROR, error);
    }
    o.span().end();
  }
}
