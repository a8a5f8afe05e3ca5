package io.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.testsupport.PostgresTestResource;
import io.strata.testsupport.TestServers;
import io.strata.testsupport.Tokens;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole provisioning path as a tenant and its servers see it, on real servers: PostgreSQL and
 * Keycloak from the project's scripts, a Kafka broker process of this test's own (so that it can
 * be restarted), the packaged control plane, billing, and two packaged agents acting as two
 * storage nodes (own drive folders, node ids and addresses 127.0.0.1 / 127.0.0.2). The tenant's
 * array is spread over both nodes (spread NODE), its RAID1 pool mirrored across them: the
 * engine's node reaches the other node's drive through that node's drive export service. A real
 * initiator (libiscsi, qemu-img) logs in with the tenant's CHAP and moves data. Then an agent,
 * Kafka and the control plane are each restarted while a request is being provisioned: every
 * operation must still end in its right final state, and the data must still be there. Finally
 * the agents' usage samples must have become the tenant's running cost in billing. Last, the
 * node that only lends drives loses its agent and its export service: the data is still read
 * (and written) through the engine's node's half of the mirror.
 */
class ProvisioningEndToEndIT extends RunningStack {

  @Test
  void aTenantsArrayServesItsServersOnlyAndSurvivesRestartsOfAgentKafkaAndControlPlane() throws Exception {
    Api ops = new Api(controlPlaneUrl, Tokens.accessToken("ops"));
    awaitTrue("both storage nodes ONLINE", () -> {
      JsonNode nodes = ops.get("/api/v1/admin/nodes").require(200).path("items");
      long online = 0;
      for (JsonNode n : nodes) {
        online += n.path("state").asText().equals("ONLINE") ? 1 : 0;
      }
      return online == 2;
    });

    // ---- a tenant builds an array, a pool, a volume, a server with CHAP, an attachment ----
    Api acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin"));
    // spread NODE (the API's default): the drives lie on both nodes, and the engine's node opens
    // the other node's through that node's drive export service
    // the request carries a W3C trace context of the test's own: one trace from here to the engine
    String traceId = java.util.HexFormat.of().formatHex(randomBytesOf(16));
    JsonNode array = acme.post("/api/v1/arrays", Map.of("name", "prod", "engineSize", "E01", "ssdDrives", 2,
        "hddDrives", 2), Map.of("traceparent", "00-" + traceId + "-" + java.util.HexFormat.of().formatHex(randomBytesOf(8))
        + "-01")).require(201);
    String arrayId = array.path("id").asText();
    array = awaitState(acme, "/api/v1/arrays/" + arrayId, "ONLINE");
    String portal = array.path("portal").asText();
    String target = array.path("targetIqn").asText();
    assertThat(array.path("spread").asText()).isEqualTo("NODE");
    assertThat(portal).startsWith("127.0.0.");
    String engineNode = nodeServing(portal);
    String lender = otherNode(engineNode);
    // issue 19, tracing across the services: the trace went through the outbox and Kafka to the
    // agent (its log lines of the command carry the id) and to the engine (its log of the layout)
    Path engineLog = work.resolve("nodes").resolve(engineNode).resolve("arrays").resolve(arrayId).resolve("engine.log");
    awaitTrue("the request's trace in the engine's log", () -> Files.isRegularFile(engineLog)
        && Files.readString(engineLog).contains("trace_id=" + traceId));
    assertThat(Files.readString(agents.get(engineNode).log)).as("the agent's log of the command")
        .contains("traceId=" + traceId);
    // spread NODE: the array's drives come from both nodes (the operator's view names each drive's node)
    Map<String, String> nodeNames = new HashMap<>();
    for (JsonNode n : ops.get("/api/v1/admin/nodes?limit=100").require(200).path("items")) {
      nodeNames.put(n.path("id").asText(), n.path("name").asText());
    }
    List<String> drivesNodes = new ArrayList<>();
    for (JsonNode d : ops.get("/api/v1/admin/drives?limit=500").require(200).path("items")) {
      if (d.path("arrayId").asText().equals(arrayId)) {
        drivesNodes.add(nodeNames.get(d.path("nodeId").asText()));
      }
    }
    assertThat(new HashSet<>(drivesNodes)).as("nodes of the array's drives").containsExactlyInAnyOrder(engineNode, lender);
    // a mirror of the array's two SSDs: one on each node
    JsonNode pool = acme.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", "fast", "driveType", "SSD",
        "protection", "RAID1", "driveCount", 2)).require(201);
    String volume1 = createVolume(acme, pool.path("id").asText(), "data1");
    JsonNode server = acme.post("/api/v1/servers", Map.of("name", "web1", "iqn", ACME_HOST,
        "chapUser", "web1", "chapSecret", "acme-web1-secret")).require(201);
    String serverId = server.path("id").asText();
    JsonNode connection = attach(acme, volume1, serverId);
    assertThat(connection.path("targetIqn").asText()).isEqualTo(target);
    assertThat(connection.path("portals").toString()).contains(portal);
    int lun1 = connection.path("lun").asInt();

    // ---- the server logs in with its CHAP, writes and reads back ----
    Initiator web1 = new Initiator(ACME_HOST, "web1", "acme-web1-secret");
    awaitTrue("the LUN visible to web1", () -> web1.discover(portal).output().contains("Lun:" + lun1));
    byte[] data1 = randomBytes(1, 1);
    Path in1 = Files.write(work.resolve("data1.bin"), data1);
    assertThat(web1.write(portal, target, lun1, in1).exit()).isZero();
    assertThat(web1.read(portal, target, lun1, 1, work.resolve("back1.bin"))).isEqualTo(data1);
    String lent = Files.readString(exportsFileOf(lender));
    assertThat(lent).as("node %s lends drives to the engine of %s", lender, arrayId)
        .contains("iqn.2026-01.io.strata:engine." + arrayId).contains("\"media\" : \"SSD\"");

    // ---- another tenant's initiator: refused at login, nothing found in discovery ----
    Api globex = new Api(controlPlaneUrl, Tokens.accessToken("globex-admin"));
    globex.post("/api/v1/servers", Map.of("name", "db1", "iqn", GLOBEX_HOST, "chapUser", "db1",
        "chapSecret", "globex-db1-secret")).require(201);
    Initiator db1 = new Initiator(GLOBEX_HOST, "db1", "globex-db1-secret");
    assertThat(db1.inquiry(portal, target, lun1).output()).doesNotContain("DIRECT_ACCESS");
    assertThat(db1.discover(portal).output()).doesNotContain(target);
    // ... and not even with the acme server's stolen secret but its own initiator name
    Initiator impostor = new Initiator(GLOBEX_HOST, "web1", "acme-web1-secret");
    assertThat(impostor.inquiry(portal, target, lun1).output()).doesNotContain("DIRECT_ACCESS");

    // ---- restart the array's agent while a new volume is being attached ----
    String volume2 = createVolumeNoWait(acme, pool.path("id").asText(), "data2");
    ChildProcess agentOfArray = agentServing(portal);
    agentOfArray.restart();
    awaitState(acme, "/api/v1/volumes/" + volume2, "AVAILABLE");
    JsonNode connection2 = attach(acme, volume2, serverId);
    int lun2 = connection2.path("lun").asInt();
    awaitTrue("LUN " + lun2 + " visible after the agent restart",
        () -> web1.discover(portal).output().contains("Lun:" + lun2));
    byte[] data2 = randomBytes(1, 2);
    assertThat(web1.write(portal, target, lun2, Files.write(work.resolve("data2.bin"), data2)).exit()).isZero();

    // ---- restart Kafka while a second array is being provisioned ----
    // (spread NONE: every drive on the engine's node; each node has one HDD left)
    JsonNode second = acme.post("/api/v1/arrays", Map.of("name", "archive", "engineSize", "E01", "ssdDrives", 0,
        "hddDrives", 1, "spread", "NONE")).require(201);
    kafka.stop();
    Thread.sleep(2_000);
    kafka.startAndWait();
    awaitState(acme, "/api/v1/arrays/" + second.path("id").asText(), "ONLINE");

    // ---- restart the control plane while a volume is being attached ----
    String volume3 = createVolume(acme, pool.path("id").asText(), "data3");
    JsonNode pending = acme.post("/api/v1/attachments", Map.of("volumeId", volume3, "serverId", serverId)).require(201);
    controlPlane.restart();
    controlPlane.awaitHealthy(controlPlaneUrl + "/q/health/ready", STARTUP);
    awaitState(acme, "/api/v1/attachments/" + pending.path("id").asText(), "ATTACHED");
    int lun3 = pending.path("connection").path("lun").asInt();
    awaitTrue("LUN " + lun3 + " visible after the control plane restart",
        () -> web1.discover(portal).output().contains("Lun:" + lun3));

    // ---- every operation ended where it should, and the data is intact ----
    awaitTrue("no operation left running", () -> {
      for (JsonNode op : acme.get("/api/v1/operations?limit=500").require(200).path("items")) {
        String state = op.path("state").asText();
        if (!state.equals("SUCCEEDED")) {
          if (state.equals("FAILED")) {
            throw new AssertionError("operation failed: " + op);
          }
          return false;
        }
      }
      return true;
    });
    assertThat(web1.read(portal, target, lun1, 1, work.resolve("back1b.bin"))).isEqualTo(data1);
    assertThat(web1.read(portal, target, lun2, 1, work.resolve("back2.bin"))).isEqualTo(data2);
    String listing = web1.discover(portal).output();
    assertThat(listing).contains("Lun:" + lun1).contains("Lun:" + lun2).contains("Lun:" + lun3);

    // ---- the agents' usage samples became acme's running cost ----
    Api billingOps = new Api(billingUrl, Tokens.accessToken("ops"));
    billingOps.post("/api/v1/plans", Map.of("name", "e2e", "currency", "EUR", "isDefault", true,
        "effectiveFrom", "2026-01-01T00:00:00Z", "rates", Map.of("storage:SSD", "1", "storage:HDD", "1",
            "engine:E01", "3600", "io", "1000", "transfer", "100"))).require(201);
    Api billingAcme = new Api(billingUrl, Tokens.accessToken("acme-admin"));
    awaitTrue("acme's running cost shows the array", () -> {
      JsonNode cost = billingAcme.get("/api/v1/cost").require(200);
      BigDecimal forArray = BigDecimal.ZERO;
      for (JsonNode line : cost.path("lines")) {
        if (line.path("arrayId").asText().equals(arrayId)) {
          forArray = forArray.add(new BigDecimal(line.path("amount").asText("0")));
        }
      }
      return forArray.signum() > 0;
    });
    // ---- the node that only lends drives goes away, agent and export service: the mirror
    // serves from the engine's node's half ----
    long exportPid = exportServicePidOf(lender);
    assertThat(exportPid).as("the drive export service of " + lender).isPositive();
    agents.get(lender).stop();
    ProcessHandle.of(exportPid).ifPresent(p -> {
      p.destroyForcibly();
      p.onExit().join();
    });
    assertThat(ProcessHandle.of(exportPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(web1.read(portal, target, lun1, 1, work.resolve("degraded1.bin"))).isEqualTo(data1);
    assertThat(web1.read(portal, target, lun2, 1, work.resolve("degraded2.bin"))).isEqualTo(data2);
    byte[] data4 = randomBytes(1, 4);
    assertThat(web1.write(portal, target, lun1, Files.write(work.resolve("data4.bin"), data4)).exit()).isZero();
    assertThat(web1.read(portal, target, lun1, 1, work.resolve("back4.bin"))).isEqualTo(data4);
    // the engine serves without its redundancy, and the tenant sees so: its node's agent reports
    // the array DEGRADED from the engine's drive states
    awaitState(acme, "/api/v1/arrays/" + arrayId, "DEGRADED");

    // ---- no CHAP secret in any log of the run: the services', the agents', every engine's and
    // export service's, and the broker's segments (commands carry secrets sealed, never plain) ----
    assertNoLogHolds(List.of("acme-web1-secret", "globex-db1-secret"));

    System.out.println("end-to-end run took " + Duration.between(started, Instant.now()).toSeconds() + " s; drives on "
        + drivesNodes + "; engine on " + engineNode + ", drives lent by " + lender);
  }

  private static void assertNoLogHolds(List<String> secrets) throws java.io.IOException {
    List<Path> logs;
    try (var files = Files.walk(work)) {
      logs = files.filter(f -> f.getFileName().toString().endsWith(".log") && Files.isRegularFile(f)).toList();
    }
    assertThat(logs).as("logs of the run").isNotEmpty();
    for (Path log : logs) {
      String text = new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.ISO_8859_1);
      for (String secret : secrets) {
        assertThat(text.contains(secret)).as("%s holds a CHAP secret", log).isFalse();
      }
    }
  }
  private static byte[] randomBytesOf(int n) {
    byte[] b = new byte[n];
    new java.security.SecureRandom().nextBytes(b);
    return b;
  }
}
