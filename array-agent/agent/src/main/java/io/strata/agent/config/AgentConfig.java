package io.strata.agent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The agent's settings ({@code strata.agent.*}); environment variables in application.properties. */
@ConfigMapping(prefix = "strata.agent")
public interface AgentConfig {

  /** This node's id: the key of its commands on strata.commands (STRATA_NODE_ID). */
  String nodeId();

  /** The fault domain above this node (rack, room, zone). */
  @WithDefault("zone-a")
  String zone();

  /** The address engines' portals listen on and initiators connect to. */
  @WithDefault("127.0.0.1")
  String address();

  /**
   * The port (on {@link #address}) of the node's drive export service, which lends this node's
   * drives to arrays whose engine runs on another node; 0: the node lends no drives. Reported to
   * the control plane in the node's enrolment.
   */
  @WithDefault("3259")
  int drivePortalPort();

  /** Where the agent keeps drives (drives/), arrays' volumes and engine logs (arrays/), and its memory. */
  String dataDir();

  /** Creates a few file-backed SSD and HDD drives when the drives folder is empty (development, tests). */
  @WithDefault("true")
  boolean demoDrives();

  /** How often the agent says it is alive (1 s: an HA array fails over after 4 s without one). */
  @WithDefault("1s")
  Duration heartbeatInterval();

  /** How often the agent publishes a usage sample per array on strata.usage. */
  @WithDefault("60s")
  Duration usageInterval();

  /**
   * How often the tenants' performance history gets a sample per array (docs/observability.md);
   * 0 turns it off. Part of the mapping: under the mapping's prefix a property it does not name
   * fails the agent's start ("does not map to any root").
   */
  @WithDefault("60s")
  Duration performanceInterval();

  /** Whether the agent talks to Kafka at all (off only for tests of its HTTP side). */
  @WithDefault("true")
  boolean messagingEnabled();

  Engine engine();

  Secrets secrets();

  Topics topics();

  /**
   * How Strata's topics are replicated when the agent creates them: one copy on the single broker
   * of the local stack; 3 copies with 2 in sync for the 3-broker cluster (infra/bin/stack up
   * --cluster), so that the loss of one broker loses no acknowledged message and stops no writer.
   */
  interface Topics {
    /** Copies of each partition (STRATA_KAFKA_REPLICATION_FACTOR); at most the number of brokers. */
    @WithDefault("1")
    short replicationFactor();

    /** Copies that must have a write before acks=all succeeds (STRATA_KAFKA_MIN_INSYNC_REPLICAS). */
    @WithDefault("1")
    int minInsyncReplicas();
  }

  /**
   * The CPU cores this node offers the scheduler (STRATA_NODE_CPU_CORES), when not the host's own.
   * Each array's engine reserves its size's vCPUs (E01: 1): the scale drill's hosted engines are
   * small enough for many to share a core, so its nodes offer more than they have.
   */
  Optional<Integer> cpuCores();

  /** The memory (MiB) this node offers the scheduler (STRATA_NODE_MEMORY_MIB), when not the host's own. */
  Optional<Long> memoryMib();

  interface Engine {
    /**
     * How engines run (STRATA_ENGINE_MODE): {@code process}, each its own JVM, confined in its
     * own cgroup, adopted by a restarted agent; or {@code hosted}, the same engine inside the
     * agent's JVM, for a fleet of small engines on one machine (the scale drill,
     * docs/benchmarks/scale.md): no cgroup limits, and an agent that stops stops its engines.
     */
    @WithDefault("process")
    String mode();

    /** The engine's main class, the same one array-agent/bin/strata-engine runs. */
    @WithDefault("io.strata.engine.cli.EngineMain")
    String mainClass();

    /**
     * The engine's class path. When absent, the agent uses the jars it was built with (the
     * engine is one of its dependencies), which is right for the packaged agent and for tests.
     */
    Optional<String> classpath();

    /**
     * The KMS settings file every array engine gets as {@code --kmip} (docs/encryption.md): where
     * the KMIP server is and the node's client certificate. Absent: engines serve no encrypted
     * volume (they report it NOT READY).
     */
    Optional<java.nio.file.Path> kmipSettings();

    /** Extra JVM options for every engine process. */
    Optional<List<String>> jvmOptions();

    /** How long an engine may take to print its ready line. */
    @WithDefault("30s")
    Duration readyTimeout();

    /** First wait before restarting a crashed engine; doubles up to {@link #restartBackoffMax}. */
    @WithDefault("500ms")
    Duration restartBackoffMin();

    @WithDefault("30s")
    Duration restartBackoffMax();

    /** Stop engines when the agent stops (the stack's way); false leaves them serving for an upgrade. */
    @WithDefault("true")
    boolean stopOnShutdown();

    /** Apply cgroup CPU and memory limits from the engine size when the host allows it. */
    @WithDefault("true")
    boolean cgroupLimits();
  }

  interface Secrets {
    /**
     * AES-256 key (base64) shared with the control plane, opening CHAP secrets in commands:
     * STRATA_SECRETS_KEY. Required outside dev and tests, where it must not be the development key
     * (SealingKeyPolicy).
     */
    Optional<String> key();

    String keyId();
  }
}
