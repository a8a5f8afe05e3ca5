package io.strata.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.testsupport.Tokens;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How fast provisioning is, end to end (issue 6 point 7), on the same running system as the
 * end-to-end test. Off in a normal build; {@code e2e/bench/provisioning.sh} runs it
 * ({@code -Dstrata.bench=true}, {@code -Dstrata.bench.runs=20}). Per run:
 *
 * <ol>
 *   <li>create-array → the API shows it ONLINE (the agent applied it; no engine runs yet);
 *   <li>create-array → its target accepts a login: with a pool, a volume and an attachment made
 *       as soon as each is possible, until {@code iscsi-inq} logs in and answers;
 *   <li>create-volume + attach on the running array → the new LUN is in the initiator's
 *       REPORT LUNS ({@code iscsi-ls}).
 * </ol>
 *
 * The array is deleted after each run. Results (p50/p95, with the load average) go to
 * {@code target/provisioning-benchmark.md}.
 */
@EnabledIfSystemProperty(named = "strata.bench", matches = "true")
class ProvisioningBenchmarkIT extends RunningStack {

  @Test
  void provisioningLatencies() throws Exception {
    int runs = Integer.getInteger("strata.bench.runs", 20);
    Api acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin"));
    Api ops = new Api(controlPlaneUrl, Tokens.accessToken("ops"));
    awaitTrue("both nodes ONLINE", () -> {
      int online = 0;
      for (JsonNode n : ops.get("/api/v1/admin/nodes").require(200).path("items")) {
        online += n.path("state").asText().equals("ONLINE") ? 1 : 0;
      }
      return online == 2;
    });
    String serverId = acme.post("/api/v1/servers", Map.of("name", "bench", "iqn", ACME_HOST, "chapUser", "bench",
        "chapSecret", "bench-secret-0001")).require(201).path("id").asText();
    Initiator host = new Initiator(ACME_HOST, "bench", "bench-secret-0001");
    List<Double> online = new ArrayList<>();
    List<Double> login = new ArrayList<>();
    List<Double> attachable = new ArrayList<>();
    double loadBefore = load();
    for (int i = 0; i < runs; i++) {
      acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin")); // tokens expire
      Api api = acme;
      long t0 = System.nanoTime();
      String arrayId = api.post("/api/v1/arrays", Map.of("name", "bench" + i, "engineSize", "E01", "ssdDrives", 2,
          "hddDrives", 0, "spread", "NONE")).require(201).path("id").asText();
      JsonNode array = poll(() -> stateIs(api, "/api/v1/arrays/" + arrayId, "ONLINE"));
      online.add(seconds(t0));
      String portal = array.path("portal").asText();
      String target = array.path("targetIqn").asText();
      String poolId = api.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", "p", "driveType", "SSD",
          "protection", "RAID1", "driveCount", 2)).require(201).path("id").asText();
      String v1 = api.post("/api/v1/volumes", Map.of("poolId", poolId, "name", "v1", "sizeGib", 1)).require(201)
          .path("id").asText();
      poll(() -> stateIs(api, "/api/v1/volumes/" + v1, "AVAILABLE"));
      String a1 = api.post("/api/v1/attachments", Map.of("volumeId", v1, "serverId", serverId)).require(201)
          .path("id").asText();
      poll(() -> host.inquiry(portal, target, 0).output().contains("DIRECT_ACCESS") ? api : null);
      login.add(seconds(t0));

      long t1 = System.nanoTime();
      String v2 = api.post("/api/v1/volumes", Map.of("poolId", poolId, "name", "v2", "sizeGib", 1)).require(201)
          .path("id").asText();
      poll(() -> stateIs(api, "/api/v1/volumes/" + v2, "AVAILABLE"));
      JsonNode a2 = api.post("/api/v1/attachments", Map.of("volumeId", v2, "serverId", serverId)).require(201);
      int lun2 = a2.path("connection").path("lun").asInt();
      poll(() -> host.discover(portal).output().contains("Lun:" + lun2) ? api : null);
      attachable.add(seconds(t1));

      for (String att : List.of(a1, a2.path("id").asText())) {
        api.delete("/api/v1/attachments/" + att);
      }
      for (String att : List.of(a1, a2.path("id").asText())) {
        poll(() -> stateIs(api, "/api/v1/attachments/" + att, "DETACHED"));
      }
      for (String v : List.of(v1, v2)) {
        api.delete("/api/v1/volumes/" + v);
        poll(() -> api.get("/api/v1/volumes/" + v).status() == 404 || stateIs(api, "/api/v1/volumes/" + v, "DELETED") != null ? api : null);
      }
      api.delete("/api/v1/pools/" + poolId);
      api.delete("/api/v1/arrays/" + arrayId);
      poll(() -> api.get("/api/v1/arrays/" + arrayId).status() == 404 || stateIs(api, "/api/v1/arrays/" + arrayId, "DELETED") != null ? api : null);
    }
    double loadAfter = load();
    String report = "| figure (n=" + runs + ") | p50 | p95 | max |\n| --- | --- | --- | --- |\n"
        + row("create-array → array ONLINE (API)", online)
        + row("create-array → target accepts a login (pool, volume, attach included)", login)
        + row("create-volume + attach → LUN visible to the initiator (running array)", attachable)
        + "\nLoad average (1 min) before: " + String.format("%.2f", loadBefore) + ", after: "
        + String.format("%.2f", loadAfter) + "; " + Runtime.getRuntime().availableProcessors() + " CPUs.\n";
    Path out = Path.of(System.getProperty("strata.e2e.work", "target/e2e")).getParent().resolve("provisioning-benchmark.md");
    Files.writeString(out, report);
    System.out.println(report);
  }

  static JsonNode stateIs(Api api, String path, String state) throws Exception {
    Api.Reply r = api.get(path);
    if (r.status() == 200 && r.body().path("state").asText().equals("FAILED")) {
      throw new AssertionError(path + " FAILED: " + r.raw());
    }
    return r.status() == 200 && r.body().path("state").asText().equals(state) ? r.body() : null;
  }

  static <T> T poll(Callable<T> probe) throws Exception {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (System.nanoTime() < deadline) {
      T value = probe.call();
      if (value != null) {
        return value;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not within " + SETTLE);
  }

  static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  static String row(String what, List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return "| " + what + " | " + fmt(percentile(sorted, 50)) + " | " + fmt(percentile(sorted, 95)) + " | "
        + fmt(sorted.get(sorted.size() - 1)) + " |\n";
  }

  /** Nearest-rank percentile. */
  static double percentile(List<Double> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  static String fmt(double s) {
    return String.format("%.2f s", s);
  }

  static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
