package io.strata.tracing;

import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.arc.lookup.LookupUnlessProperty;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Where finished spans go (docs/observability.md, "Tracing"). Spans are always made (their ids
 * are in the logs), but sent nowhere unless {@code strata.tracing.otlp=true}
 * ({@code STRATA_TRACING_OTLP}): there is no collector by default, and Quarkus' OTLP exporter
 * would try one at localhost:4317 forever. While this exporter can be looked up, Quarkus leaves
 * its OTLP exporter out; with the switch on it cannot, and the OTLP exporter sends to
 * {@code quarkus.otel.exporter.otlp.traces.endpoint}.
 */
public class TracingExport {

  @Produces
  @Singleton
  @LookupUnlessProperty(name = "strata.tracing.otlp", stringValue = "true", lookupIfMissing = true)
  SpanExporter nowhere() {
    return SpanExporter.composite();
  }
}
