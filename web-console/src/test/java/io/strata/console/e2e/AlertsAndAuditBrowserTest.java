package io.strata.console.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.strata.console.e2e.ConsoleBrowser.CONSOLE;
import static io.strata.console.e2e.ConsoleBrowser.screenshot;
import static io.strata.console.e2e.ConsoleBrowser.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.contracts.event.ArrayStatus;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.Tokens;
import io.strata.testsupport.WebhookReceiver;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 19's alerts, webhooks and audit log in the console, against the real stack (StrataStack):
 * a tenant admin registers a webhook (a receiver in this JVM on 127.0.0.1) and copies its secret,
 * shown once; the tenant's array is reported DEGRADED with a failed drive as its node would, and
 * the alerts page, left open, shows the FIRING alerts by itself; the receiver gets the signed
 * deliveries and the delivery log says DELIVERED; the array heals and the alerts show RESOLVED.
 * The audit log lists the tenant's changes, refused ones too, with its filters and its pages.
 */
@QuarkusTest
@QuarkusTestResource(KeycloakTestResource.class)
@QuarkusTestResource(StrataStack.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertsAndAuditBrowserTest {

  /** ISSUE-19: an injected fault raises its alert within 60 s. */
  static final LocatorAssertions.ContainsTextOptions WITHIN_60_S =
      new LocatorAssertions.ContainsTextOptions().setTimeout(60_000);
  static ConsoleBrowser browser;
  static WebhookReceiver receiver;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(StrataStack.missing == null, "the Strata stack is " + StrataStack.missing);
    browser = new ConsoleBrowser();
    receiver = WebhookReceiver.start();
  }

  @AfterAll
  static void stop() {
    if (receiver != null) {
      receiver.close();
    }
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  @Order(1)
  void aTenantRegistersAWebhookAndFollowsItsArraysAlertsFromFiringToResolved() throws Exception {
    String acme = Tokens.accessToken("acme-admin");
    String hookUrl = receiver.url("/" + UUID.randomUUID());
    Page page = browser.newPage(false);
    signIn(page, "acme-admin");

    // ---- the webhook: a wrong address is answered beside the field; the secret is shown once ----
    page.navigate(CONSOLE + "/webhooks");
    assertThat(page.locator("h1")).containsText("Webhooks");
    page.fill("#f-url", "ftp://alerts.example.com/strata");
    page.getByTestId("register-webhook").getByRole(AriaRole.BUTTON).click();
    assertThat(page.locator("#err-url")).containsText("http or https");
    page.fill("#f-url", hookUrl);
    page.getByTestId("register-webhook").getByRole(AriaRole.BUTTON).click();
    assertThat(page.getByTestId("secret-once")).containsText("shown only this once");
    String secret = page.getByTestId("webhook-secret").innerText().trim();
    assertThat(secret).isNotBlank();
    screenshot(page, "webhook-secret-once");
    page.navigate(CONSOLE + "/webhooks");
    Locator hookRow = page.getByTestId("webhooks").locator("tr", new Locator.LocatorOptions().setHasText(hookUrl));
    assertThat(hookRow).containsText("acme-admin");
    assertThat(page.locator("main")).not().containsText(secret);
    screenshot(page, "webhooks");

    // ---- the fault: the array's node reports a drive failed; the open page shows the alerts ----
    String arrayId = RenderTimeBrowserTest.arrayOnASecondNode(acme);
    String node = TenantFlowBrowserTest.nodeOf("acme", arrayId);
    String drive = node + "-hdd1";
    page.navigate(CONSOLE + "/alerts");
    // a tenant's alert about an array links to it
    String ofTheArray = ":has(a[href='/arrays/" + arrayId + "'])";
    Locator arrayAlerts = page.locator("[data-testid=alert]" + ofTheArray);
    Locator driveFailed = page.locator("[data-testid=alert][data-condition=drive-failed]" + ofTheArray);
    Locator degraded = page.locator("[data-testid=alert][data-condition=array-degraded]" + ofTheArray);
    StrataStack.reportArray(new ArrayStatus(arrayId, node, 1, ArrayStatus.State.DEGRADED,
        "drive " + drive + " FAILED: its file cannot be read", null, null, null, 0, "process", List.of()));
    // the page refreshes itself: no reload
    assertThat(driveFailed).containsText("FIRING", WITHIN_60_S);
    assertThat(driveFailed).containsText(drive);
    assertThat(driveFailed).containsText("critical");
    // first and last seen, to the second
    assertThat(driveFailed).containsText(Pattern.compile("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC"));
    assertThat(degraded).containsText("FIRING", WITHIN_60_S);
    screenshot(page, "alerts");

    // the receiver got both, signed with the secret shown once; the delivery log says so
    awaitDeliveries(arrayId, secret, "FIRING drive-failed", "FIRING array-degraded");
    page.navigate(CONSOLE + "/webhooks");
    hookRow.getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Deliveries")).click();
    assertThat(page.locator("h1")).containsText(hookUrl);
    assertThat(page.getByTestId("delivery").filter(new Locator.FilterOptions().setHasText("FIRING")).first())
        .containsText("DELIVERED");
    screenshot(page, "webhook-deliveries");

    // ---- the fix: the node reports the array serving; the alerts resolve ----
    StrataStack.reportArray(new ArrayStatus(arrayId, node, 2, ArrayStatus.State.ONLINE, null, null, null, null, 0,
        "process", List.of()));
    page.navigate(CONSOLE + "/alerts");
    assertThat(driveFailed).containsText("RESOLVED", WITHIN_60_S);
    assertThat(degraded).containsText("RESOLVED", WITHIN_60_S);
    awaitDeliveries(arrayId, secret, "RESOLVED drive-failed", "RESOLVED array-degraded");
    // the state filter: FIRING lists none of them any more, RESOLVED lists both
    page.selectOption("#filter-state", "FIRING");
    page.waitForURL(Pattern.compile(".*/alerts\\?state=FIRING$"));
    assertThat(arrayAlerts).hasCount(0);
    page.selectOption("#filter-state", "RESOLVED");
    page.waitForURL(Pattern.compile(".*/alerts\\?state=RESOLVED$"));
    assertThat(arrayAlerts).hasCount(2);

    // ---- another tenant sees none of it; the operator sees it among every tenant's ----
    Page globex = browser.newPage(false);
    signIn(globex, "globex-admin");
    globex.navigate(CONSOLE + "/alerts");
    assertThat(globex.locator("main")).not().containsText(drive);
    globex.navigate(CONSOLE + "/webhooks");
    assertThat(globex.locator("main")).not().containsText(hookUrl);
    globex.context().close();
    Page ops = browser.newPage(false);
    signIn(ops, "ops");
    ops.navigate(CONSOLE + "/alerts");
    assertThat(ops.locator("[data-condition=drive-failed]", new Page.LocatorOptions().setHasText(drive))).containsText("RESOLVED");
    ops.context().close();

    // ---- the webhook removed, after a confirmation ----
    page.navigate(CONSOLE + "/webhooks");
    page.onceDialog(d -> d.accept());
    hookRow.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Remove")).click();
    assertThat(page.locator("main")).not().containsText(hookUrl);
    page.context().close();
  }

  @Test
  @Order(2)
  void theAuditLogListsTheTenantsChangesWithFiltersAndPages() throws Exception {
    String acme = Tokens.accessToken("acme-admin");
    // more refused changes than one page holds (50), each naming its own object
    Set<String> refused = new HashSet<>();
    for (int i = 0; i < 55; i++) {
      String id = UUID.randomUUID().toString();
      HttpResponse<String> r = RenderTimeBrowserTest.HTTP.send(HttpRequest.newBuilder(
              URI.create(StrataStack.controlPlaneApi + "/servers/" + id))
          .header("Authorization", "Bearer " + acme).DELETE().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("DELETE a server that does not exist: %s", r.body()).isEqualTo(404);
      refused.add(id);
    }

    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    page.navigate(CONSOLE + "/audit");
    assertThat(page.getByTestId("audit-entry").first()).isVisible();
    assertThat(TenantFlowBrowserTest.unlabelledControls(page)).isZero();

    // the credentials mark: the webhook the first test registered (a signing secret was made)
    page.selectOption("#filter-mark", "credentials");
    page.getByTestId("audit-filters").getByRole(AriaRole.BUTTON).click();
    page.waitForURL(Pattern.compile(".*/audit\\?.*mark=credentials.*"));
    assertThat(page.getByTestId("audit-entry").filter(new Locator.FilterOptions().setHasText("webhook.create")).first())
        .containsText("credentials");
    for (String action : actions(page)) {
      assertThat(action).isIn("webhook.create", "server.create", "server.credentials");
    }
    screenshot(page, "audit");

    // who, what and how it ended: acme-admin's refused server deletions, over two pages
    page.navigate(CONSOLE + "/audit");
    page.fill("#filter-actor", "acme-admin");
    page.fill("#filter-action", "server.delete");
    page.selectOption("#filter-result", "REFUSED");
    page.getByTestId("audit-filters").getByRole(AriaRole.BUTTON).click();
    page.waitForURL(Pattern.compile(".*/audit\\?.*result=REFUSED.*"));
    assertThat(page.getByTestId("audit-entry")).hasCount(50);
    assertThat(page.getByTestId("audit-entry").first()).containsText("404");
    List<String> first = targets(page);
    for (String action : actions(page)) {
      assertThat(action).isEqualTo("server.delete");
    }
    page.getByTestId("next-page").click();
    page.waitForURL(Pattern.compile(".*/audit\\?.*cursor=.*"));
    // the filters stay with the pages
    assertThat(page.locator("#filter-actor")).hasValue("acme-admin");
    assertThat(page.locator("#filter-result")).hasValue("REFUSED");
    List<String> second = targets(page);
    assertThat(second).isNotEmpty().doesNotContainAnyElementsOf(first);
    List<String> both = new ArrayList<>(first);
    both.addAll(second);
    assertThat(both).containsAll(refused);
    for (String action : actions(page)) {
      assertThat(action).isEqualTo("server.delete");
    }
    page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("First page")).click();
    assertThat(page.getByTestId("audit-entry")).hasCount(50);
    assertThat(targets(page)).isEqualTo(first);

    // a filter that matches nothing says so
    page.navigate(CONSOLE + "/audit?actor=nobody-" + UUID.randomUUID());
    assertThat(page.getByTestId("empty")).containsText("No entries match");
    page.context().close();

    // another tenant's log has none of acme's entries; the operator's has them, with the tenant
    Page globex = browser.newPage(false);
    signIn(globex, "globex-admin");
    globex.navigate(CONSOLE + "/audit?action=server.delete&result=REFUSED");
    String someAcmeTarget = first.get(0);
    assertThat(globex.locator("main")).not().containsText(someAcmeTarget);
    globex.context().close();
    Page ops = browser.newPage(false);
    signIn(ops, "ops");
    ops.navigate(CONSOLE + "/audit?actor=acme-admin&action=server.delete&result=REFUSED");
    assertThat(ops.getByTestId("audit-entry").first()).containsText("(acme)");
    ops.context().close();
  }

  /** The ids of the objects the listed entries name. */
  static List<String> targets(Page page) {
    return page.getByTestId("audit-entry").locator("td:nth-child(4) code").allInnerTexts();
  }

  static List<String> actions(Page page) {
    List<String> out = new ArrayList<>();
    for (Locator row : page.getByTestId("audit-entry").all()) {
      out.add(row.getAttribute("data-action"));
    }
    return out;
  }

  /** Waits (60 s at most) until the receiver has these deliveries about the array, each signed with the secret. */
  static void awaitDeliveries(String arrayId, String secret, String... expected) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (true) {
      List<String> got = new ArrayList<>();
      for (WebhookReceiver.Delivery r : receiver.received()) {
        JsonNode n = RenderTimeBrowserTest.JSON.readTree(r.body());
        if (n.path("alert").path("arrayId").asText().equals(arrayId)) {
          assertThat(r.signedWith(secret)).as("the signature of %s", r.body()).isTrue();
          got.add(n.path("event").asText() + " " + n.path("alert").path("condition").asText());
        }
      }
      if (got.containsAll(List.of(expected))) {
        return;
      }
      assertThat(Instant.now()).as("deliveries %s about array %s; got %s", List.of(expected), arrayId, got)
          .isBefore(deadline);
      Thread.sleep(500);
    }
  }
}
