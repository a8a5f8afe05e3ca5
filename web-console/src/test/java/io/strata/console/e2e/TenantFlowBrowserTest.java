package io.strata.console.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.strata.console.e2e.ConsoleBrowser.CONSOLE;
import static io.strata.console.e2e.ConsoleBrowser.screenshot;
import static io.strata.console.e2e.ConsoleBrowser.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tenant's way from nothing to a volume attached, through the browser, against the real control
 * plane: the one answering at http://127.0.0.1:8081, or else the reactor's built jar, started for
 * this test (ControlPlaneProcess); skipped when there is neither. The operator enrols a storage
 * node with two SSDs through the real API first, so that the array can be placed.
 */
@QuarkusTest
@QuarkusTestResource(KeycloakTestResource.class)
class TenantFlowBrowserTest {

  static final String API = ControlPlaneProcess.API.toString();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();
  static ConsoleBrowser browser;
  static ControlPlaneProcess controlPlane;

  @BeforeAll
  static void start() throws Exception {
    controlPlane = ControlPlaneProcess.startUnlessRunning();
    Assumptions.assumeTrue(controlPlane != null,
        "no control plane answers at " + API + " and none is built at " + ControlPlaneProcess.JAR);
    browser = new ConsoleBrowser();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  @Test
  void tenantCreatesArrayVolumeServerAndAttachmentAndReadsTheAttachCommands() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String nodeName = enrolNodeWithTwoSsds("e2e-node-" + suffix);
    String arrayName = "e2e-" + suffix;

    Page page = browser.newPage(false);
    signIn(page, "acme-admin");

    // create an array; the name is checked while typing, with the control plane's message
    page.navigate(CONSOLE + "/arrays");
    page.fill("#f-name", "Bad Name");
    assertThat(page.locator("#err-name")).containsText("lowercase");
    page.fill("#f-name", arrayName);
    assertThat(page.locator("#err-name")).isEmpty();
    page.selectOption("#f-spread", "NONE");
    page.fill("#f-ssdDrives", "2");
    page.fill("#f-hddDrives", "0");
    page.getByTestId("create-array").getByRole(AriaRole.BUTTON).click();
    page.waitForURL(Pattern.compile(".*/arrays/[0-9a-f-]{36}$"));
    assertThat(page.locator("h1")).containsText(arrayName);
    assertThat(page.locator("#progress")).isVisible();
    screenshot(page, "array-progress");
    // placed on the node: PROVISIONING (ONLINE once an agent reports)
    assertThat(page.locator("#progress mark")).containsText(Pattern.compile("PROVISIONING|ONLINE"),
        new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(30_000));

    // a pool from the two SSDs, then a volume in it
    page.navigate(CONSOLE + "/pools");
    page.selectOption("#f-arrayId", new com.microsoft.playwright.options.SelectOption().setLabel(arrayName + " (PROVISIONING)"));
    page.fill("#f-name", "fast");
    page.fill("#f-driveCount", "2");
    page.getByTestId("create-pool").getByRole(AriaRole.BUTTON).click();
    page.waitForURL(Pattern.compile(".*/pools\\?arrayId=[0-9a-f-]{36}$"));
    assertThat(page.locator("table")).containsText("fast");

    page.navigate(CONSOLE + "/volumes");
    page.fill("#f-name", "data-" + suffix);
    page.fill("#f-sizeGib", "0");
    assertThat(page.locator("#err-sizeGib")).containsText("whole number of GiB");
    page.fill("#f-sizeGib", "10");
    page.getByTestId("create-volume").getByRole(AriaRole.BUTTON).click();
    page.waitForURL(Pattern.compile(".*/volumes/[0-9a-f-]{36}$"));
    assertThat(page.locator("h1")).containsText("data-" + suffix);
    screenshot(page, "volume");

    // a server: the CHAP secret is generated and shown once
    page.navigate(CONSOLE + "/servers");
    page.fill("#f-name", "web-" + suffix);
    page.fill("#f-iqn", "iqn.1993-08.org.debian:01:" + suffix);
    page.getByTestId("create-server").getByRole(AriaRole.BUTTON).click();
    assertThat(page.getByTestId("chap-once")).isVisible();
    String secret = page.getByTestId("chap-secret").innerText();
    assertThat(secret).matches("[A-Za-z0-9]{16}");
    screenshot(page, "server-chap-once");
    page.navigate(CONSOLE + "/servers");
    assertThat(page.locator("main")).not().containsText(secret);

    // attach the volume to the server and read the commands
    page.navigate(CONSOLE + "/attachments");
    page.selectOption("#f-volumeId", new com.microsoft.playwright.options.SelectOption().setLabel("data-" + suffix + " (10 GiB)"));
    page.selectOption("#f-serverId", new com.microsoft.playwright.options.SelectOption().setLabel(
        "web-" + suffix + " (iqn.1993-08.org.debian:01:" + suffix + ")"));
    page.getByTestId("create-attachment").getByRole(AriaRole.BUTTON).click();
    page.waitForURL(Pattern.compile(".*/attachments/[0-9a-f-]{36}$"));
    assertThat(page.getByTestId("attach-commands")).containsText("iscsiadm -m discovery -t sendtargets -p");
    assertThat(page.getByTestId("attach-commands")).containsText("node.session.auth.username -v web-" + suffix);
    assertThat(page.getByTestId("attach-commands")).containsText("/dev/disk/by-path/ip-");
    assertThat(page.getByTestId("target-iqn")).containsText("iqn.2026-11.io.strata:");
    screenshot(page, "attachment-commands");

    page.navigate(CONSOLE + "/");
    screenshot(page, "dashboard");
    page.context().close();

    // another tenant sees none of it
    Page globex = browser.newPage(false);
    signIn(globex, "globex-admin");
    globex.navigate(CONSOLE + "/arrays");
    assertThat(globex.locator("main")).not().containsText(arrayName);
    globex.navigate(CONSOLE + "/volumes");
    assertThat(globex.locator("main")).not().containsText("data-" + suffix);
    globex.context().close();

    // the operator sees the node the array runs on
    Page ops = browser.newPage(false);
    signIn(ops, "ops");
    ops.navigate(CONSOLE + "/operator/nodes");
    assertThat(ops.locator("main")).containsText(nodeName);
    screenshot(ops, "operator-nodes");
    ops.context().close();
  }

  /** A storage node with two 100 GiB SSDs, enrolled by the operator through the API. */
  static String enrolNodeWithTwoSsds(String name) throws IOException, InterruptedException {
    String token = Tokens.accessToken("ops");
    JsonNode node = post(token, "/admin/nodes", """
        {"name":"%s","zone":"z1","address":"127.0.0.1","cpuCores":16,"memoryGib":64}""".formatted(name));
    String nodeId = node.get("id").asText();
    for (int i = 0; i < 2; i++) {
      post(token, "/admin/drives", """
          {"nodeId":"%s","serial":"%s-ssd%d","type":"SSD","capacityGib":100}""".formatted(nodeId, name, i));
    }
    // an agent's first heartbeat brings a node online; without an agent the operator says so
    HttpResponse<String> current = HTTP.send(HttpRequest.newBuilder(URI.create(API + "/admin/nodes/" + nodeId))
        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> online = HTTP.send(HttpRequest.newBuilder(URI.create(API + "/admin/nodes/" + nodeId))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("If-Match", current.headers().firstValue("ETag").orElse("\"0\""))
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"state\":\"ONLINE\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(online.statusCode()).as("node online: %s", online.body()).isBetween(200, 299);
    return name;
  }

  static JsonNode post(String token, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(API + path))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .header("Idempotency-Key", UUID.randomUUID().toString())
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isBetween(200, 299);
    return JSON.readTree(r.body());
  }

}
