package io.strata.console.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.strata.console.e2e.ConsoleBrowser.CONSOLE;
import static io.strata.console.e2e.ConsoleBrowser.screenshot;
import static io.strata.console.e2e.ConsoleBrowser.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Download;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.SelectOption;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.contracts.event.ArrayPerformance;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import io.strata.contracts.usage.ArrayUsageSample.TierCapacity;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.Tokens;
import java.nio.file.Files;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
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
 * A tenant's way from nothing to a volume attached and priced, through the browser, against the
 * real stack (StrataStack: control plane, billing, two agents running real array engines, Kafka,
 * Keycloak). The operator prices storage first; the tenant's array goes online on the agent's
 * demo drives; another tenant sees none of it; the operator sees both tenants, the node and the
 * invoices.
 */
@QuarkusTest
@QuarkusTestResource(KeycloakTestResource.class)
@QuarkusTestResource(StrataStack.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TenantFlowBrowserTest {

  static final LocatorAssertions.ContainsTextOptions MINUTES =
      new LocatorAssertions.ContainsTextOptions().setTimeout(180_000);
  static ConsoleBrowser browser;
  /** What the first test made for acme, used by the next ones. */
  static String suffix;
  static String volumeId;
  /** The node the scheduler put acme's array on (either of the stack's two), and its address. */
  static String arrayNode;
  static String arrayAddress;

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
  @Order(1)
  void tenantGetsAnArrayOnlineAVolumeAttachedAndSeesItsCost() throws Exception {
    suffix = UUID.randomUUID().toString().substring(0, 6);
    String arrayName = "e2e-" + suffix;
    YearMonth lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1);

    // ---- the operator prices storage: a default plan, checked while typing -----------------
    Page ops = browser.newPage(false);
    signIn(ops, "ops");
    ops.navigate(CONSOLE + "/operator/plans");
    ops.fill("#f-currency", "eur");
    assertThat(ops.locator("#err-currency")).containsText("ISO 4217");
    ops.fill("#f-currency", "EUR");
    assertThat(ops.locator("#err-currency")).isEmpty();
    ops.fill("#f-name", "standard-" + suffix);
    ops.fill("#f-effectiveFrom", lastMonth.atDay(1).toString());
    ops.fill("#f-rateSsd", "0,5");
    assertThat(ops.locator("#err-rateSsd")).containsText("a dot for decimals");
    ops.fill("#f-rateSsd", "0.5");
    ops.fill("#f-rateHdd", "0.1");
    ops.fill("#f-rateE01", "2");
    ops.fill("#f-rateIo", "0.01");
    // billing refuses to price usage that has no rate (never billed as zero): transfer is metered too
    ops.fill("#f-rateTransfer", "0.02");
    ops.check("#f-isDefault");
    ops.getByTestId("create-plan").getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Create plan")).click();
    assertThat(ops.getByTestId("plan-standard-" + suffix)).containsText("default");
    assertThat(ops.getByTestId("plan-standard-" + suffix)).containsText("storage:SSD");
    screenshot(ops, "operator-plans");

    // ---- the tenant creates an array and follows it until it is online ---------------------
    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    page.navigate(CONSOLE + "/arrays");
    page.fill("#f-name", "Bad Name");
    assertThat(page.locator("#err-name")).containsText("lowercase");
    page.fill("#f-name", arrayName);
    assertThat(page.locator("#err-name")).isEmpty();
    page.selectOption("#f-spread", "NONE");
    page.fill("#f-ssdDrives", "2");
    page.fill("#f-hddDrives", "0");
    // one engine unless asked
    assertThat(page.locator("#f-highAvailability")).not().isChecked();
    page.getByTestId("create-array").getByRole(AriaRole.BUTTON).click();
    page.waitForURL(Pattern.compile(".*/arrays/[0-9a-f-]{36}$"));
    String arrayId = page.url().substring(page.url().lastIndexOf('/') + 1);
    assertThat(page.locator("h1")).containsText(arrayName);
    assertThat(page.getByTestId("array-progress")).isVisible();
    screenshot(page, "array-progress");
    // the page polls itself: the agent starts the array's engine and reports it online
    assertThat(page.locator("#progress mark")).containsText("ONLINE", MINUTES);
    assertThat(page.locator("main")).containsText("iqn.2026-11.io.strata:");
    assertThat(page.getByTestId("array-ha")).containsText("no: one engine");
    assertThat(page.getByTestId("engines")).hasCount(0);
    screenshot(page, "array-online");
    // spread NONE: the scheduler picks either node; the portal says which
    String portal = RenderTimeBrowserTest.get(Tokens.accessToken("acme-admin"), "/arrays/" + arrayId).path("portal").asText();
    arrayAddress = portal.substring(0, portal.lastIndexOf(':'));
    arrayNode = arrayAddress.equals("127.0.0.2") ? StrataStack.NODE_2_ID : StrataStack.NODE_ID;

    // drives: take one more (an HDD) and give it back; a count of 0 gets its message while typing
    page.selectOption("#f-type", "HDD");
    page.fill("#f-count", "0");
    assertThat(page.locator("#err-count")).containsText("1 to 64");
    page.fill("#f-count", "1");
    page.getByTestId("add-drives").getByRole(AriaRole.BUTTON).click();
    assertThat(page.getByTestId("drives")).containsText("HDD");
    screenshot(page, "array-drives");
    page.onceDialog(dialog -> dialog.accept());
    page.getByTestId("drives").locator("tr", new com.microsoft.playwright.Locator.LocatorOptions().setHasText("HDD"))
        .getByTestId("remove-drive").click();
    assertThat(page.getByTestId("drives")).not().containsText("HDD");

    // a pool from the two SSDs, then a volume in it
    page.navigate(CONSOLE + "/pools");
    page.selectOption("#f-arrayId", arrayId);
    page.fill("#f-name", "fast");
    page.fill("#f-driveCount", "2");
    page.getByTestId("create-pool").getByRole(AriaRole.BUTTON).click();
    page.waitForURL(Pattern.compile(".*/pools\\?arrayId=[0-9a-f-]{36}$"));
    assertThat(page.locator("table")).containsText("fast");
    // the pool by its id: other test classes' arrays share the stack, and their pools may come first
    String poolHref = page.locator("tr", new Page.LocatorOptions().setHasText("fast"))
        .getByTestId("pool-link").getAttribute("href");
    String poolId = poolHref.substring(poolHref.lastIndexOf('/') + 1);

    page.navigate(CONSOLE + "/volumes");
    page.selectOption("#f-poolId", poolId);
    page.fill("#f-name", "data-" + suffix);
    page.fill("#f-sizeGib", "0");
    assertThat(page.locator("#err-sizeGib")).containsText("whole number of GiB");
    page.fill("#f-sizeGib", "2");
    page.getByTestId("create-volume").getByRole(AriaRole.BUTTON).click();
    page.waitForURL(Pattern.compile(".*/volumes/[0-9a-f-]{36}$"));
    assertThat(page.locator("h1")).containsText("data-" + suffix);
    assertThat(page.getByTestId("tier-pin")).containsText("not pinned");
    // the agent makes the volume's LUN; until then it is CREATING (a snapshot needs it AVAILABLE)
    reloadUntil(page, "main", "AVAILABLE");
    volumeId = page.url().substring(page.url().lastIndexOf('/') + 1);
    screenshot(page, "volume");
    // the volume's performance: ten one-minute samples as an agent sends them; the chart section
    // (an htmx fragment refreshed every 30 s) draws them
    Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    for (int m = 10; m >= 1; m--) {
      long reads = 3000L + 600L * (m % 4);
      Instant end = minute.minus(m - 1, ChronoUnit.MINUTES);
      StrataStack.publishPerformance(new ArrayPerformance(arrayId, "console-e2e", end.minusSeconds(60), end, List.of(
          new ArrayPerformance.Series(ArrayPerformance.Kind.VOLUME, volumeId, reads * 20, reads * 5, reads * 20 * 4096,
              reads * 5 * 65536, 300L + 20 * m, 2_000L + 150 * m, 800L, 4_000L + 100 * (m % 3), null, null, null, null))));
    }
    page.reload();
    assertThat(page.getByTestId("performance").locator("svg[aria-label=IOPS] polyline").first())
        .isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(60_000));
    assertThat(page.getByTestId("performance")).containsText("Latency");
    screenshot(page, "volume-performance");
    // a tier pin on this SSD pool (no tiering) is refused, and the reason shows beside the field
    page.selectOption("#f-tierPin", "SSD");
    page.getByTestId("change-volume").getByRole(AriaRole.BUTTON).click();
    assertThat(page.locator("#err-tierPin")).containsText("has no tiering");
    assertThat(page.getByTestId("tier-pin")).containsText("not pinned");

    // snapshots: take one, and a schedule that takes them
    page.navigate(CONSOLE + "/snapshots");
    // this test's volume by its id: other test classes' volumes share the stack and may come first
    page.getByTestId("take-snapshot").locator("#f-volumeId").selectOption(volumeId);
    page.getByTestId("take-snapshot").locator("#f-name").fill("before-" + suffix);
    page.getByTestId("take-snapshot").getByRole(AriaRole.BUTTON).click();
    assertThat(page.locator("main table")).containsText("before-" + suffix);
    page.getByTestId("schedule-snapshots").locator("#p-volumeId").selectOption(volumeId);
    page.getByTestId("schedule-snapshots").locator("#f-name").fill("hourly-" + suffix);
    page.getByTestId("schedule-snapshots").locator("#f-intervalMinutes").fill("60");
    page.getByTestId("schedule-snapshots").locator("#f-retain").fill("24");
    page.getByTestId("schedule-snapshots").getByRole(AriaRole.BUTTON).click();
    assertThat(page.locator("main")).containsText("hourly-" + suffix + ": every 60 min, keep 24");
    screenshot(page, "snapshots");

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
    page.selectOption("#f-volumeId", new SelectOption().setLabel("data-" + suffix + " (2 GiB)"));
    page.selectOption("#f-serverId", new SelectOption().setLabel(
        "web-" + suffix + " (iqn.1993-08.org.debian:01:" + suffix + ")"));
    page.getByTestId("create-attachment").getByRole(AriaRole.BUTTON).click();
    page.waitForURL(Pattern.compile(".*/attachments/[0-9a-f-]{36}$"));
    assertThat(page.getByTestId("attach-commands")).containsText("iscsiadm -m discovery -t sendtargets -p '" + arrayAddress + ":");
    assertThat(page.getByTestId("attach-commands")).containsText("node.session.auth.username -v 'web-" + suffix + "'");
    assertThat(page.getByTestId("attach-commands")).containsText("ls -l '/dev/disk/by-path/ip-" + arrayAddress + ":");
    assertThat(page.getByTestId("target-iqn")).containsText("iqn.2026-11.io.strata:");
    screenshot(page, "attachment-commands");

    // ---- cost: usage of last month and of the last hour, metered as the agent publishes it --
    Instant hourAgo = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS);
    Instant lastMonthStart = lastMonth.atDay(2).atStartOfDay(ZoneOffset.UTC).toInstant();
    StrataStack.publishUsage(sample(arrayId, lastMonthStart, lastMonthStart.plus(1, ChronoUnit.HOURS)));
    StrataStack.publishUsage(sample(arrayId, hourAgo, hourAgo.plus(1, ChronoUnit.HOURS)));
    page.navigate(CONSOLE + "/");
    assertThat(page.getByTestId("panel-cost")).not().containsText("not available");
    for (int i = 0; i < 30 && page.getByTestId("cost-amount").innerText().matches("0(\\.0+)?\\b.*"); i++) {
      page.waitForTimeout(1000);
      page.reload();
    }
    assertThat(page.getByTestId("cost-amount")).containsText(Pattern.compile("([1-9][0-9]*(\\.[0-9]+)?|0\\.[0-9]*[1-9][0-9]*) EUR"));
    assertThat(page.getByTestId("panel-arrays")).containsText("ONLINE", MINUTES);
    screenshot(page, "dashboard");
    page.navigate(CONSOLE + "/usage");
    assertThat(page.getByTestId("cost-total")).containsText("EUR");
    assertThat(page.getByTestId("cost-chart")).isVisible();
    screenshot(page, "usage");

    // ---- the operator closes last month and exports the invoice --------------------------
    ops.navigate(CONSOLE + "/operator/invoices");
    ops.fill("#close-period", lastMonth.toString());
    ops.onceDialog(dialog -> dialog.accept());
    ops.locator("form[action='/operator/invoices/close'] button").click();
    assertThat(ops.getByTestId("closed")).containsText("Period " + lastMonth + " is closed");
    assertThat(ops.locator("main table")).containsText("acme");
    screenshot(ops, "operator-invoices");
    Download download = ops.waitForDownload(() -> ops.locator("main table a", new Page.LocatorOptions().setHasText("CSV")).first().click());
    String csv = Files.readString(download.path());
    assertThat(csv).contains("acme").contains(lastMonth.toString());

    // the tenant sees its own invoice and exports it
    page.navigate(CONSOLE + "/invoices");
    assertThat(page.getByTestId("invoices")).containsText(lastMonth.toString());
    screenshot(page, "tenant-invoices");
    String invoiceCsv = page.getByTestId("invoice-csv").first().getAttribute("href");
    Download own = page.waitForDownload(() -> page.getByTestId("invoice-csv").first().click());
    assertThat(Files.readString(own.path())).contains(lastMonth.toString());
    page.context().close();

    // ---- another tenant sees none of it -------------------------------------------------------
    Page globex = browser.newPage(false);
    signIn(globex, "globex-admin");
    for (String screen : List.of("/arrays", "/volumes", "/servers", "/attachments", "/snapshots", "/invoices")) {
      globex.navigate(CONSOLE + screen);
      assertThat(globex.locator("main")).not().containsText(suffix);
    }
    assertThat(globex.locator("main")).not().containsText(lastMonth.toString());
    // acme's invoice, asked for by number: billing answers as if it did not exist
    assertThat(globex.navigate(CONSOLE + invoiceCsv).status()).isEqualTo(404);
    globex.navigate(CONSOLE + "/arrays/" + arrayId);
    assertThat(globex.locator("main")).not().containsText(arrayName);
    globex.context().close();

    // ---- the operator sees both tenants, the node the array runs on, and acme's cost ------------
    ops.navigate(CONSOLE + "/operator/nodes");
    assertThat(ops.locator("main")).containsText(StrataStack.NODE_ID);
    screenshot(ops, "operator-nodes");
    ops.navigate(CONSOLE + "/operator/tenants");
    assertThat(ops.locator("main table")).containsText("globex");
    assertThat(ops.getByTestId("cost-acme")).containsText("EUR");
    assertThat(ops.getByTestId("cost-acme")).not().containsText(Pattern.compile("^0(\\.0+)? EUR"));
    // quotas: the operator changes globex's array quota
    ops.getByTestId("quota-globex").locator("input[name=maxArrays]").fill("7");
    ops.getByTestId("quota-globex").getByRole(AriaRole.BUTTON).click();
    assertThat(ops.getByTestId("quota-globex").locator("input[name=maxArrays]")).hasValue("7");
    screenshot(ops, "operator-tenants");
    ops.context().close();
  }

  @Test
  @Order(2)
  void operatorSeesEveryTenantsArrays() throws Exception {
    Assumptions.assumeTrue(suffix != null, "the first test made acme's array");
    // globex gets an array too, on a second node announced as its agent would (no engine behind it)
    RenderTimeBrowserTest.arrayOnASecondNode(Tokens.accessToken("globex-admin"));

    Page ops = browser.newPage(false);
    signIn(ops, "ops");
    // from the nodes screen to the arrays on the agent's node: acme's
    ops.navigate(CONSOLE + "/operator/nodes");
    ops.getByTestId("node-arrays-" + arrayNode).click();
    ops.waitForURL(Pattern.compile(".*/operator/arrays\\?node=[0-9a-f-]{36}$"));
    // (acme may have other arrays on that node, e.g. the defaults test's)
    assertThat(ops.getByTestId("fleet-acme").filter(new com.microsoft.playwright.Locator.FilterOptions()
        .setHasText("e2e-" + suffix))).hasCount(1);
    assertThat(ops.getByTestId("fleet-globex")).hasCount(0);
    // all tenants' arrays: both tenants, with node, engine size, drives and volumes
    ops.navigate(CONSOLE + "/operator/arrays");
    assertThat(ops.getByTestId("fleet-acme").filter(new com.microsoft.playwright.Locator.FilterOptions()
        .setHasText("e2e-" + suffix))).containsText("E01");
    assertThat(ops.getByTestId("fleet-acme").filter(new com.microsoft.playwright.Locator.FilterOptions()
        .setHasText("e2e-" + suffix))).containsText(arrayNode);
    assertThat(ops.getByTestId("fleet-globex").first()).containsText("render-");
    screenshot(ops, "operator-arrays");
    // filters: one tenant, from the tenants screen's link; a state; a tenant that has none
    ops.navigate(CONSOLE + "/operator/tenants");
    ops.getByTestId("tenant-arrays-globex").click();
    assertThat(ops.locator("#filter-tenant")).hasValue("globex");
    assertThat(ops.getByTestId("fleet-globex").first()).isVisible();
    assertThat(ops.getByTestId("fleet-acme")).hasCount(0);
    ops.locator("#filter-tenant").fill("");
    ops.selectOption("#filter-state", "FAILED");
    ops.getByTestId("fleet-filters").getByRole(AriaRole.BUTTON).click();
    assertThat(ops.locator("main")).not().containsText("e2e-" + suffix);
    // from the keyboard: type a tenant's alias in the filter and press Enter
    ops.navigate(CONSOLE + "/operator/arrays");
    assertThat(unlabelledControls(ops)).isZero();
    ops.locator("#filter-tenant").focus();
    ops.keyboard().type("acme");
    ops.keyboard().press("Enter");
    ops.waitForURL(Pattern.compile(".*/operator/arrays\\?tenant=acme.*"));
    assertThat(ops.getByTestId("fleet-acme").first()).isVisible();
    assertThat(ops.getByTestId("fleet-globex")).hasCount(0);
    ops.navigate(CONSOLE + "/operator/arrays?tenant=nosuch");
    assertThat(ops.getByTestId("empty")).containsText("No array matches these filters");
    // a filter that cannot be right is answered beside the filter, not with an error page
    assertThat(ops.navigate(CONSOLE + "/operator/arrays?state=SIDEWAYS").status()).isEqualTo(400);
    assertThat(ops.locator("#err-state")).containsText("not an array state");
    ops.context().close();

    // at phone width the list scrolls inside its own box, the page does not widen
    Page phone = browser.newPage(true);
    signIn(phone, "ops");
    phone.navigate(CONSOLE + "/operator/arrays");
    assertThat((Integer) phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")).isLessThanOrEqualTo(0);
    screenshot(phone, "operator-arrays-phone");
    phone.context().close();
  }

  @Test
  @Order(3)
  void tenantRollsAVolumeBackToASnapshot() throws Exception {
    Assumptions.assumeTrue(volumeId != null, "the first test made acme's attached volume");
    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    page.navigate(CONSOLE + "/volumes/" + volumeId);
    // a snapshot taken on the volume's own page, next to the one the first test took
    page.fill("#snap-name", "pre-rollback-" + suffix);
    page.locator("form[action$='/snapshots'] button").click();
    assertThat(page.locator("main")).containsText("pre-rollback-" + suffix);
    reloadUntil(page, "main", "before-" + suffix);

    // the confirmation says what is lost and that the volume is attached
    page.getByTestId("rollback-before-" + suffix).click();
    page.waitForURL(Pattern.compile(".*/snapshots/[0-9a-f-]{36}/rollback$"));
    assertThat(page.getByTestId("rollback-loss")).containsText("since the snapshot was taken");
    assertThat(page.getByTestId("rollback-loss")).containsText("is lost");
    assertThat(page.getByTestId("rollback-attached")).containsText("detach it first");
    assertThat(unlabelledControls(page)).isZero();
    screenshot(page, "rollback-confirm");
    String confirmation = page.url();

    String snapshotId = page.url().replaceAll(".*/snapshots/([0-9a-f-]{36})/rollback$", "$1");
    // the agent reports the snapshot made once the engine applied it: the roll-back needs that
    String snapshotState = "";
    for (int i = 0; i < 60 && !"AVAILABLE".equals(snapshotState); i++) {
      if (i > 0) {
        page.waitForTimeout(1000);
      }
      snapshotState = RenderTimeBrowserTest.get(Tokens.accessToken("acme-admin"), "/snapshots/" + snapshotId)
          .path("state").asText();
    }

    // the control plane refuses: its own message shows on the page
    page.getByTestId("rollback").getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Locator.GetByRoleOptions()
        .setName(Pattern.compile("^Roll back to"))).click();
    org.assertj.core.api.Assertions.assertThat(snapshotState)
        .as("the node reports the snapshot taken in the first test").isEqualTo("AVAILABLE");
    // an AVAILABLE snapshot of an attached volume: refused because attached, the forced way offered
    assertThat(page.getByTestId("rollback-problem")).containsText("attached");
    assertThat(page.getByTestId("rollback-force")).isVisible();
    screenshot(page, "rollback-refused");

    // forcing takes two confirmations: the box (ticked from the keyboard) and a dialog
    String[] dialog = new String[1];
    page.onceDialog(d -> {
      dialog[0] = d.message();
      d.accept();
    });
    page.locator("#confirm-force").focus();
    page.keyboard().press("Space");
    assertThat(page.locator("#confirm-force")).isChecked();
    page.getByTestId("rollback-force-form").getByRole(AriaRole.BUTTON).click();
    page.waitForURL(Pattern.compile(".*/volumes/" + volumeId + "$"));
    assertThat(dialog[0]).contains("while it is attached");
    // the volume page follows the roll-back; it can be left and come back to
    assertThat(page.locator("main")).containsText(Pattern.compile("ROLLING_BACK|AVAILABLE"));
    screenshot(page, "rollback-progress");
    page.navigate(CONSOLE + "/operations?targetId=" + volumeId);
    assertThat(page.locator("main table")).containsText("volume.rollback");
    page.navigate(CONSOLE + "/volumes/" + volumeId);
    // the agent reports the rollback applied by the engine: the roll-back completes
    reloadUntil(page, "#volume-state", "AVAILABLE");
    page.navigate(CONSOLE + "/operations?targetId=" + volumeId);
    assertThat(page.locator("main table tr", new Page.LocatorOptions().setHasText("volume.rollback"))).containsText("SUCCEEDED");
    page.context().close();
    confirmationFitsAPhone(confirmation);
  }

  /** The roll-back confirmation at phone width: nothing widens the page. */
  /**
   * An array whose engine serves without some of its drives: its node reports it DEGRADED with
   * the reason, and the tenant's array page says so, with the reason, instead of only a state.
   */
  @Test
  @Order(4)
  void aTenantSeesWhatADegradedArrayLacks() throws Exception {
    String globex = Tokens.accessToken("globex-admin");
    String id = RenderTimeBrowserTest.arrayOnASecondNode(globex);
    String node = nodeOf("globex", id);
    String why = "drive " + node + "-hdd0 FAILED: its node does not answer";
    StrataStack.reportArray(new ArrayStatus(id, node, 1, ArrayStatus.State.DEGRADED, why, null, null, null, 0,
        "process", List.of()));
    Instant deadline = Instant.now().plusSeconds(60);
    while (!RenderTimeBrowserTest.get(globex, "/arrays/" + id).path("state").asText().equals("DEGRADED")) {
      assertThat(Instant.now()).as("array %s reported DEGRADED", id).isBefore(deadline);
      Thread.sleep(500);
    }
    Page page = browser.newPage(false);
    signIn(page, "globex-admin");
    page.navigate(CONSOLE + "/arrays/" + id);
    assertThat(page.getByTestId("array-degraded")).containsText(why);
    assertThat(page.locator("#progress")).containsText("DEGRADED");
    screenshot(page, "array-degraded");
    page.context().close();
  }

  /**
   * The way back from FAILED (issue 16): acme's volume, on an array of a node announced over
   * Kafka, is reported FAILED by that node as its agent would when the volume's pool cannot open.
   * The member sees it FAILED with the reason and no Retry; the admin sees Retry. A Retry the
   * control plane refuses (the volume healed meanwhile: 409 not-failed) shows its detail beside
   * the button; once FAILED again, Retry is accepted, the volume's page follows it CREATING, the
   * operations page shows {@code volume.retry}, and the node's next report makes it AVAILABLE.
   */
  @Test
  @Order(5)
  void aTenantAdminRetriesAFailedVolume() throws Exception {
    String acme = Tokens.accessToken("acme-admin");
    String arrayId = RenderTimeBrowserTest.arrayOnASecondNode(acme);
    String node = nodeOf("acme", arrayId);
    String poolId = raid5Pool(acme, arrayId, "retry");
    String name = "retry-" + UUID.randomUUID().toString().substring(0, 6);
    String volume = RenderTimeBrowserTest.post(acme, "/volumes", """
        {"poolId":"%s","name":"%s","sizeGib":1,"thin":true}""".formatted(poolId, name)).path("id").asText();
    String why = "pool retry could not open: drive " + node + "-hdd1 does not answer";
    reportVolume(arrayId, node, volume, ObjectStatus.State.FAILED, why);
    waitForVolume(acme, volume, "FAILED");

    // a member reads why, and has no way to change it
    Page member = browser.newPage(false);
    signIn(member, "acme-viewer");
    member.navigate(CONSOLE + "/volumes/" + volume);
    assertThat(member.locator("#volume-state")).containsText("FAILED");
    assertThat(member.locator("#volume-state")).containsText(why);
    assertThat(member.getByTestId("retry")).hasCount(0);
    member.context().close();

    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    page.navigate(CONSOLE + "/volumes/" + volume);
    assertThat(page.locator("#volume-state")).containsText(why);
    assertThat(page.getByTestId("retry")).isVisible();
    screenshot(page, "volume-failed-retry");
    // the volume heals while the page is open: the control plane refuses the retry, and says why beside the button
    reportVolume(arrayId, node, volume, ObjectStatus.State.READY, null);
    waitForVolume(acme, volume, "AVAILABLE");
    page.getByTestId("retry").click();
    assertThat(page.getByTestId("retry-problem")).containsText("can be retried");
    screenshot(page, "volume-retry-refused");
    assertThat(page.getByTestId("retry")).isVisible();

    // failed again: Retry is accepted and the page follows the volume on its way back
    reportVolume(arrayId, node, volume, ObjectStatus.State.FAILED, why);
    waitForVolume(acme, volume, "FAILED");
    page.reload();
    page.getByTestId("retry").click();
    assertThat(page.locator("#volume-state")).containsText("CREATING");
    assertThat(page.getByTestId("retry")).hasCount(0);
    assertThat(page.getByTestId("retry-problem")).hasCount(0);
    org.assertj.core.api.Assertions.assertThat(RenderTimeBrowserTest.get(acme, "/volumes/" + volume).path("state").asText())
        .isIn("CREATING", "AVAILABLE");
    page.navigate(CONSOLE + "/operations?targetId=" + volume);
    assertThat(page.locator("main table")).containsText("volume.retry");
    page.navigate(CONSOLE + "/volumes/" + volume);
    reportVolume(arrayId, node, volume, ObjectStatus.State.READY, null);
    // the page polls itself while the volume is CREATING
    assertThat(page.locator("#volume-state")).containsText("AVAILABLE", MINUTES);
    page.context().close();
  }

  /**
   * Delete puts a volume in the recycle bin: its page says so and offers Restore, the bin lists it
   * with its purge time, a restore under a name a new volume took meanwhile shows the control
   * plane's refusal, and a restore under another name brings the volume back AVAILABLE.
   */
  @Test
  @Order(6)
  void aTenantRestoresADeletedVolumeFromTheRecycleBin() throws Exception {
    String acme = Tokens.accessToken("acme-admin");
    String arrayId = RenderTimeBrowserTest.arrayOnASecondNode(acme);
    String node = nodeOf("acme", arrayId);
    String poolId = raid5Pool(acme, arrayId, "bin");
    String name = "bin-" + UUID.randomUUID().toString().substring(0, 6);
    String volume = RenderTimeBrowserTest.post(acme, "/volumes", """
        {"poolId":"%s","name":"%s","sizeGib":1,"thin":true}""".formatted(poolId, name)).path("id").asText();
    reportVolume(arrayId, node, volume, ObjectStatus.State.READY, null);
    waitForVolume(acme, volume, "AVAILABLE");

    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    page.navigate(CONSOLE + "/volumes/" + volume);
    String[] dialog = new String[1];
    page.onceDialog(d -> {
      dialog[0] = d.message();
      d.accept();
    });
    page.getByTestId("delete-volume").click();
    assertThat(page.getByTestId("in-recycle-bin")).containsText("recycle bin");
    org.assertj.core.api.Assertions.assertThat(dialog[0]).contains("recycle bin");
    assertThat(page.getByTestId("delete-volume")).hasCount(0);

    page.navigate(CONSOLE + "/recycle-bin");
    assertThat(page.getByTestId("binned-" + name)).containsText("1 GiB");
    assertThat(unlabelledControls(page)).isZero();
    screenshot(page, "recycle-bin");

    // a new volume takes the name: the restore is refused with the control plane's reason
    RenderTimeBrowserTest.post(acme, "/volumes", """
        {"poolId":"%s","name":"%s","sizeGib":1,"thin":true}""".formatted(poolId, name));
    page.getByTestId("restore-" + name).click();
    assertThat(page.getByTestId("form-error")).containsText("another name");

    page.fill("#restore-name-" + volume, name + "-back");
    page.getByTestId("restore-" + name).click();
    page.waitForURL(Pattern.compile(".*/volumes/" + volume + "$"));
    assertThat(page.locator("#volume-state")).containsText("AVAILABLE");
    assertThat(page.locator("h1")).containsText(name + "-back");
    page.navigate(CONSOLE + "/recycle-bin");
    assertThat(page.getByTestId("binned-" + name)).hasCount(0);

    // a member sees the bin but cannot restore
    Page member = browser.newPage(false);
    signIn(member, "acme-viewer");
    member.navigate(CONSOLE + "/recycle-bin");
    assertThat(member.locator("h1")).containsText("Recycle bin");
    assertThat(member.locator("button[data-testid^='restore-']")).hasCount(0);
    member.context().close();
    page.context().close();
  }

  /** A RAID5 pool of three HDDs named {@code name} in the array (or its first pool, when one is there already). */
  static String raid5Pool(String token, String arrayId, String name) throws Exception {
    String poolId = RenderTimeBrowserTest.post(token, "/pools", """
        {"arrayId":"%s","name":"%s","driveType":"HDD","protection":"RAID5","driveCount":3}""".formatted(arrayId, name))
        .path("object").path("id").asText(null);
    return poolId != null ? poolId : RenderTimeBrowserTest.firstPool(token, arrayId);
  }

  /** The name of the node the array was placed on, as the operator's arrays screen reads it. */
  static String nodeOf(String tenant, String arrayId) throws Exception {
    String node = null;
    for (var a : RenderTimeBrowserTest.get(Tokens.accessToken("ops"), "/admin/arrays?limit=500&tenant=" + tenant).path("items")) {
      if (a.path("id").asText().equals(arrayId)) {
        node = a.path("nodeName").asText();
      }
    }
    assertThat(node).as("the node of array %s", arrayId).isNotBlank();
    return node;
  }

  /** The array's node reports it DEGRADED (its engine serves) with the volume in the given state, as its agent would. */
  static void reportVolume(String arrayId, String node, String volumeId, ObjectStatus.State state, String reason) {
    StrataStack.reportArray(new ArrayStatus(arrayId, node, 1, ArrayStatus.State.DEGRADED, "drive " + node + "-hdd1 does not answer",
        null, null, null, 0, "process", List.of(new ObjectStatus(arrayId, ObjectStatus.Kind.VOLUME, volumeId, state, reason))));
  }

  static void waitForVolume(String token, String volumeId, String state) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (!RenderTimeBrowserTest.get(token, "/volumes/" + volumeId).path("state").asText().equals(state)) {
      assertThat(Instant.now()).as("volume %s reported %s", volumeId, state).isBefore(deadline);
      Thread.sleep(500);
    }
  }

  static void confirmationFitsAPhone(String url) {
    Page phone = browser.newPage(true);
    signIn(phone, "acme-admin");
    phone.navigate(url);
    assertThat(phone.getByTestId("rollback-loss")).isVisible();
    assertThat((Integer) phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")).isLessThanOrEqualTo(0);
    phone.context().close();
  }

  /** Form controls in the page's content that a screen reader could not name. */
  static int unlabelledControls(Page page) {
    return ((Number) page.evaluate("""
        () => [...document.querySelectorAll('main input:not([type=hidden]), main select')]
                .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length""")).intValue();
  }

  /** Reloads the page (at most two minutes) until the element shows the text. */
  static void reloadUntil(Page page, String selector, String text) {
    for (int i = 0; i < 60 && !page.locator(selector).innerText().contains(text); i++) {
      page.waitForTimeout(2000);
      page.reload();
    }
    assertThat(page.locator(selector)).containsText(text);
  }

  /** What the agent meters for this array in one interval: its two SSDs, an E01 engine, a pool. */
  static ArrayUsageSample sample(String arrayId, Instant from, Instant to) {
    long gib = 1L << 30;
    return new ArrayUsageSample(arrayId, "acme", StrataStack.NODE_ID, from, to,
        List.of(new DriveAllocation(DriveType.SSD, 2, 8 * gib)), "E01",
        List.of(new TierCapacity(DriveType.SSD, 4 * gib, gib, 2 * gib)), 0, 0, 5_000, 7_000, 20_000_000, 30_000_000);
  }
}
