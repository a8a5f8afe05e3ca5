package io.strata.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.strata.agent.events.EventPublisher;
import io.strata.agent.events.TopicSetup;
import io.strata.agent.tracing.CommandSpans;
import io.strata.agent.tracing.EngineLayoutSpans;
import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.MessageType;
import io.strata.contracts.Topics;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import io.strata.contracts.command.Commands;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.event.Events;
import io.strata.testsupport.KafkaTestBroker;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's half of one create-array trace (docs/observability.md, "Tracing"), against a real
 * Kafka broker and the real engine process: a command whose record carries a W3C traceparent
 * header (as the control plane's relay writes it, ProvisioningOverKafkaTest) is processed in a
 * span continuing that trace, applied in a child span, and the engine's start with the layout is
 * a child of the apply; the engine logs the trace with the revision it applied. A later change
 * is a reload, in the trace of its own command.
 */
class AgentTracingTest {

  static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

  @TempDir Path data;

  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  final SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  final Tracer tracer = provider.get("test");
  final MessageCodec codec = codec();
  KafkaTestBroker broker;
  ScheduledExecutorService scheduler;
  Reconciler reconciler;
  EventPublisher events;
  CommandConsumer consumer;
  KafkaProducer<String, byte[]> controlPlane;

  static MessageCodec codec() {
    List<MessageType<?>> types = new ArrayList<>(Commands.all());
    types.addAll(Events.all());
    return new MessageCodec(types, Clock.systemUTC());
  }

  @BeforeEach
  void start() {
    var classpath = RealEngineTest.engineClasspath();
    broker = KafkaTestBroker.start();
    TopicSetup.ensure(broker.bootstrapServers(), Duration.ofSeconds(60));
    scheduler = Executors.newSingleThreadScheduledExecutor();
    reconciler = RealEngineTest.realEngineReconciler(data, new SealedSecret(KEY, "k1"), scheduler, classpath);
    reconciler.traceWith(new EngineLayoutSpans(tracer));
    events = new EventPublisher(broker.bootstrapServers(), "1", codec);
    consumer = new CommandConsumer(broker.bootstrapServers(), "1", codec, reconciler,
        new AppliedCommands(data.resolve("applied-commands.log")), events, data.resolve("parked"),
        new CommandSpans(tracer));
    consumer.start(Duration.ofSeconds(60));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    controlPlane = new KafkaProducer<>(p);
  }

  @AfterEach
  void stop() {
    if (consumer != null) {
      consumer.close();
      controlPlane.close();
      events.close();
    }
    if (reconciler != null) {
      reconciler.stopAll();
      scheduler.shutdownNow();
    }
    if (broker != null) {
      broker.close();
    }
    provider.close();
  }

  @Test
  void aCommandsTraceGoesOnThroughTheApplyToTheEnginesLayout() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Span publish = send(desired(port, 1, List.of(volume("v1"))));
    SpanData started = finished("engine start layout");
    assertConnected(publish, started);
    assertThat(started.getAttributes().asMap()).containsEntry(
        io.opentelemetry.api.common.AttributeKey.longKey("strata.layout.revision"), 1L);
    assertThat(started.getStatus().getStatusCode()).isNotEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    awaitEngineLogged(1, started);

    // a change to the running engine is a reload, in the trace of the command that asked for it
    Span second = send(desired(port, 2, List.of(volume("v1"), volume("v2"))));
    SpanData reloaded = finished("engine reload layout");
    assertConnected(second, reloaded);
    assertThat(reloaded.getTraceId()).isNotEqualTo(started.getTraceId());
    awaitEngineLogged(2, reloaded);
  }

  /** The span chain: the header's span, then process, apply and the engine's span, one trace. */
  void assertConnected(Span publish, SpanData engine) {
    String trace = publish.getSpanContext().getTraceId();
    List<SpanData> inTrace = spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(trace)).toList();
    SpanData process = only(inTrace, "process " + Topics.COMMANDS);
    SpanData apply = only(inTrace, "apply array desired state");
    assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(process.getParentSpanId()).as("process continues the header's span")
        .isEqualTo(publish.getSpanContext().getSpanId());
    assertThat(apply.getParentSpanId()).isEqualTo(process.getSpanId());
    assertThat(engine.getTraceId()).isEqualTo(trace);
    assertThat(engine.getParentSpanId()).as("the engine's span is the apply's child").isEqualTo(apply.getSpanId());
  }

  SpanData only(List<SpanData> inTrace, String name) {
    List<SpanData> named = inTrace.stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(named).as(name).hasSize(1);
    return named.get(0);
  }

  /** Waits until the engine's span of that name ends (the agent read the engine's status). */
  SpanData finished(String name) {
    await().atMost(Duration.ofSeconds(60)).until(() -> spans.getFinishedSpanItems().stream()
        .anyMatch(s -> s.getName().equals(name)));
    return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).reduce((a, b) -> b).orElseThrow();
  }

  void awaitEngineLogged(long revision, SpanData engineSpan) {
    Path log = data.resolve("arrays").resolve("a1").resolve("engine.log");
    String line = "layout revision " + revision + " applied trace_id=" + engineSpan.getTraceId() + " span_id="
        + engineSpan.getSpanId();
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.isRegularFile(log)
        && Files.readString(log, StandardCharsets.UTF_8).contains(line));
  }

  /** Sends the command as the control plane's relay does: inside its publish span, the span in the header. */
  Span send(ArrayDesiredState desired) throws Exception {
    Envelope envelope = codec.envelope(Commands.ARRAY_DESIRED_STATE, "test-control-plane", desired.generation(),
        Commands.arraySubject(desired.arrayId()), desired);
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.COMMANDS, "1", codec.encode(envelope));
    Span publish = tracer.spanBuilder("publish " + Topics.COMMANDS).setSpanKind(SpanKind.PRODUCER).startSpan();
    W3CTraceContextPropagator.getInstance().inject(Context.root().with(publish), record.headers(),
        (headers, key, value) -> headers.add(key, value.getBytes(StandardCharsets.UTF_8)));
    controlPlane.send(record).get();
    publish.end();
    return publish;
  }

  static VolumeSpec volume(String id) {
    return new VolumeSpec(id, "p1", id, 1, true, null, null, List.of());
  }

  ArrayDesiredState desired(int port, long generation, List<VolumeSpec> volumes) {
    return new ArrayDesiredState("a1", "1", "acme", generation, true, new EngineSpec("E01", 1, 1024), port,
        RealEngineTest.iqn("acme", "a1"),
        List.of(new DriveSpec("d1", "n1-ssd-0", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "pool", DriveType.SSD, "NONE", "NONE", false, 4)),
        volumes, List.of(), List.of());
  }
}
