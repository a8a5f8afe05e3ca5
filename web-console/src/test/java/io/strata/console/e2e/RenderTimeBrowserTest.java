package io.strata.console.e2e;

import static io.strata.console.e2e.ConsoleBrowser.CONSOLE;
import static io.strata.console.e2e.ConsoleBrowser.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.console.timing.RenderTiming;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.event.NodeEnrolled;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Server-side render time with 1 000 volumes: globex gets an array on a second storage node
 * (announced over Kafka as its agent would, with no engine behind it, so that 1 000 volumes cost
 * no engine work), 1 000 thin volumes through the real API, and then every tenant screen is
 * loaded in the browser. The time is the console's own {@code Server-Timing} figure
 * (RenderTiming: request in to headers out, including its calls to the control plane).
 *
 * <p>The figures are written to {@code web-console/target/render-times.txt} and recorded in
 * docs/console.md. The assertion is a generous bound (BOUND_MS for the median load) that
 * catches a page fetching far more than it shows, not a 300 ms check that a busy build machine
 * could fail by chance. It runs only with {@code -Dstrata.console.render-test=true}: seeding
 * takes minutes on a busy machine, too long for every build.
 */
@QuarkusTest
@QuarkusTestResource(KeycloakTestResource.class)
@QuarkusTestResource(StrataStack.class)
// Seeding 1 000 volumes takes minutes on a busy machine: not part of the default build. The
// condition is checked before the Quarkus app and the stack start, so a skipped run costs nothing.
@EnabledIfSystemProperty(named = "strata.console.render-test", matches = "true")
class RenderTimeBrowserTest {

  static final int VOLUMES = 1000;
  static final int LOADS = 7;
  /**
   * Far above the 300 ms the console aims at: measured at a load average of 54 on 2 cores the
   * slowest screen's median was 1.6 s (docs/console.md); a page that made one API call per volume
   * would take far longer than this even on a quiet machine.
   */
  static final double BOUND_MS = 5000;
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();
  static ConsoleBrowser browser;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(StrataStack.missing == null, "the Strata stack is " + StrataStack.missing);
    browser = new ConsoleBrowser();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void everyTenantScreenRendersWithinAGenerousBoundWithAThousandVolumes() throws Exception {
    String tenantToken = Tokens.accessToken("globex-admin");
    String arrayId = arrayOnASecondNode(tenantToken);
    String poolId = post(tenantToken, "/pools", """
        {"arrayId":"%s","name":"bulk","driveType":"HDD","protection":"RAID5","driveCount":3}""".formatted(arrayId))
        .path("object").path("id").asText(null);
    if (poolId == null) {
      poolId = firstPool(tenantToken, arrayId);
    }
    Instant seeding = Instant.now();
    seedVolumes(tenantToken, poolId);
    Duration seeded = Duration.between(seeding, Instant.now());

    Page page = browser.newPage(false);
    signIn(page, "globex-admin");
    Map<String, String> screens = new LinkedHashMap<>();
    screens.put("dashboard", "/");
    screens.put("arrays", "/arrays");
    screens.put("array", "/arrays/" + arrayId);
    screens.put("pools", "/pools");
    screens.put("volumes", "/volumes");
    screens.put("volumes by name", "/volumes?name=v-0500");
    screens.put("snapshots", "/snapshots");
    screens.put("servers", "/servers");
    screens.put("attachments", "/attachments");
    screens.put("operations", "/operations");
    screens.put("usage", "/usage");
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "server-side render time, %d volumes, %d loads per screen after one warm-up; load average %s%n",
        VOLUMES, LOADS, loadAverage()));
    double worstMedian = measure(page, screens, report);
    // the operator's screens over the same fleet (globex's array with its 1 000 volumes among them)
    Page ops = browser.newPage(false);
    signIn(ops, "ops");
    Map<String, String> operatorScreens = new LinkedHashMap<>();
    operatorScreens.put("op: arrays", "/operator/arrays");
    operatorScreens.put("op: nodes", "/operator/nodes");
    operatorScreens.put("op: tenants", "/operator/tenants");
    operatorScreens.put("op: dashboard", "/");
    worstMedian = Math.max(worstMedian, measure(ops, operatorScreens, report));
    ops.context().close();
    report.append(apiCallTimes(Tokens.accessToken("globex-admin"), arrayId));
    report.append(String.format(Locale.ROOT, "(seeding %d volumes through the API took %d s; load average now %s)%n",
        VOLUMES, seeded.toSeconds(), loadAverage()));
    Files.writeString(Paths.get("target", "render-times.txt"), report);
    System.out.print(report);

    // the volumes list pages through them: the 1 000 are there, 50 at a time
    page.navigate(CONSOLE + "/volumes");
    assertThat(page.locator("[data-testid=next-page]").count()).isEqualTo(1);
    assertThat(worstMedian).as("slowest screen's median render time (ms)\n" + report).isLessThan(BOUND_MS);
    page.context().close();
  }

  /** Loads each screen 1 + LOADS times, appends median and max to the report, answers the worst median. */
  static double measure(Page page, Map<String, String> screens, StringBuilder report) {
    double worstMedian = 0;
    for (Map.Entry<String, String> screen : screens.entrySet()) {
      List<Double> times = new ArrayList<>();
      for (int i = 0; i <= LOADS; i++) {
        Response response = page.navigate(CONSOLE + screen.getValue());
        assertThat(response.status()).as(screen.getKey()).isEqualTo(200);
        if (i > 0) {
          times.add(serverTime(response));
        }
      }
      times.sort(Double::compare);
      double median = times.get(times.size() / 2);
      worstMedian = Math.max(worstMedian, median);
      report.append(String.format(Locale.ROOT, "%-16s median %6.1f ms  max %6.1f ms%n", screen.getKey(), median,
          times.get(times.size() - 1)));
    }
    return worstMedian;
  }

  /**
   * What the pages' control-plane calls cost on their own, timed from this JVM (HTTP, token check,
   * query, JSON), so that a slow page can be told apart from a slow call: the median of LOADS.
   */
  static String apiCallTimes(String token, String arrayId) throws Exception {
    Map<String, String> calls = new LinkedHashMap<>();
    calls.put("arrays (100)", "/arrays?limit=100");
    calls.put("usage", "/usage");
    calls.put("array", "/arrays/" + arrayId);
    calls.put("array's drives", "/arrays/" + arrayId + "/drives");
    calls.put("array's volumes (50)", "/volumes?limit=50&arrayId=" + arrayId);
    calls.put("volumes (50)", "/volumes?limit=50");
    calls.put("volumes (100)", "/volumes?limit=100");
    calls.put("volumes (500)", "/volumes?limit=500");
    calls.put("pools (500)", "/pools?limit=500");
    calls.put("snapshots (50)", "/snapshots?limit=50");
    calls.put("schedules (100)", "/snapshot-policies?limit=100");
    calls.put("attachments (50)", "/attachments?limit=50");
    calls.put("servers (500)", "/servers?limit=500");
    calls.put("operations (50)", "/operations?limit=50");
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "control-plane calls on their own (median of %d; load average %s)%n", LOADS, loadAverage()));
    for (Map.Entry<String, String> call : calls.entrySet()) {
      List<Double> times = new ArrayList<>();
      for (int i = 0; i <= LOADS; i++) {
        long start = System.nanoTime();
        get(token, call.getValue());
        if (i > 0) {
          times.add((System.nanoTime() - start) / 1_000_000.0);
        }
      }
      times.sort(Double::compare);
      out.append(String.format(Locale.ROOT, "  %-22s median %6.1f ms%n", call.getKey(), times.get(times.size() / 2)));
    }
    return out.toString();
  }

  /** A node with six big HDDs, announced as its agent would; globex's array of four HDDs fits only there (the agent's node has two). */
  static String arrayOnASecondNode(String tenantToken) throws Exception {
    String nodeName = "render-node-" + UUID.randomUUID().toString().substring(0, 6);
    List<NodeEnrolled.Drive> drives = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      drives.add(new NodeEnrolled.Drive(nodeName + "-hdd" + i, DriveType.HDD, 4000, "/dev/null"));
    }
    // room for exactly one E01 engine (1 vCPU, 4 GiB): no other test's array is placed here
    StrataStack.announceNode(new NodeEnrolled(nodeName, "z2", "127.0.0.2", 1, 4096, drives,
        new NodeEnrolled.Isolation(true, "none", false, false, List.of("no engine: render-time test")), "test"));
    String opsToken = Tokens.accessToken("ops");
    Instant deadline = Instant.now().plusSeconds(60);
    while (!get(opsToken, "/admin/nodes?limit=100").toString().contains(nodeName)) {
      assertThat(Instant.now()).as("node %s enrolled", nodeName).isBefore(deadline);
      Thread.sleep(500);
    }
    JsonNode array = post(tenantToken, "/arrays", """
        {"name":"render-%s","engineSize":"E01","spread":"NONE","ssdDrives":0,"hddDrives":4}"""
        .formatted(nodeName.substring(nodeName.length() - 6)));
    String id = array.path("id").asText(array.path("object").path("id").asText());
    deadline = Instant.now().plusSeconds(60);
    while (!get(tenantToken, "/arrays/" + id).path("state").asText().equals("PROVISIONING")) {
      assertThat(Instant.now()).as("array %s placed", id).isBefore(deadline);
      Thread.sleep(500);
    }
    return id;
  }

  static String firstPool(String token, String arrayId) throws Exception {
    return get(token, "/pools?arrayId=" + arrayId).path("items").path(0).path("id").asText();
  }

  static void seedVolumes(String token, String poolId) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<JsonNode>> created = new ArrayList<>();
      for (int i = 0; i < VOLUMES; i++) {
        String name = String.format(Locale.ROOT, "v-%04d", i);
        created.add(pool.submit(() -> post(freshToken("globex-admin"), "/volumes", """
            {"poolId":"%s","name":"%s","sizeGib":1,"thin":true}""".formatted(poolId, name))));
      }
      for (Future<JsonNode> f : created) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private static String cachedToken;
  private static Instant cachedAt = Instant.EPOCH;

  /** Keycloak's access tokens live minutes; seeding on a busy machine may take longer. */
  static synchronized String freshToken(String user) {
    if (Instant.now().isAfter(cachedAt.plusSeconds(60))) {
      cachedToken = Tokens.accessToken(user);
      cachedAt = Instant.now();
    }
    return cachedToken;
  }

  /** The console's own figure for the page: {@code Server-Timing: render;dur=12.3}. */
  static double serverTime(Response response) {
    String header = response.headerValue(RenderTiming.HEADER.toLowerCase(Locale.ROOT));
    assertThat(header).as("Server-Timing header").startsWith("render;dur=");
    return Double.parseDouble(header.substring("render;dur=".length()));
  }

  static String loadAverage() {
    try {
      return Files.readString(Paths.get("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "unknown";
    }
  }

  static JsonNode get(String token, String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(StrataStack.controlPlaneApi + path))
        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  static JsonNode post(String token, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(StrataStack.controlPlaneApi + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Idempotency-Key", UUID.randomUUID().toString())
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isBetween(200, 299);
    return JSON.readTree(r.body());
  }
}
