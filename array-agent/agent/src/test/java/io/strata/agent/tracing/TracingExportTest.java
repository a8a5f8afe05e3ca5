package io.strata.agent.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.strata.agent.AgentTestNode;
import io.strata.testsupport.KafkaTestResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code strata.tracing.otlp=true} the agent sends its spans to the configured OTLP
 * endpoint (here a socket this test listens on: a span that ends opens a connection to it), and
 * the exporter that drops spans, which keeps OTLP off by default, can no longer be looked up.
 */
@QuarkusTest
@TestProfile(TracingExportTest.OtlpOn.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(AgentTestNode.class)
class TracingExportTest {

  static final ServerSocket COLLECTOR = listen();

  static ServerSocket listen() {
    try {
      return new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static class OtlpOn implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("strata.tracing.otlp", "true",
          "quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:" + COLLECTOR.getLocalPort(),
          "quarkus.otel.bsp.schedule.delay", "10ms");
    }
  }

  @Inject Tracer tracer;

  @AfterAll
  static void close() throws IOException {
    COLLECTOR.close();
  }

  @Test
  void spansGoToTheConfiguredCollectorWhenSwitchedOn() throws Exception {
    assertThat(Arc.container().select(SpanExporter.class).isUnsatisfied())
        .as("the exporter that drops spans is out of the way").isTrue();
    tracer.spanBuilder("switched on").startSpan().end();
    COLLECTOR.setSoTimeout(60_000); // a bound on a failing run, not a measurement
    try (Socket exporter = COLLECTOR.accept()) {
      assertThat(exporter.isConnected()).isTrue();
    }
  }
}
