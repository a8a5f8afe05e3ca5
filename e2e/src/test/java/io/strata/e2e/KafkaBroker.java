package io.strata.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Kafka broker (KRaft, combined broker and controller) as its own process, from the Kafka
 * jars of this build, on free loopback ports and with its own log folder. Unlike the in-process
 * test broker it can be stopped and started again on the same ports with the same data, which is
 * what "Kafka restarts during provisioning" needs.
 */
final class KafkaBroker implements AutoCloseable {
  final int port;
  private final ChildProcess process;

  private KafkaBroker(int port, ChildProcess process) {
    this.port = port;
    this.process = process;
  }

  /**
   * Formats the broker's storage and starts it, without waiting for it to listen: the services may
   * start meanwhile (their Kafka clients connect when it does); {@link #awaitListening} waits.
   */
  static KafkaBroker start(Path dir) throws Exception {
    int port = Ports.free();
    int controller = Ports.free();
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Path config = dir.resolve("server.properties");
    Files.writeString(config, String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.bootstrap.servers=127.0.0.1:" + controller,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        "log.dirs=" + data,
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=true",
        "num.partitions=6",
        "num.network.threads=2",
        "num.io.threads=2",
        "background.threads=2",
        ""));
    Path log = dir.resolve("kafka.log");
    ChildProcess format = new ChildProcess("kafka-format",
        java("kafka.tools.StorageTool", "format", "--cluster-id", org.apache.kafka.common.Uuid.randomUuid().toString(),
            "--config", config.toString(), "--standalone"), log).start();
    format.awaitCondition(() -> !format.alive(), Duration.ofSeconds(120), "done formatting");
    ChildProcess broker = new ChildProcess("kafka", java("kafka.Kafka", config.toString()), log);
    KafkaBroker kafka = new KafkaBroker(port, broker);
    broker.start();
    return kafka;
  }

  private static List<String> java(String main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx384m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main);
    cmd.addAll(List.of(args));
    return cmd;
  }

  String bootstrap() {
    return "127.0.0.1:" + port;
  }

  void startAndWait() throws Exception {
    process.start();
    awaitListening();
  }

  /** Waits until the broker takes connections (failing early, with its log, if it exited). */
  void awaitListening() throws Exception {
    process.awaitCondition(this::listening, Duration.ofSeconds(120), "listening on " + port);
  }

  void stop() throws InterruptedException {
    process.stop();
  }

  private boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
