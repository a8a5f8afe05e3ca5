package io.strata.agent.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.agent.AgentTestNode;
import io.strata.testsupport.KafkaTestResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * By default spans are made (their ids go into the logs) but exported nowhere: the only span
 * exporter is the one that drops them, so Quarkus installs no OTLP exporter (there is no
 * collector by default; TracingExportTest switches it on).
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(AgentTestNode.class)
class TracingOffTest {

  @Inject Tracer tracer;

  @Test
  void spansAreMadeButSentNowhere() {
    var exporters = Arc.container().select(SpanExporter.class);
    assertThat(exporters.isResolvable()).isTrue();
    assertThat(exporters.get().getClass().getSimpleName()).isEqualTo("NoopSpanExporter");
    Span span = tracer.spanBuilder("off").startSpan();
    assertThat(span.getSpanContext().isValid()).as("a real span, whose ids the logs carry").isTrue();
    span.end();
  }
}
