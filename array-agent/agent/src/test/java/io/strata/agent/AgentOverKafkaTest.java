package io.strata.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.Topics;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.LunSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.ServerSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import io.strata.contracts.command.Commands;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.command.SealingKeyPolicy;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.CommandResult;
import io.strata.contracts.event.CommandResult.Outcome;
import io.strata.contracts.event.Events;
import io.strata.contracts.event.NodeEnrolled;
import io.strata.testsupport.KafkaTestResource;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The agent of node 7 against a real Kafka broker: it announces itself, takes only its own
 * commands, applies each once, refuses what it cannot read, and reports engine status.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(AgentTestNode.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentOverKafkaTest {

  @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap;
  @ConfigProperty(name = "strata.agent.secrets.key") Optional<String> key;
  @ConfigProperty(name = "strata.agent.secrets.key-id") String keyId;

  final MessageCodec codec = AgentLifecycle.codec();
  EventsTap events;
  KafkaProducer<String, byte[]> producer;

  @BeforeAll
  void connect() {
    events = new EventsTap(bootstrap);
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producer = new KafkaProducer<>(props);
  }

  @AfterAll
  void disconnect() throws Exception {
    producer.close();
    events.close();
  }

  void send(String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(Topics.COMMANDS, key, value)).get();
  }

  Envelope command(ArrayDesiredState desired) {
    return codec.envelope(Commands.ARRAY_DESIRED_STATE, "test-control-plane", 1, Commands.arraySubject(desired.arrayId()), desired);
  }

  ArrayDesiredState desired(String arrayId, String node, long generation, boolean present, int port) {
    SealedSecret secrets = new SealedSecret(SealingKeyPolicy.keyFor(true, key), keyId);
    return new ArrayDesiredState(arrayId, node, "acme", generation, present, new EngineSpec("E01", 1, 4096), port,
        "iqn.2026-11.io.strata:acme." + arrayId,
        // An HDD pool with a flash cache: the array's SSD outside every pool serves as its cache.
        List.of(new DriveSpec("d1", "n7-ssd-0", DriveType.SSD, 4, null), new DriveSpec("d2", "n7-hdd-0", DriveType.HDD, 16, "p1")),
        List.of(new PoolSpec("p1", "pool", DriveType.HDD, "NONE", "WRITE_BACK", false, 16)),
        List.of(new VolumeSpec("v1", "p1", "vol", 1, true, null, null, List.of())),
        List.of(new ServerSpec("s1", "iqn.2026-11.test:host", "host", secrets.seal("secret-of-16-bytes"), null, null)),
        List.of(new LunSpec("t1", "v1", "s1", 0, false)));
  }

  @Test
  void announcesTheNodeItsDrivesAndItsStateThenBeats() {
    NodeEnrolled enrolled = events.await(Events.NODE_ENROLLED, e -> e.nodeId().equals("7"));
    assertThat(enrolled.drives()).extracting(NodeEnrolled.Drive::serial)
        .contains("n7-ssd-0", "n7-ssd-1", "n7-hdd-0", "n7-hdd-1");
    assertThat(enrolled.drives()).extracting(NodeEnrolled.Drive::type).contains(DriveType.SSD, DriveType.HDD);
    assertThat(enrolled.cpuCores()).isPositive();
    assertThat(enrolled.memoryMib()).isPositive();
    assertThat(enrolled.isolation().ownProcess()).isTrue();
    assertThat(enrolled.isolation().notes()).isNotEmpty();
    events.await(Events.NODE_STATE_REPORT, r -> r.nodeId().equals("7"));
    await().atMost(Duration.ofSeconds(60)).until(() -> events.all(Events.NODE_HEARTBEAT).size() >= 2);
  }

  @Test
  void appliesItsCommandOnceAndReportsTheEngineOnlineThenDeleted() throws Exception {
    int port = freePort();
    Envelope create = command(desired("k1", "7", 1, true, port));
    send("7", codec.encode(create));
    CommandResult applied = events.await(Events.COMMAND_APPLIED, r -> r.commandId().equals(create.id()));
    assertThat(applied.outcome()).isEqualTo(Outcome.APPLIED);
    ArrayStatus online = events.await(Events.ARRAY_STATUS, s -> s.arrayId().equals("k1") && s.state() == ArrayStatus.State.ONLINE);
    assertThat(online.portal()).isEqualTo("127.0.0.1:" + port);
    assertThat(online.enginePid()).isNotNull();

    send("7", codec.encode(create));
    events.await(Events.COMMAND_APPLIED, r -> r.commandId().equals(create.id()) && r.outcome() == Outcome.ALREADY_APPLIED);
    assertThat(events.all(Events.COMMAND_APPLIED).stream()
        .filter(r -> r.commandId().equals(create.id()) && r.outcome() == Outcome.APPLIED)).hasSize(1);

    Envelope delete = command(desired("k1", "7", 2, false, port));
    send("7", codec.encode(delete));
    events.await(Events.ARRAY_STATUS, s -> s.arrayId().equals("k1") && s.state() == ArrayStatus.State.DELETED);
    assertThat(ProcessHandle.of(online.enginePid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void leavesOtherNodesCommandsAlone() throws Exception {
    int port = freePort();
    Envelope forNode8 = command(desired("k8", "8", 1, true, port));
    send("8", codec.encode(forNode8));
    Envelope marker = command(desired("k7", "7", 1, false, port));
    send("7", codec.encode(marker));
    events.await(Events.COMMAND_APPLIED, r -> r.commandId().equals(marker.id()));
    assertThat(events.all(Events.COMMAND_APPLIED)).noneMatch(r -> r.commandId().equals(forNode8.id()));
    assertThat(events.all(Events.ARRAY_STATUS)).noneMatch(s -> s.arrayId().equals("k8"));
  }

  @Test
  void refusesAndParksACommandItCannotRead() throws Exception {
    String future = "{\"specversion\":\"1.0\",\"id\":\"future-1\",\"type\":\"io.strata.command.array.desired-state\","
        + "\"dataversion\":2,\"source\":\"cp\",\"sequence\":1,\"time\":\"2026-11-25T00:00:00Z\",\"data\":{}}";
    send("7", future.getBytes(StandardCharsets.UTF_8));
    CommandResult refused = events.await(Events.COMMAND_FAILED,
        r -> r.outcome() == Outcome.REFUSED && r.reason().contains("version 2 is not readable"));
    assertThat(Files.list(AgentTestNode.folder.resolve("parked")))
        .anyMatch(p -> p.getFileName().toString().equals(refused.commandId() + ".json"));
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
