package io.strata.agent;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.strata.agent.metrics.AgentMeters;
import io.strata.agent.metrics.EngineMetrics;
import io.strata.agent.metrics.NodeArrays;
import jakarta.inject.Inject;
import io.strata.agent.commands.AppliedCommands;
import io.strata.agent.commands.CommandConsumer;
import io.strata.agent.commands.Reconciler;
import io.strata.agent.config.AgentConfig;
import io.strata.agent.events.EventPublisher;
import io.strata.agent.events.TopicSetup;
import io.strata.agent.export.DriveExportService;
import io.strata.agent.heartbeat.Heartbeats;
import io.strata.agent.inventory.Drive;
import io.strata.agent.inventory.DriveScanner;
import io.strata.agent.inventory.HostFacts;
import io.strata.agent.supervision.EngineLauncher;
import io.strata.agent.supervision.Isolation;
import io.strata.agent.performance.PerformanceSampler;
import io.strata.agent.usage.UsageSampler;
import io.strata.agent.usage.UsageSequence;
import io.strata.contracts.usage.UsageMessages;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.MessageType;
import io.strata.contracts.command.Commands;
import io.strata.contracts.command.DriveExportCredentials;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.command.SealingKeyPolicy;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.Events;
import io.strata.contracts.event.NodeEnrolled;
import io.strata.contracts.event.NodeStateReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The agent's life on a node: find the drives (creating demo drives on an empty development
 * node), re-converge the arrays it held before, announce the node, start reading its commands,
 * report its full state, and beat. On shutdown, stop reading, stop the engines, say nothing more.
 */
@ApplicationScoped
public class AgentLifecycle {

  private static final Logger LOG = Logger.getLogger(AgentLifecycle.class);

  private final AgentConfig config;
  private final String bootstrapServers;

  private ScheduledExecutorService supervision;
  private ScheduledExecutorService sampling;
  private DriveScanner drives;
  private Isolation isolation;
  private Reconciler reconciler;
  private EventPublisher events;
  private CommandConsumer commands;
  private Heartbeats heartbeats;
  private AgentMeters meters;
  @Inject MeterRegistry registry;
  /** Quarkus' tracer (docs/observability.md, "Tracing"). */
  @Inject io.opentelemetry.api.trace.Tracer tracer;
  @ConfigProperty(name = "strata.metrics.engine-refresh", defaultValue = "5s") Duration metricsRefresh;

  AgentLifecycle(AgentConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
    this.config = config;
    this.bootstrapServers = bootstrapServers;
  }

  void onStart(@Observes StartupEvent start) {
    // First: a node that could open its commands' secrets with a public key must not start at all.
    String secretsKey = SealingKeyPolicy.keyFor(LaunchMode.current().isDevOrTest(), config.secrets().key());
    Path data = Path.of(config.dataDir()).toAbsolutePath();
    drives = new DriveScanner(config.nodeId(), data.resolve("drives"));
    if (config.demoDrives() && drives.createDemoDrivesIfEmpty()) {
      LOG.infof("created demo drives in %s", drives.folder());
    }
    isolation = Isolation.detect(config.engine().cgroupLimits());
    LOG.infof("node %s: engine isolation %s%s", config.nodeId(), isolation.cgroups(), isolation.notes());
    supervision = Executors.newSingleThreadScheduledExecutor(daemon("strata-agent-supervision"));
    // the usage and performance samplers (the heartbeat has a thread of its own: Heartbeats)
    sampling = Executors.newSingleThreadScheduledExecutor(daemon("strata-agent-sampling"));
    MessageCodec codec = codec();
    if (config.messagingEnabled()) {
      events = new EventPublisher(bootstrapServers, config.nodeId(), codec);
      events.traceUsageWith(new io.strata.agent.tracing.UsageSpans(tracer));
    }
    EngineLauncher launcher = new EngineLauncher(config.engine().mainClass(), config.engine().classpath(),
        config.engine().jvmOptions().orElse(List.of()), engineMode())
        .withKmipSettings(config.engine().kmipSettings());
    reconciler = new Reconciler(config.nodeId(), config.address(), data.resolve("arrays"), drives,
        new SealedSecret(secretsKey, config.secrets().keyId()),
        new Reconciler.EngineSettings(launcher, isolation, supervision, config.engine().restartBackoffMin(),
            config.engine().restartBackoffMax(), config.engine().readyTimeout()),
        new DriveExportService.Settings(config.address(), config.drivePortalPort(),
            new DriveExportCredentials(secretsKey)),
        this::arrayChanged);
    reconciler.traceWith(new io.strata.agent.tracing.EngineLayoutSpans(tracer));
    reconciler.restore();
    meters = new AgentMeters(registry, new EngineMetrics(registry, new NodeArrays(reconciler)), metricsRefresh);
    if (!config.messagingEnabled()) {
      return;
    }
    TopicSetup.ensure(bootstrapServers, Duration.ofSeconds(120),
        new TopicSetup.Replication(config.topics().replicationFactor(), config.topics().minInsyncReplicas()));
    events.publishAboutNode(Events.NODE_ENROLLED, enrollment());
    commands = new CommandConsumer(bootstrapServers, config.nodeId(), codec, reconciler,
        new AppliedCommands(data.resolve("applied-commands.log")), events, data.resolve("parked"),
        new io.strata.agent.tracing.CommandSpans(tracer));
    commands.start(Duration.ofSeconds(180));
    meters.bindKafka(commands.kafkaClient(), events.kafkaClient(), "strata-agent-" + config.nodeId());
    events.publishAboutNode(Events.NODE_STATE_REPORT, stateReport());
    heartbeats = new Heartbeats(config.nodeId(), config.heartbeatInterval(),
        new Heartbeats.Counts(reconciler::arrayCount, reconciler::enginesRunning),
        beat -> events.publishAboutNode(Events.NODE_HEARTBEAT, beat));
    UsageSequence usageSequence = new UsageSequence(data.resolve("usage-sequence"));
    UsageSampler usage = new UsageSampler(config.nodeId(), reconciler,
        sample -> events.publishUsage(sample, usageSequence.next()), Clock.systemUTC());
    long every = config.usageInterval().toMillis();
    sampling.scheduleAtFixedRate(() -> {
      try {
        usage.sampleAll();
      } catch (RuntimeException e) {
        LOG.warnf("usage sampling failed: %s", e.getMessage());
      }
    }, 0, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    Duration performanceInterval = config.performanceInterval();
    if (!performanceInterval.isZero()) {
      PerformanceSampler performance = new PerformanceSampler(config.nodeId(), reconciler::desiredStates,
          meters.engines()::latest,
          sample -> events.publish(Events.ARRAY_PERFORMANCE, Commands.arraySubject(sample.arrayId()), sample),
          Clock.systemUTC());
      sampling.scheduleAtFixedRate(() -> {
        try {
          performance.sampleAll();
        } catch (RuntimeException e) {
          LOG.warnf("performance sampling failed: %s", e.getMessage());
        }
      }, performanceInterval.toMillis(), performanceInterval.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    LOG.infof("agent of node %s running; data in %s", config.nodeId(), data);
  }

  void onStop(@Observes ShutdownEvent stop) {
    if (meters != null) {
      meters.close();
    }
    if (heartbeats != null) {
      heartbeats.close();
    }
    if (commands != null) {
      commands.close();
    }
    if (reconciler != null && config.engine().stopOnShutdown()) {
      reconciler.stopAll();
    }
    if (events != null) {
      events.close();
    }
    if (supervision != null) {
      supervision.shutdownNow();
      sampling.shutdownNow();
    }
  }

  public NodeEnrolled enrollment() {
    HostFacts host = HostFacts.ofThisHost();
    return new NodeEnrolled(config.nodeId(), config.zone(), config.address(),
        config.cpuCores().orElse(host.cpuCores()), config.memoryMib().orElse(host.memoryMib()),
        inventory(), new NodeEnrolled.Isolation(engineMode() == EngineLauncher.Mode.PROCESS,
            isolation.cgroups().name().toLowerCase(), engineMode() == EngineLauncher.Mode.PROCESS && isolation.limits(),
            false, isolation.notes()), getClass().getPackage().getImplementationVersion(), config.drivePortalPort());
  }

  private EngineLauncher.Mode engineMode() {
    String mode = config.engine().mode().trim().toUpperCase(java.util.Locale.ROOT);
    try {
      return EngineLauncher.Mode.valueOf(mode);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("strata.agent.engine.mode must be process or hosted, not '"
          + config.engine().mode() + "'");
    }
  }

  public NodeStateReport stateReport() {
    return new NodeStateReport(config.nodeId(), reconciler.statuses(), inventory());
  }

  public Reconciler reconciler() {
    return reconciler;
  }

  private List<NodeEnrolled.Drive> inventory() {
    List<NodeEnrolled.Drive> found = new ArrayList<>();
    for (Drive d : drives.scan()) {
      found.add(new NodeEnrolled.Drive(d.serial(), d.type(), d.capacityGib(), d.path().toString()));
    }
    return found;
  }

  private void arrayChanged(ArrayStatus status) {
    if (events != null) {
      events.publish(Events.ARRAY_STATUS, Commands.arraySubject(status.arrayId()), status);
    }
  }

  static MessageCodec codec() {
    List<MessageType<?>> types = new ArrayList<>(Commands.all());
    types.addAll(Events.all());
    types.addAll(UsageMessages.ALL);
    return new MessageCodec(types, Clock.systemUTC());
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
