package io.strata.console.e2e;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.MessageType;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.Events;
import io.strata.contracts.event.NodeEnrolled;
import io.strata.contracts.Topics;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.UsageMessages;
import io.strata.testsupport.KafkaTestBroker;
import io.strata.testsupport.PostgresTestResource;
import io.strata.testsupport.TestServers;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The real stack behind the console for the browser tests, started as infra/bin/stack starts it,
 * on free ports: a Kafka broker (Kafka's own KRaft test kit, in this JVM), the control plane with
 * provisioning on and the demo tenants acme and globex, billing, and two storage nodes' agents
 * (zones z1 and z2, on 127.0.0.1 and 127.0.0.2, as the local stack runs them), each with four
 * 4 GiB SSDs and two 16 GiB HDDs (sparse files), running real array engines. The demo drives are
 * two SSDs a node: with them the test classes' arrays competed for SSDs, and whichever class ran
 * second found too few free (a defaults array takes one SSD of each node). Each service gets a fresh
 * PostgreSQL database. The console is pointed at the control plane and billing through its REST
 * client URLs.
 *
 * <p>It needs the services' jars (control-plane/service, billing and array-agent/agent
 * {@code target/quarkus-app}): the full reactor build makes them before web-console. Without
 * them nothing starts and {@link #missing} says why; the tests that need the stack are skipped.
 */
public class StrataStack implements QuarkusTestResourceLifecycleManager {

  static final List<String> MODULES = List.of("control-plane/service", "billing", "array-agent/agent");
  /** The node id the agent announces itself with. */
  static final String NODE_ID = "console-e2e-node";
  /** The second node's, in another zone on 127.0.0.2. */
  static final String NODE_2_ID = "console-e2e-node-2";

  static volatile String missing;
  static volatile String controlPlaneApi;
  static volatile String kafka;

  private KafkaTestBroker broker;
  private final List<ServiceProcess> services = new ArrayList<>();
  private final List<String> databases = new ArrayList<>();

  @Override
  public Map<String, String> start() {
    List<String> notBuilt = MODULES.stream().filter(m -> !ServiceProcess.built(m)).toList();
    if (!notBuilt.isEmpty()) {
      missing = "not built: " + notBuilt + " (run the full reactor build, or ./mvnw -pl "
          + String.join(",", MODULES) + " -am package -DskipTests)";
      return Map.of();
    }
    try {
      broker = KafkaTestBroker.start();
      kafka = broker.bootstrapServers();
      String cpDb = database("console_cp");
      // a production run needs a key of its own: the control plane seals CHAP secrets, the agent opens them
      String secretsKey = io.strata.testsupport.SecretsKeys.random();
      String billingDb = database("console_billing");
      ServiceProcess controlPlane = ServiceProcess.launch("control-plane", "control-plane/service", Map.of(
          "STRATA_DB_URL", PostgresTestResource.jdbcUrl(cpDb),
          "STRATA_OIDC_URL", TestServers.realmUrl(),
          "STRATA_KEYCLOAK_URL", TestServers.keycloakUrl(),
          "STRATA_KAFKA", kafka,
          "STRATA_DEMO_TENANTS", "acme,globex",
          "STRATA_SECRETS_KEY", secretsKey),
          // engines' portals on a free port rather than the default 3261 other tests may hold
          List.of("-Dstrata.control-plane.target.first-portal-port=" + ServiceProcess.freePort(),
              // the render-time test's node has no agent: its array must not fail while it is filled
              "-Dstrata.provisioning.transition-timeout=30m",
              "-Dstrata.provisioning.heartbeat-timeout=30m",
              // the alerts test's webhook receiver listens on 127.0.0.1, as in dev and tests
              "-Dstrata.alerts.webhooks.tenant-private-targets=true",
              // the alerts test waits for alerts to fire and to resolve: an evaluation every 2 s
              // rather than 10 s (the console's alerts page refreshes as often in tests)
              "-Dstrata.alerts.evaluate-every=2s"));
      services.add(controlPlane);
      ServiceProcess billing = ServiceProcess.launch("billing", "billing", Map.of(
          "STRATA_BILLING_DB_URL", PostgresTestResource.jdbcUrl(billingDb),
          "STRATA_OIDC_URL", TestServers.realmUrl(),
          "STRATA_KAFKA_BOOTSTRAP", kafka), List.of());
      services.add(billing);
      // two storage nodes in two zones, as infra/bin/stack starts them, so that the console's
      // defaults (spread NODE: an array's drives on two nodes) work (issue 18); each lends its
      // drives on the default drive portal port of its own address (a port picked here as free
      // could be taken by the agent's own HTTP port, picked the same way, before it binds)
      services.add(agent("agent", NODE_ID, "z1", "127.0.0.1", secretsKey));
      services.add(agent("agent-2", NODE_2_ID, "z2", "127.0.0.2", secretsKey));
      for (ServiceProcess s : services) {
        s.awaitReady(Duration.ofSeconds(240));
      }
      controlPlaneApi = controlPlane.url() + "/api/v1";
      return Map.of(
          "quarkus.rest-client.control-plane.url", controlPlaneApi,
          "quarkus.rest-client.billing.url", billing.url() + "/api/v1");
    } catch (Exception e) {
      stop();
      throw new IllegalStateException("the Strata stack did not start: " + e.getMessage(), e);
    }
  }

  private ServiceProcess agent(String name, String nodeId, String zone, String address, String secretsKey)
      throws IOException {
    Path data = Paths.get("target", "console-" + name).toAbsolutePath();
    deleteTree(data);
    createDrives(data.resolve("drives"));
    return ServiceProcess.launch(name, "array-agent/agent", Map.of(
        "STRATA_KAFKA", kafka,
        "STRATA_NODE_ID", nodeId,
        "STRATA_ZONE", zone,
        "STRATA_NODE_ADDRESS", address,
        "STRATA_AGENT_DATA_DIR", data.toString(),
        "STRATA_SECRETS_KEY", secretsKey), List.of());
  }

  /** The agent's drives: a drives folder that is not empty keeps the agent from making its demo drives. */
  private static void createDrives(Path folder) throws IOException {
    Files.createDirectories(folder);
    for (int i = 0; i < 4; i++) {
      sparseFile(folder.resolve("ssd-" + i + ".ssd.img"), 4L << 30);
    }
    for (int i = 0; i < 2; i++) {
      sparseFile(folder.resolve("hdd-" + i + ".hdd.img"), 16L << 30);
    }
  }

  private static void sparseFile(Path file, long bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(bytes);
    }
  }

  private String database(String prefix) {
    String db = PostgresTestResource.createDatabase(prefix);
    databases.add(db);
    return db;
  }

  @Override
  public void stop() {
    for (int i = services.size() - 1; i >= 0; i--) {
      services.get(i).close();
    }
    services.clear();
    if (broker != null) {
      broker.close();
      broker = null;
    }
    databases.forEach(PostgresTestResource::dropDatabase);
    databases.clear();
  }

  private static final AtomicLong SEQUENCE = new AtomicLong(System.currentTimeMillis() * 1000);

  /**
   * Publishes a usage sample on strata.usage exactly as an agent does (envelope, key, topic), for
   * intervals the agent was not running (last month). Billing prices it like any other sample.
   */
  static void publishUsage(ArrayUsageSample sample) {
    publish(Topics.USAGE, sample.arrayId(), UsageMessages.ARRAY_USAGE_SAMPLE, "agent/console-e2e-meter",
        "array/" + sample.arrayId(), sample);
  }

  /** Announces a storage node on strata.events as its agent would, with no engine behind it. */
  static void announceNode(NodeEnrolled node) {
    publish(Topics.EVENTS, node.nodeId(), Events.NODE_ENROLLED, "agent/" + node.nodeId(),
        Events.nodeSubject(node.nodeId()), node);
  }

  /** Reports an array's state on strata.events as the agent of its engine's node would. */
  static void reportArray(ArrayStatus status) {
    publish(Topics.EVENTS, status.nodeId(), Events.ARRAY_STATUS, "agent/" + status.nodeId(),
        "array/" + status.arrayId(), status);
  }

  /** Sends an array's performance sample on strata.events as the agent of its engine's node does. */
  static void publishPerformance(io.strata.contracts.event.ArrayPerformance sample) {
    publish(Topics.EVENTS, sample.nodeId(), Events.ARRAY_PERFORMANCE, "agent/" + sample.nodeId(),
        "array/" + sample.arrayId(), sample);
  }

  private static <T> void publish(String topic, String key, MessageType<T> type, String source, String subject, T payload) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    MessageCodec codec = MessageCodec.of(type);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      var envelope = codec.envelope(type, source, SEQUENCE.incrementAndGet(), subject, payload);
      producer.send(new ProducerRecord<>(topic, key, codec.encode(envelope))).get();
    } catch (Exception e) {
      throw new IllegalStateException("could not publish " + type.type() + " on " + topic, e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
