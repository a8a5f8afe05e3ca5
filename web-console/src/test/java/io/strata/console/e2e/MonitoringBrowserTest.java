package io.strata.console.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.strata.console.e2e.ConsoleBrowser.CONSOLE;
import static io.strata.console.e2e.ConsoleBrowser.screenshot;
import static io.strata.console.e2e.ConsoleBrowser.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import io.strata.contracts.usage.ArrayUsageSample.TierCapacity;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.Tokens;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Alerts, webhooks and the audit log through the browser, against the real stack: a tenant admin
 * registers a webhook (its signing secret shown once) pointing at a real HTTP receiver on
 * 127.0.0.1; a pool of the tenant's array is filled (its node reports 96 % used on strata.usage,
 * as an agent does); within 60 s the alerts page shows it FIRING and the receiver holds the signed
 * FIRING delivery; space freed, the alert resolves and the RESOLVED delivery arrives; the audit log
 * shows the registration marked "credentials"; the operator sees the tenant's alert and every entry.
 */
@QuarkusTest
@QuarkusTestResource(KeycloakTestResource.class)
@QuarkusTestResource(StrataStack.class)
class MonitoringBrowserTest {
  static final LocatorAssertions.ContainsTextOptions MINUTE = new LocatorAssertions.ContainsTextOptions().setTimeout(60_000);
  static final ObjectMapper JSON = new ObjectMapper();
  static ConsoleBrowser browser;
  static HttpServer receiver;
  static final List<String[]> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(StrataStack.missing == null, "the Strata stack is " + StrataStack.missing);
    browser = new ConsoleBrowser();
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      received.add(new String[] {exchange.getRequestHeaders().getFirst("X-Strata-Signature"), body});
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  /** What the node's agent reports of the array's SSD pools: {@code usedPercent} of 100 GiB used. */
  static ArrayUsageSample fill(String arrayId, int usedPercent, Instant end) {
    long gib = 1L << 30;
    return new ArrayUsageSample(arrayId, "acme", StrataStack.NODE_ID, end.minusSeconds(60), end, List.of(), "E01",
        List.of(new TierCapacity(DriveType.SSD, 100 * gib, usedPercent * gib, 100 * gib)), 0, 0, 0, 0, 0, 0);
  }

  static String hmac(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  /** The deliveries of one alert condition on one array the receiver got, as "EVENT", signatures checked. */
  static List<String> deliveries(String secret, String condition, String arrayId) throws Exception {
    List<String> events = new java.util.ArrayList<>();
    for (String[] r : received) {
      JsonNode n = JSON.readTree(r[1]);
      if (n.path("alert").path("condition").asText().equals(condition)
          && n.path("alert").path("arrayId").asText().equals(arrayId)) {
        assertThat(r[0]).as("signature of %s", r[1]).isEqualTo(hmac(secret, r[1]));
        events.add(n.path("event").asText());
      }
    }
    return events;
  }

  /** Publishes the reading until the alerts page shows {@code text} (the control plane reads new samples only). */
  static void publishUntilShown(Page page, ArrayUsageSample sample, Locator row, String text) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (true) {
      StrataStack.publishUsage(sample);
      try {
        assertThat(row).containsText(text, new LocatorAssertions.ContainsTextOptions().setTimeout(12_000));
        return;
      } catch (AssertionError notYet) {
        if (Instant.now().isAfter(deadline)) {
          throw notYet;
        }
      }
    }
  }

  @Test
  void aFilledPoolRaisesAnAlertOnThePageAndAtTheWebhookSignedAndResolvesOnceSpaceIsFreed() throws Exception {
    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";

    // ---- the webhook: registered in the browser, its secret shown once ----
    page.navigate(CONSOLE + "/webhooks");
    page.fill("#f-url", "ftp://nowhere");
    page.click("[data-testid=register-webhook] button[type=submit]");
    assertThat(page.locator("#err-url")).containsText("http");
    page.fill("#f-url", url);
    page.click("[data-testid=register-webhook] button[type=submit]");
    assertThat(page.getByTestId("secret-once")).isVisible();
    String secret = page.getByTestId("webhook-secret").textContent().trim();
    assertThat(secret).hasSizeGreaterThan(40);
    screenshot(page, "webhook-secret-once");
    page.navigate(CONSOLE + "/webhooks");
    assertThat(page.getByTestId("webhooks")).containsText(url);
    assertThat(page.content()).doesNotContain(secret);

    // ---- a pool fills up: the alert fires within 60 s, on the page and at the webhook ----
    String arrayId = RenderTimeBrowserTest.arrayOnASecondNode(Tokens.accessToken("acme-admin"));
    Instant filledAt = Instant.now();
    page.navigate(CONSOLE + "/alerts");
    Locator poolFull = page.locator("[data-testid=alert][data-condition=pool-full]").filter(
        new Locator.FilterOptions().setHasText("96.0%"));
    publishUntilShown(page, fill(arrayId, 96, Instant.now().plus(1, ChronoUnit.HOURS)), poolFull, "FIRING");
    assertThat(Duration.between(filledAt, Instant.now())).isLessThan(Duration.ofSeconds(60));
    screenshot(page, "alerts");
    awaitDeliveries(secret, arrayId, List.of("FIRING"));
    assertThat(Duration.between(filledAt, Instant.now())).isLessThan(Duration.ofSeconds(60));

    // ---- space freed: resolved on the page (it refreshes itself) and at the webhook ----
    publishUntilShown(page, fill(arrayId, 10, Instant.now().plus(2, ChronoUnit.HOURS)), poolFull.first(), "RESOLVED");
    awaitDeliveries(secret, arrayId, List.of("FIRING", "RESOLVED"));

    page.navigate(CONSOLE + "/webhooks");
    page.getByText("Deliveries").first().click();
    assertThat(page.getByTestId("deliveries")).containsText("DELIVERED");
    screenshot(page, "webhook-deliveries");

    // ---- the audit log: the registration, marked as a credential; the refused one too ----
    page.navigate(CONSOLE + "/audit?action=webhook.create");
    Locator created = page.locator("[data-testid=audit-entry][data-action='webhook.create'][data-result=SUCCEEDED]").first();
    assertThat(created).containsText("acme-admin");
    assertThat(created.getByTestId("mark")).containsText("credentials");
    page.navigate(CONSOLE + "/audit?action=webhook.create&result=REFUSED");
    assertThat(page.locator("[data-testid=audit-entry]").first()).containsText("400");
    page.navigate(CONSOLE + "/audit");
    screenshot(page, "audit");

    // ---- the operator sees the tenant's alert and the whole log ----
    Page ops = browser.newPage(false);
    signIn(ops, "ops");
    ops.navigate(CONSOLE + "/alerts");
    assertThat(ops.locator("[data-testid=alert][data-condition=pool-full]").first()).containsText("RESOLVED", MINUTE);
    ops.navigate(CONSOLE + "/audit?actor=acme-admin&action=webhook.");
    assertThat(ops.locator("[data-testid=audit-entry]").first()).containsText("acme");
  }

  static void awaitDeliveries(String secret, String arrayId, List<String> expected) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (!deliveries(secret, "pool-full", arrayId).equals(expected)) {
      assertThat(Instant.now()).as("deliveries %s (got %s)", expected, deliveries(secret, "pool-full", arrayId))
          .isBefore(deadline);
      Thread.sleep(500);
    }
  }
}
