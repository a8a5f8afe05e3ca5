package io.strata.controlplane.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.strata.controlplane.domain.OutboxMessage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.Callable;
import org.jboss.logging.MDC;

/**
 * The relay's span for one command (docs/observability.md, "Tracing"): a PRODUCER span whose
 * parent is the trace of the newest outbox row the command is built from (the request that made
 * the change), linked to the traces of the older rows folded into the same command, and whose
 * context goes out in every Kafka record of the command as its W3C {@code traceparent} header.
 */
@ApplicationScoped
public class OutboxPublishSpans {

  static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> SUBJECT = AttributeKey.stringKey("strata.outbox.subject");
  static final AttributeKey<Long> ROWS = AttributeKey.longKey("strata.outbox.rows");

  @Inject Tracer tracer;

  /**
   * Runs {@code publish} inside the publish span of the command built from {@code rows} (oldest
   * first) for {@code topic}; an exception marks the span failed and is rethrown.
   */
  public <T> T publish(List<OutboxMessage> rows, String topic, Callable<T> publish) throws Exception {
    OutboxMessage newest = rows.get(rows.size() - 1);
    SpanContext parent = TraceParent.parse(newest.traceparent);
    SpanBuilder builder = tracer.spanBuilder("publish " + topic)
        .setSpanKind(SpanKind.PRODUCER)
        .setParent(parent.isValid() ? Context.root().with(Span.wrap(parent)) : Context.root())
        .setAttribute(MESSAGING_SYSTEM, "kafka")
        .setAttribute(DESTINATION, topic)
        .setAttribute(OPERATION, "publish")
        .setAttribute(SUBJECT, newest.subject)
        .setAttribute(ROWS, (long) rows.size());
    for (OutboxMessage older : rows.subList(0, rows.size() - 1)) {
      SpanContext link = TraceParent.parse(older.traceparent);
      if (link.isValid() && !link.equals(parent)) {
        builder.addLink(link);
      }
    }
    Span span = builder.startSpan();
    // the relay's thread is not one of Quarkus' request threads: the log lines written while the
    // span is open get its ids from here
    MDC.put("traceId", span.getSpanContext().getTraceId());
    MDC.put("spanId", span.getSpanContext().getSpanId());
    try (Scope ignored = span.makeCurrent()) {
      return publish.call();
    } catch (Exception | Error e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
      throw e;
    } finally {
      span.end();
      MDC.remove("traceId");
      MDC.remove("spanId");
    }
  }
}
