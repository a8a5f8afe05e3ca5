package io.strata.controlplane.provisioning;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.MessageType;
import io.strata.contracts.Topics;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.Commands;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.Events;
import io.strata.contracts.event.NodeEnrolled;
import io.strata.contracts.event.NodeHeartbeat;
import io.strata.contracts.event.NodeStateReport;
import io.strata.contracts.event.ObjectStatus;
import io.strata.controlplane.domain.Node;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.OperationState;
import io.strata.testsupport.Tokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The control plane's side of provisioning against the real PostgreSQL, Keycloak and Kafka, with
 * this test playing the storage nodes' agents on Kafka: enrolment creates nodes and drives, an
 * array created through the REST API with a real token leaves as a command keyed by the node,
 * the node's status report moves the array ONLINE, a state report gets the desired state resent
 * and an unknown array deleted, silence makes a node OFFLINE and its array DEGRADED, and an array
 * nobody reports on fails after the timeout with the reason.
 */
@QuarkusTest
@TestProfile(ProvisioningOnProfile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProvisioningOverKafkaTest {

  @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap;

  final MessageCodec codec = codec();
  final List<ConsumerEnvelope> commands = new CopyOnWriteArrayList<>();
  KafkaProducer<String, byte[]> producer;
  Thread tap;
  volatile boolean running = true;
  volatile boolean beating = true;
  String nodeA;
  String nodeB;

  /** A command as the tap read it, with its record's W3C traceparent header (null when it had none). */
  record ConsumerEnvelope(String key, Envelope envelope, String traceparent) {}

  static MessageCodec codec() {
    List<MessageType<?>> types = new ArrayList<>(Events.all());
    types.addAll(Commands.all());
    return new MessageCodec(types, Clock.systemUTC());
  }

  @BeforeAll
  void agents() throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producer = new KafkaProducer<>(p);
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-agents-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c);
    consumer.subscribe(List.of(Topics.COMMANDS));
    tap = new Thread(() -> {
      try (consumer) {
        long lastBeat = 0;
        while (running) {
          consumer.poll(Duration.ofMillis(200)).forEach(r -> {
            try {
              var traceparent = r.headers().lastHeader("traceparent");
              commands.add(new ConsumerEnvelope(r.key(), codec.decode(r.value()),
                  traceparent == null ? null : new String(traceparent.value(), java.nio.charset.StandardCharsets.UTF_8)));
            } catch (Exception e) {
              throw new AssertionError("the relay sent an unreadable command", e);
            }
          });
          if (beating && System.currentTimeMillis() - lastBeat > 1000 && nodeA != null) {
            publish(Events.NODE_HEARTBEAT, new NodeHeartbeat(nodeA, 0, 1, 1, 1000));
            publish(Events.NODE_HEARTBEAT, new NodeHeartbeat(nodeB, 0, 0, 0, 1000));
            lastBeat = System.currentTimeMillis();
          }
        }
      }
    });
    tap.start();
    nodeA = "pn-" + UUID.randomUUID().toString().substring(0, 6);
    nodeB = "pn-" + UUID.randomUUID().toString().substring(0, 6);
    enroll(nodeA, "zone-a", "127.0.0.21");
    enroll(nodeB, "zone-b", "127.0.0.22");
  }

  @AfterAll
  void stop() throws Exception {
    running = false;
    tap.join(5000);
    producer.close();
  }

  <T> void publish(MessageType<T> type, T payload) {
    String node = payload instanceof NodeHeartbeat b ? b.nodeId()
        : payload instanceof NodeEnrolled e ? e.nodeId()
        : payload instanceof NodeStateReport r ? r.nodeId()
        : payload instanceof ArrayStatus s ? s.nodeId() : "?";
    Envelope e = codec.envelope(type, "agent/" + node, System.nanoTime(), Events.nodeSubject(node), payload);
    try {
      producer.send(new ProducerRecord<>(Topics.EVENTS, node, codec.encode(e))).get();
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }

  /**
   * Review of N4b, end to end: an agent whose clock runs 10 s behind sends a heartbeat, which the
   * control plane reads at once; it counts from about its read (within the consumer's bound), not
   * from the agent's 10 s old time (before: the node looked 10 s silent, past
   * strata.ha.failover-after, and its HA arrays failed over).
   */
  @Test
  void aHeartbeatFromAnAgentWhoseClockRunsBehindCountsFromAboutItsRead() throws Exception {
    String slow = "pn-" + UUID.randomUUID().toString().substring(0, 6); // no heartbeats but this test's
    enroll(slow, "zone-s", "127.0.0.23");
    Instant heard = Instant.now().minusSeconds(60);
    await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew().call(() ->
        Node.update("lastHeartbeatAt = ?1 where name = ?2", heard, slow)) == 1);
    MessageCodec slowClock = new MessageCodec(new ArrayList<>(Events.all()),
        Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-10)));
    Instant sent = Instant.now().minusSeconds(10);
    Envelope e = slowClock.envelope(Events.NODE_HEARTBEAT, "agent/" + slow, System.nanoTime(),
        Events.nodeSubject(slow), new NodeHeartbeat(slow, 0, 1, 1, 1000));
    producer.send(new ProducerRecord<>(Topics.EVENTS, slow, slowClock.encode(e))).get();

    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> lastHeartbeat(slow).isAfter(heard));
      assertThat(lastHeartbeat(slow)).isAfter(sent.plusSeconds(5));
    } finally { // no array of the other tests is placed on it
      QuarkusTransaction.requiringNew().run(() -> Node.update("state = ?1 where name = ?2",
          io.strata.controlplane.domain.NodeState.DECOMMISSIONED, slow));
    }
  }

  private static Instant lastHeartbeat(String node) {
    return QuarkusTransaction.requiringNew().call(() -> Node.<Node>find("name", node).firstResult().lastHeartbeatAt);
  }

  void enroll(String node, String zone, String address) {
    publish(Events.NODE_ENROLLED, new NodeEnrolled(node, zone, address, 8, 32 * 1024,
        List.of(new NodeEnrolled.Drive(node + "-ssd-0", DriveType.SSD, 4, "/d/ssd-0"),
            new NodeEnrolled.Drive(node + "-ssd-1", DriveType.SSD, 4, "/d/ssd-1"),
            new NodeEnrolled.Drive(node + "-ssd-2", DriveType.SSD, 4, "/d/ssd-2"),
            new NodeEnrolled.Drive(node + "-ssd-3", DriveType.SSD, 4, "/d/ssd-3"),
            new NodeEnrolled.Drive(node + "-ssd-4", DriveType.SSD, 4, "/d/ssd-4"),
            new NodeEnrolled.Drive(node + "-ssd-5", DriveType.SSD, 4, "/d/ssd-5"),
            new NodeEnrolled.Drive(node + "-hdd-0", DriveType.HDD, 16, "/d/hdd-0")),
        new NodeEnrolled.Isolation(true, "v1", true, false, List.of()), "test", DRIVE_PORTAL_PORT));
  }

  static final int DRIVE_PORTAL_PORT = 3259;

  String addressOf(String node) {
    return node.equals(nodeA) ? "127.0.0.21" : "127.0.0.22";
  }

  static RequestSpecification as(String user) {
    return given().auth().oauth2(Tokens.accessToken(user)).contentType(ContentType.JSON);
  }

  ArrayDesiredState commandFor(String arrayId, boolean present) {
    await().atMost(Duration.ofSeconds(20)).until(() -> commands.stream().anyMatch(c ->
        c.envelope().subject().equals("array/" + arrayId) && payload(c).present() == present));
    ConsumerEnvelope found = commands.stream()
        .filter(c -> c.envelope().subject().equals("array/" + arrayId) && payload(c).present() == present)
        .reduce((first, second) -> second).orElseThrow();
    assertThat(found.key()).isEqualTo(payload(found).nodeId());
    return payload(found);
  }

  ArrayDesiredState payload(ConsumerEnvelope c) {
    try {
      return codec.payload(c.envelope(), Commands.ARRAY_DESIRED_STATE);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  String arrayState(String id) {
    return as("acme-admin").get("/api/v1/arrays/" + id).then().statusCode(200).extract().path("state");
  }

  @Test
  void anArrayTravelsToItsNodeAndComesOnlineWhenTheNodeSaysSo() {
    await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew()
        .call(() -> Node.count("name in ?1 and state = ?2", List.of(nodeA, nodeB), NodeState.ONLINE)) == 2);

    String id = as("acme-admin")
        .body(Map.of("name", "kafka-" + UUID.randomUUID().toString().substring(0, 6), "engineSize", "E01",
            "spread", "NONE", "ssdDrives", 1, "hddDrives", 1))
        .post("/api/v1/arrays").then().statusCode(201).extract().path("id");
    ArrayDesiredState sent = commandFor(id, true);
    assertThat(sent.nodeId()).isIn(nodeA, nodeB);
    assertThat(sent.targetIqn()).startsWith("iqn.2026-11.io.strata:acme.");
    assertThat(sent.engine().memoryMib()).isEqualTo(4096);
    assertThat(sent.drives()).hasSize(2);
    assertThat(arrayState(id)).isIn("PROVISIONING", "ONLINE");

    publish(Events.ARRAY_STATUS, new ArrayStatus(id, sent.nodeId(), sent.generation(), ArrayStatus.State.ONLINE, null,
        "127.0.0.1:" + sent.portalPort(), sent.targetIqn(), 1L, 0, "process", List.of()));
    await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(arrayState(id)));

    // The node restarts and reports what it has: the array it should hold is sent again, and an
    // array it holds that the control plane does not know is deleted.
    int before = (int) commands.stream().filter(c -> c.envelope().subject().equals("array/" + id)).count();
    String stray = UUID.randomUUID().toString();
    publish(Events.NODE_STATE_REPORT, new NodeStateReport(sent.nodeId(), List.of(new ArrayStatus(stray, sent.nodeId(), 1,
        ArrayStatus.State.ONLINE, null, null, null, null, 0, null, List.of())), List.of()));
    await().atMost(Duration.ofSeconds(20)).until(() ->
        commands.stream().filter(c -> c.envelope().subject().equals("array/" + id)).count() > before);
    assertThat(commandFor(stray, false).nodeId()).isEqualTo(sent.nodeId());

    // An array its node never reports on fails after the timeout, with the reason.
    String silent = as("acme-admin")
        .body(Map.of("name", "silent-" + UUID.randomUUID().toString().substring(0, 6), "engineSize", "E01",
            "spread", "NONE", "ssdDrives", 1, "hddDrives", 0))
        .post("/api/v1/arrays").then().statusCode(201).extract().path("id");
    commandFor(silent, true);
    await().atMost(Duration.ofSeconds(60)).until(() -> "FAILED".equals(arrayState(silent)));
    assertThat(as("acme-admin").get("/api/v1/arrays/" + silent).then().extract().<String>path("failureReason"))
        .contains("no report from the storage node");

    // The nodes fall silent: OFFLINE, and the online array DEGRADED.
    beating = false;
    await().atMost(Duration.ofSeconds(20)).until(() -> "DEGRADED".equals(arrayState(id)));
    assertThat(QuarkusTransaction.requiringNew().call(() ->
        Node.<Node>find("name", sent.nodeId()).firstResult().state)).isEqualTo(NodeState.OFFLINE);
  }

  @jakarta.inject.Inject io.strata.controlplane.outbox.CommandOutbox outbox;

  /**
   * The outbox rows say only "array X changed"; the relay builds the desired state when it
   * publishes, and changes written together leave as one command, named by the newest row
   * (envelope id, generation), with every row marked published.
   */
  @Test
  void changesOfOneArrayLeaveAsOneCommandNamedByTheNewestRow() {
    beating = true; // the other test ends with the nodes silent
    await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew()
        .call(() -> Node.count("name in ?1 and state = ?2", List.of(nodeA, nodeB), NodeState.ONLINE)) == 2);
    String id = as("acme-admin")
        .body(Map.of("name", "coalesce-" + UUID.randomUUID().toString().substring(0, 6), "engineSize", "E01",
            "spread", "NONE", "ssdDrives", 1, "hddDrives", 0))
        .post("/api/v1/arrays").then().statusCode(201).extract().path("id");
    ArrayDesiredState first = commandFor(id, true);

    List<UUID> rows = QuarkusTransaction.requiringNew().call(() -> {
      io.strata.controlplane.domain.StorageArray a = io.strata.controlplane.domain.StorageArray.findById(UUID.fromString(id));
      for (int i = 0; i < 3; i++) {
        outbox.arrayChanged(a);
      }
      return io.strata.controlplane.domain.OutboxMessage.<io.strata.controlplane.domain.OutboxMessage>list(
              "subject = ?1 and publishedAt is null order by createdAt, id", "array/" + id)
          .stream().map(r -> r.id).toList();
    });
    assertThat(rows).hasSize(3);
    await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew().call(() ->
        io.strata.controlplane.domain.OutboxMessage.count("id in ?1 and publishedAt is null", rows)) == 0);
    await().atMost(Duration.ofSeconds(20)).until(() ->
        commands.stream().anyMatch(c -> c.envelope().id().equals(rows.get(2).toString())));
    List<String> sentFor = commands.stream().map(c -> c.envelope().id())
        .filter(e -> rows.stream().anyMatch(r -> r.toString().equals(e))).toList();
    assertThat(sentFor).containsExactly(rows.get(2).toString());
    ArrayDesiredState coalesced = commandFor(id, true);
    assertThat(coalesced.generation()).isGreaterThan(first.generation());
    assertThat(coalesced.drives()).hasSize(1);
  }

  /**
   * Spread NODE (the default): the array's two SSDs lie on two nodes. Its desired state goes to
   * both, naming the engine's node; the drive on the other node carries that node's drive export
   * portal. A report of the node that only lends drives does not move the array; the engine's
   * does. The lender's state report gets the array's state resent, not a delete. A drive taken
   * out of the array is told once more to its node, which then finds none of its drives in the
   * array's state (and stops exporting it).
   */
  @Test
  void anArraySpreadOverNodesIsSentToEveryNodeThatHoldsItsDrives() throws Exception {
    beating = true;
    await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew()
        .call(() -> Node.count("name in ?1 and state = ?2", List.of(nodeA, nodeB), NodeState.ONLINE)) == 2);
    String id = as("acme-admin")
        .body(Map.of("name", "spread-" + UUID.randomUUID().toString().substring(0, 6), "engineSize", "E01",
            "ssdDrives", 2, "hddDrives", 0))
        .post("/api/v1/arrays").then().statusCode(201).extract().path("id");
    await().atMost(Duration.ofSeconds(20)).until(() -> commandsFor(id).stream().map(ConsumerEnvelope::key)
        .distinct().count() == 2);
    List<ConsumerEnvelope> sent = commandsFor(id);
    ArrayDesiredState first = payload(sent.get(0));
    String engineNode = first.engineNodeId();
    String lender = engineNode.equals(nodeA) ? nodeB : nodeA;
    assertThat(sent.get(0).key()).as("the engine's node first").isEqualTo(engineNode);
    assertThat(sent.get(1).key()).isEqualTo(lender);
    assertThat(sent.get(1).envelope().id()).isEqualTo(sent.get(0).envelope().id());
    ArrayDesiredState toLender = payload(sent.get(1));
    assertThat(toLender.nodeId()).isEqualTo(lender);
    assertThat(toLender.engineNodeId()).isEqualTo(engineNode);
    assertThat(toLender.runsEngineOn(lender)).isFalse();
    assertThat(toLender.drives()).hasSize(2);
    ArrayDesiredState.DriveSpec local = toLender.drives().stream().filter(d -> engineNode.equals(d.nodeId())).findFirst()
        .orElseThrow();
    ArrayDesiredState.DriveSpec remote = toLender.drives().stream().filter(d -> lender.equals(d.nodeId())).findFirst()
        .orElseThrow();
    assertThat(local.exportPortal()).isNull();
    assertThat(remote.exportPortal()).isEqualTo(addressOf(lender) + ":" + DRIVE_PORTAL_PORT);
    assertThat(remote.serial()).startsWith(lender);

    // the lender's word (even DELETED) is not the engine's
    publish(Events.ARRAY_STATUS, new ArrayStatus(id, lender, first.generation(), ArrayStatus.State.DELETED, null,
        null, first.targetIqn(), null, 0, null, List.of()));
    Thread.sleep(1500);
    publish(Events.ARRAY_STATUS, new ArrayStatus(id, engineNode, first.generation(), ArrayStatus.State.ONLINE, null,
        addressOf(engineNode) + ":" + first.portalPort(), first.targetIqn(), 1L, 0, "process", List.of()));
    await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(arrayState(id)));

    // the lender restarts and reports its exports: not deleted, the array's state is resent
    int beforeReport = commandsFor(id).size();
    publish(Events.NODE_STATE_REPORT, new NodeStateReport(lender, List.of(new ArrayStatus(id, lender,
        first.generation(), ArrayStatus.State.ONLINE, null, null, null, null, 0, null, List.of())), List.of()));
    await().atMost(Duration.ofSeconds(20)).until(() -> commandsFor(id).size() > beforeReport);
    assertThat(commandsFor(id).subList(beforeReport, commandsFor(id).size()))
        .allSatisfy(c -> assertThat(payload(c).present()).isTrue());
    assertThat(arrayState(id)).isEqualTo("ONLINE");

    // the lender's drive leaves the array: the lender hears once more, without its drive
    int before = commandsFor(id).size();
    as("acme-admin").delete("/api/v1/arrays/" + id + "/drives/" + remote.driveId()).then().statusCode(204);
    await().atMost(Duration.ofSeconds(20)).until(() -> commandsFor(id).size() >= before + 2);
    ArrayDesiredState last = payload(commandsFor(id).stream().filter(c -> c.key().equals(lender))
        .reduce((a, b) -> b).orElseThrow());
    assertThat(last.generation()).isGreaterThan(first.generation());
    assertThat(last.drives()).extracting(ArrayDesiredState.DriveSpec::nodeId).containsOnly(engineNode);
  }

  /**
   * A node that lends the array drives is down while the array is created: the engine starts
   * without those drives and serves, and its node reports the array DEGRADED. The array moves
   * PROVISIONING -> DEGRADED with the reason (before, the report was ignored and the watchdog
   * later failed the array as stuck), its creation succeeds (the tenant can use it), and it is
   * ONLINE once its node says every drive is back.
   */
  @Test
  void anArrayThatComesUpWithoutALendersDrivesIsDegradedNotStuck() throws Exception {
    beating = true;
    await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew()
        .call(() -> Node.count("name in ?1 and state = ?2", List.of(nodeA, nodeB), NodeState.ONLINE)) == 2);
    String id = as("acme-admin")
        .body(Map.of("name", "lender-down-" + UUID.randomUUID().toString().substring(0, 6), "engineSize", "E01",
            "ssdDrives", 2, "hddDrives", 0))
        .post("/api/v1/arrays").then().statusCode(201).extract().path("id");
    await().atMost(Duration.ofSeconds(20)).until(() -> commandsFor(id).stream().map(ConsumerEnvelope::key)
        .distinct().count() == 2);
    ArrayDesiredState first = payload(commandsFor(id).get(0));
    String engineNode = first.engineNodeId();
    String why = "drive ssd-1 FAILED: no answer from its node";
    publish(Events.ARRAY_STATUS, new ArrayStatus(id, engineNode, first.generation(), ArrayStatus.State.DEGRADED, why,
        addressOf(engineNode) + ":" + first.portalPort(), first.targetIqn(), 1L, 0, "process", List.of()));
    await().atMost(Duration.ofSeconds(20)).until(() -> "DEGRADED".equals(arrayState(id)));
    assertThat(as("acme-admin").get("/api/v1/arrays/" + id).then().extract().<String>path("failureReason"))
        .as("the tenant sees what the array lacks").isEqualTo(why);
    // still DEGRADED, for another reason: the tenant sees the newest
    String now = "drive ssd-1 REBUILDING: 40 %";
    publish(Events.ARRAY_STATUS, new ArrayStatus(id, engineNode, first.generation(), ArrayStatus.State.DEGRADED, now,
        addressOf(engineNode) + ":" + first.portalPort(), first.targetIqn(), 1L, 0, "process", List.of()));
    await().atMost(Duration.ofSeconds(20)).until(() -> now.equals(
        as("acme-admin").get("/api/v1/arrays/" + id).then().extract().<String>path("failureReason")));
    UUID arrayId = UUID.fromString(id);
    assertThat(QuarkusTransaction.requiringNew().call(() -> Operation.count(
        "targetId = ?1 and state = ?2", arrayId, OperationState.SUCCEEDED)))
        .as("the array's creation succeeded").isEqualTo(1);
    assertThat(QuarkusTransaction.requiringNew().call(() -> Operation.count(
        "targetId = ?1 and state = ?2", arrayId, OperationState.PENDING))).isZero();

    publish(Events.ARRAY_STATUS, new ArrayStatus(id, engineNode, first.generation(), ArrayStatus.State.ONLINE, null,
        addressOf(engineNode) + ":" + first.portalPort(), first.targetIqn(), 1L, 0, "process", List.of()));
    await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(arrayState(id)));
    assertThat(as("acme-admin").get("/api/v1/arrays/" + id).then().extract().<String>path("failureReason")).isNull();
  }

  /** The engine's report of the array ONLINE with these objects. */
  void report(String arrayId, ArrayDesiredState sent, ObjectStatus... objects) {
    publish(Events.ARRAY_STATUS, new ArrayStatus(arrayId, sent.engineNodeId() == null ? sent.nodeId() : sent.engineNodeId(),
        sent.generation(), ArrayStatus.State.ONLINE, null, addressOf(sent.nodeId()) + ":" + sent.portalPort(),
        sent.targetIqn(), 1L, 0, "process", List.of(objects)));
  }

  static ObjectStatus status(String arrayId, ObjectStatus.Kind kind, String id, ObjectStatus.State state) {
    return new ObjectStatus(arrayId, kind, id, state, state == ObjectStatus.State.FAILED ? "pool p1 could not open" : null);
  }

  String stateOf(String path) {
    return as("acme-admin").get(path).then().statusCode(200).extract().path("state");
  }

  /** The newest command for the array that carries the volume and its LUN. */
  ArrayDesiredState commandWith(String arrayId, String volumeId, String attachmentId, int after) {
    await().atMost(Duration.ofSeconds(20)).until(() -> commandsFor(arrayId).size() > after
        && carries(payload(commandsFor(arrayId).get(commandsFor(arrayId).size() - 1)), volumeId, attachmentId));
    return payload(commandsFor(arrayId).get(commandsFor(arrayId).size() - 1));
  }

  static boolean carries(ArrayDesiredState d, String volumeId, String attachmentId) {
    return d.volumes().stream().anyMatch(v -> v.volumeId().equals(volumeId))
        && d.luns().stream().anyMatch(l -> l.attachmentId().equals(attachmentId));
  }

  /**
   * Issue 16, item 2: FAILED is not a dead end. A volume and an attachment the engine reports
   * FAILED (its pool could not open) stay in the desired state, so the engine can export them
   * again, and come back to AVAILABLE and ATTACHED by themselves once it reports them READY. A
   * retry, by the tenant's admin or by an operator, moves a FAILED object to its in-progress
   * state, sends the desired state again and completes its Operation when the node confirms.
   */
  @Test
  void failedVolumesAndAttachmentsComeBackWhenTheNodeServesThemAgainAndCanBeRetried() {
    beating = true;
    await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew()
        .call(() -> Node.count("name in ?1 and state = ?2", List.of(nodeA, nodeB), NodeState.ONLINE)) == 2);
    String array = as("acme-admin")
        .body(Map.of("name", "heal-" + UUID.randomUUID().toString().substring(0, 6), "engineSize", "E01",
            "spread", "NONE", "ssdDrives", 2, "hddDrives", 0))
        .post("/api/v1/arrays").then().statusCode(201).extract().path("id");
    ArrayDesiredState first = commandFor(array, true);
    report(array, first);
    await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(arrayState(array)));
    String pool = as("acme-admin").body(Map.of("arrayId", array, "name", "p1", "driveType", "SSD", "protection", "RAID1",
        "driveCount", 2)).post("/api/v1/pools").then().statusCode(201).extract().path("id");
    String volume = as("acme-admin").body(Map.of("poolId", pool, "name", "data", "sizeGib", 1))
        .post("/api/v1/volumes").then().statusCode(201).extract().path("id");
    String serverName = "heal-" + UUID.randomUUID().toString().substring(0, 6);
    String server = as("acme-admin").body(Map.of("name", serverName, "iqn", "iqn.2026-11.example.cloud:" + serverName,
            "chapUser", serverName + "-user", "chapSecret", "secret-of-" + serverName + "-1234"))
        .post("/api/v1/servers").then().statusCode(201).extract().path("id");
    String attachment = as("acme-admin").body(Map.of("volumeId", volume, "serverId", server))
        .post("/api/v1/attachments").then().statusCode(201).extract().path("id");
    String volumePath = "/api/v1/volumes/" + volume;
    String attachmentPath = "/api/v1/attachments/" + attachment;
    ArrayDesiredState sent = commandWith(array, volume, attachment, 0);
    report(array, sent, status(array, ObjectStatus.Kind.VOLUME, volume, ObjectStatus.State.READY),
        status(array, ObjectStatus.Kind.LUN, attachment, ObjectStatus.State.READY));
    await().atMost(Duration.ofSeconds(20)).until(() -> "ATTACHED".equals(stateOf(attachmentPath)));
    assertThat(stateOf(volumePath)).isEqualTo("AVAILABLE");

    // another pool's labels broke this one: the volume and its LUN fail
    report(array, sent, status(array, ObjectStatus.Kind.VOLUME, volume, ObjectStatus.State.FAILED),
        status(array, ObjectStatus.Kind.LUN, attachment, ObjectStatus.State.FAILED));
    await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(stateOf(attachmentPath))
        && "FAILED".equals(stateOf(volumePath)));
    // ... and stay in the desired state the node is sent (here on its restart)
    int before = commandsFor(array).size();
    publish(Events.NODE_STATE_REPORT, new NodeStateReport(sent.nodeId(), List.of(), List.of()));
    ArrayDesiredState whileFailed = commandWith(array, volume, attachment, before);
    assertThat(whileFailed.luns()).singleElement().satisfies(l -> assertThat(l.volumeId()).isEqualTo(volume));

    // the cause went away: the engine serves them again, and they are AVAILABLE and ATTACHED
    report(array, whileFailed, status(array, ObjectStatus.Kind.VOLUME, volume, ObjectStatus.State.READY),
        status(array, ObjectStatus.Kind.LUN, attachment, ObjectStatus.State.READY));
    await().atMost(Duration.ofSeconds(20)).until(() -> "ATTACHED".equals(stateOf(attachmentPath))
        && "AVAILABLE".equals(stateOf(volumePath)));
    assertThat(as("acme-admin").get(volumePath).then().extract().<String>path("failureReason")).isNull();

    // a retry by the tenant's admin: FAILED -> CREATING, the desired state sent again, READY -> AVAILABLE
    report(array, whileFailed, status(array, ObjectStatus.Kind.VOLUME, volume, ObjectStatus.State.FAILED),
        status(array, ObjectStatus.Kind.LUN, attachment, ObjectStatus.State.READY));
    await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(stateOf(volumePath)));
    as("acme-admin").post(attachmentPath + "/retry").then().statusCode(409)
        .body("type", org.hamcrest.Matchers.containsString("not-failed"));
    int beforeRetry = commandsFor(array).size();
    String op = as("acme-admin").post(volumePath + "/retry").then().statusCode(202)
        .header("Operation-Location", org.hamcrest.Matchers.startsWith("/api/v1/operations/"))
        .extract().path("id");
    assertThat(stateOf(volumePath)).isEqualTo("CREATING");
    ArrayDesiredState retried = commandWith(array, volume, attachment, beforeRetry);
    report(array, retried, status(array, ObjectStatus.Kind.VOLUME, volume, ObjectStatus.State.READY),
        status(array, ObjectStatus.Kind.LUN, attachment, ObjectStatus.State.READY));
    await().atMost(Duration.ofSeconds(20)).until(() -> "AVAILABLE".equals(stateOf(volumePath)));
    assertThat(QuarkusTransaction.requiringNew().call(() -> Operation.<Operation>findById(UUID.fromString(op)).state))
        .isEqualTo(OperationState.SUCCEEDED);

    // an operator's retry of the attachment, FAILED while attached: ATTACHING, then ATTACHED
    report(array, retried, status(array, ObjectStatus.Kind.VOLUME, volume, ObjectStatus.State.READY),
        status(array, ObjectStatus.Kind.LUN, attachment, ObjectStatus.State.FAILED));
    await().atMost(Duration.ofSeconds(20)).until(() -> "FAILED".equals(stateOf(attachmentPath)));
    int beforeOps = commandsFor(array).size();
    as("ops").post("/api/v1/admin/attachments/" + attachment + "/retry").then().statusCode(202);
    assertThat(stateOf(attachmentPath)).isEqualTo("ATTACHING");
    ArrayDesiredState byOperator = commandWith(array, volume, attachment, beforeOps);
    report(array, byOperator, status(array, ObjectStatus.Kind.VOLUME, volume, ObjectStatus.State.READY),
        status(array, ObjectStatus.Kind.LUN, attachment, ObjectStatus.State.READY));
    await().atMost(Duration.ofSeconds(20)).until(() -> "ATTACHED".equals(stateOf(attachmentPath)));
    assertThat(QuarkusTransaction.requiringNew().call(() -> io.strata.controlplane.domain.AuditEntry.count(
        "targetId = ?1 and action = ?2 and result = ?3", UUID.fromString(attachment), "attachment.retry",
        io.strata.controlplane.domain.AuditEntry.RESULT_SUCCEEDED))).isEqualTo(1);
  }

  @jakarta.inject.Inject io.strata.testsupport.InMemorySpans spans;

  /**
   * One create-array is one trace (docs/observability.md, "Tracing"): the request's server span,
   * the relay's publish span as its child (the context travelled in the outbox row, across the
   * commit and into the relay's thread), and the Kafka record's traceparent header naming the
   * publish span, which the agent continues (AgentTracingTest).
   */
  @Test
  void aCreatedArraysCommandCarriesTheRequestsTraceToKafka() {
    await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew()
        .call(() -> Node.count("name in ?1 and state = ?2", List.of(nodeA, nodeB), NodeState.ONLINE)) == 2);
    String id = as("acme-admin")
        .body(Map.of("name", "traced-" + UUID.randomUUID().toString().substring(0, 6), "engineSize", "E01",
            "spread", "NONE", "ssdDrives", 1, "hddDrives", 0))
        .post("/api/v1/arrays").then().statusCode(201).extract().path("id");
    commandFor(id, true);
    ConsumerEnvelope sent = commandsFor(id).get(0);
    assertThat(sent.traceparent()).as("the command's traceparent header").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    String traceId = sent.traceparent().substring(3, 35);
    String publishSpanId = sent.traceparent().substring(36, 52);

    // the server span ends once the response is written, which may come after the relay's round
    await().atMost(Duration.ofSeconds(20)).until(() -> spans.finished().stream()
        .anyMatch(s -> s.getTraceId().equals(traceId) && s.getKind() == io.opentelemetry.api.trace.SpanKind.SERVER));
    var inTrace = spans.finished().stream().filter(s -> s.getTraceId().equals(traceId)).toList();
    var request = inTrace.stream().filter(s -> s.getKind() == io.opentelemetry.api.trace.SpanKind.SERVER)
        .findFirst().orElseThrow();
    var publish = inTrace.stream().filter(s -> s.getSpanId().equals(publishSpanId)).findFirst().orElseThrow();
    assertThat(request.getName()).isEqualTo("POST /api/v1/arrays");
    assertThat(request.getParentSpanContext().isValid()).as("the request starts the trace").isFalse();
    assertThat(publish.getName()).isEqualTo("publish strata.commands");
    assertThat(publish.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.PRODUCER);
    assertThat(publish.getParentSpanId()).as("the publish span's parent").isEqualTo(request.getSpanId());
    assertThat(publish.getAttributes().asMap()).containsValue("array/" + id);
  }

  /**
   * Two replicas, two clocks (docs/replicas.md U1). A row stamped by a clock 5 s ahead (a replica
   * of the release before, whose rows carry their writer's time as their generation) goes out
   * first; a change made through this replica right after must still leave with a higher
   * generation, or the agent drops it as older than the state it applied and the change is lost.
   * Before, the second command carried this JVM's time, about 5 s lower.
   */
  @Test
  void aChangeAfterOneStampedByAFastClockLeavesWithAHigherGeneration() {
    beating = true;
    await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew()
        .call(() -> Node.count("name in ?1 and state = ?2", List.of(nodeA, nodeB), NodeState.ONLINE)) == 2);
    String id = as("acme-admin")
        .body(Map.of("name", "clocks-" + UUID.randomUUID().toString().substring(0, 6), "engineSize", "E01",
            "spread", "NONE", "ssdDrives", 2, "hddDrives", 0))
        .post("/api/v1/arrays").then().statusCode(201).extract().path("id");
    ArrayDesiredState created = commandFor(id, true);
    publish(Events.ARRAY_STATUS, new ArrayStatus(id, created.nodeId(), created.generation(), ArrayStatus.State.ONLINE,
        null, addressOf(created.nodeId()) + ":" + created.portalPort(), created.targetIqn(), 1L, 0, "process", List.of()));
    await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(arrayState(id)));

    // "replica A", its clock 5 s ahead, writes that the array changed
    UUID fast = QuarkusTransaction.requiringNew().call(() -> {
      var array = io.strata.controlplane.domain.StorageArray.<io.strata.controlplane.domain.StorageArray>findById(
          UUID.fromString(id));
      var row = new io.strata.controlplane.domain.OutboxMessage();
      row.id = UUID.randomUUID();
      row.type = io.strata.controlplane.outbox.CommandOutbox.TYPE_ARRAY_CHANGED;
      row.specVersion = io.strata.controlplane.outbox.CommandOutbox.SPEC_VERSION;
      row.source = io.strata.controlplane.outbox.CommandOutbox.SOURCE;
      row.subject = "array/" + id;
      row.nodeId = array.nodeId;
      row.payload = "{\"arrayId\":\"" + id + "\"}";
      row.createdAt = java.time.Instant.now().plusSeconds(5);
      row.persist();
      return row.id;
    });
    await().atMost(Duration.ofSeconds(20)).until(() -> QuarkusTransaction.requiringNew().call(() ->
        io.strata.controlplane.domain.OutboxMessage.count("id = ?1 and publishedAt is not null", fast)) == 1);
    long fastGeneration = commandsFor(id).stream().filter(c -> c.envelope().id().equals(fast.toString()))
        .findFirst().map(c -> payload(c).generation()).orElseThrow();
    int before = commandsFor(id).size();

    // "replica B", this one, right after: a pool is made on the array
    as("acme-admin")
        .body(Map.of("arrayId", id, "name", "p", "driveType", "SSD", "protection", "RAID1", "driveCount", 2))
        .post("/api/v1/pools").then().statusCode(201);
    await().atMost(Duration.ofSeconds(20)).until(() -> commandsFor(id).size() > before);
    ArrayDesiredState after = payload(commandsFor(id).get(before));
    assertThat(after.pools()).hasSize(1);
    assertThat(after.generation()).as("the change after the fast clock's").isGreaterThan(fastGeneration);
  }

  List<ConsumerEnvelope> commandsFor(String arrayId) {
    return commands.stream().filter(c -> c.envelope().subject().equals("array/" + arrayId)).toList();
  }
}
