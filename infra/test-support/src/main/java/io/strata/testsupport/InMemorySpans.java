package io.strata.testsupport;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Tests keep every finished span in memory. A simple (not batching) processor hands each span to
 * the exporter as it ends, so a test waits for a span, never for a batch interval. Quarkus adds
 * every SpanProcessor bean to its tracer provider.
 *
 * Services index this jar in their tests ({@code %test.quarkus.index-dependency.strata-test-support.*}) to have this bean.
 *
 * <p>The exporter itself is deliberately not a bean: Quarkus also wraps every SpanExporter bean in
 * a batching processor of its own, and each span would then be exported twice (once at once, once
 * when the batch flushes), so a test counting spans would fail or pass by timing.
 */
@Singleton
public class InMemorySpans {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();

  @Produces
  @Singleton
  SpanProcessor processor() {
    return SimpleSpanProcessor.create(exporter);
  }

  /** Every span finished since the application started, in the order they ended. */
  public List<SpanData> finished() {
    return exporter.getFinishedSpanItems();
  }
}
