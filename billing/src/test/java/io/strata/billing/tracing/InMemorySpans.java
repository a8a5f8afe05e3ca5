package io.strata.billing.tracing;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Tests keep every finished span in memory. A simple (not batching) processor hands each span to
 * the exporter as it ends, so a test waits for a span, never for a batch interval. Quarkus adds
 * every SpanProcessor bean to its tracer provider.
 */
public class InMemorySpans {

  @Produces
  @Singleton
  InMemorySpanExporter exporter() {
    return InMemorySpanExporter.create();
  }

  @Produces
  @Singleton
  SpanProcessor processor(InMemorySpanExporter exporter) {
    return SimpleSpanProcessor.create(exporter);
  }
}
