package io.strata.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class PrometheusNamingTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  PrometheusNamingTest() {
    registry.config().meterFilter(new PrometheusNaming());
  }

  @Test
  void metersInAbbreviatedUnitsAreDropped() {
    FunctionCounter.builder("kafka.consumer.io.time.ns.total", this, t -> 1).register(registry);
    FunctionCounter.builder("process.cpu.time", this, t -> 1).baseUnit("ns").register(registry);
    io.micrometer.core.instrument.Timer.builder("agroal.creation.time").register(registry); // seconds: kept
    Gauge.builder("agroal.creation.time.max", () -> 1).baseUnit("milliseconds").register(registry);
    io.micrometer.core.instrument.LongTaskTimer.builder("http.server.connections").register(registry);
    Counter.builder("strata.kept").register(registry);

    assertThat(registry.getMeters()).extracting(m -> m.getId().getName()).containsExactlyInAnyOrder("agroal.creation.time", "strata.kept");
  }

  @Test
  void countGaugesSayWhatTheyCount() {
    Gauge.builder("agroal.active.count", () -> 1).register(registry);
    Gauge.builder("netty.things.count", () -> 1).register(registry);
    Counter.builder("agroal.acquire.count").register(registry); // a counter: becomes ..._count_total, fine

    assertThat(registry.getMeters()).extracting(m -> m.getId().getName())
        .containsExactlyInAnyOrder("agroal.active.connections", "netty.things.number", "agroal.acquire.count");
  }

  @Test
  void aMeterWithoutDescriptionGetsOne() {
    Gauge.builder("netty.allocator.memory.used", () -> 1).register(registry);
    Gauge.builder("strata.described", () -> 1).description("mine").register(registry);

    assertThat(registry.get("netty.allocator.memory.used").gauge().getId().getDescription())
        .isEqualTo("netty allocator memory used (as reported by its library)");
    assertThat(registry.get("strata.described").gauge().getId().getDescription()).isEqualTo("mine");
  }

  @Test
  void camelCaseLabelNamesBecomeSnakeCase() {
    Gauge.builder("http.client.active.connections", () -> 1).tag("clientName", "control-plane").tag("uri", "/x")
        .register(registry);

    assertThat(registry.get("http.client.active.connections").gauge().getId().getTags())
        .extracting(t -> t.getKey() + "=" + t.getValue())
        .containsExactlyInAnyOrder("client_name=control-plane", "uri=/x");
  }
}
