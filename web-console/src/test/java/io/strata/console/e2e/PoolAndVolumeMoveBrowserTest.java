package io.strata.console.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.strata.console.e2e.ConsoleBrowser.CONSOLE;
import static io.strata.console.e2e.ConsoleBrowser.signIn;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.contracts.event.PoolProgress;
import io.strata.contracts.event.VolumeMoveStatus;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.Tokens;
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
 * Issue 18's pool page and the volume page's Move and Cancel move buttons, used by a tenant admin
 * in Chromium against the real stack (StrataStack, shared with the module's other browser tests).
 *
 * <p>First on a real engine: an array of four SSDs (two on each node, spread NODE) with two
 * mirrored pools. SSDs, not HDDs: the nodes other tests announce over Kafka (no engine, no drive
 * export) have free HDDs the scheduler could pick, and a pool on them never opens. The admin scrubs one pool from its page, which follows the scrub by itself,
 * then moves a volume from that pool to the other with the Move button and watches its page until
 * the engine reports the move done: AVAILABLE in its new pool, its operation SUCCEEDED.
 *
 * <p>Then the cancel, on an array of a node announced over Kafka whose engine's reports the test
 * sends as its agent would: an empty volume's real move ends within a second, too soon to press a
 * button in. The admin starts a move, sees its progress, presses Cancel move and sees the move
 * being cancelled, and once the engine reports the volume back, AVAILABLE in its original pool.
 * On another such array, a pool whose restripe the engine reports stopped on errors shows why.
 */
@QuarkusTest
@QuarkusTestResource(KeycloakTestResource.class)
@QuarkusTestResource(StrataStack.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolAndVolumeMoveBrowserTest {

  static final LocatorAssertions.ContainsTextOptions MINUTES =
      new LocatorAssertions.ContainsTextOptions().setTimeout(240_000);
  static ConsoleBrowser browser;
  /** The real engine's array, deleted after the tests so that later tests find its drives and core free. */
  static String realArray;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(StrataStack.missing == null, "the Strata stack is " + StrataStack.missing);
    browser = new ConsoleBrowser();
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (realArray != null) {
      StackObjects.deleteArray(Tokens.accessToken("acme-admin"), realArray);
    }
  }

  @Test
  @Order(1)
  void theAdminScrubsAPoolAndMovesAVolumeToAnotherPoolUntilTheEngineIsDone() throws Exception {
    String acme = Tokens.accessToken("acme-admin");
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    realArray = RenderTimeBrowserTest.post(acme, "/arrays", """
        {"name":"move-%s","engineSize":"E01","spread":"NODE","ssdDrives":4,"hddDrives":0}""".formatted(suffix))
        .path("id").asText();
    StackObjects.awaitState(acme, "/arrays/" + realArray, "ONLINE", 240);
    String one = StackObjects.mirroredPool(acme, realArray, "one-" + suffix, "SSD");
    String two = StackObjects.mirroredPool(acme, realArray, "two-" + suffix, "SSD");
    String volume = StackObjects.thinVolume(acme, one, "moved-" + suffix);
    StackObjects.awaitState(acme, "/volumes/" + volume, "AVAILABLE", 240);

    Page page = browser.newPage(false);
    signIn(page, "acme-admin");

    // ---- the pool page: nothing runs; Scrub now, and the page follows the engine's scrub ----
    page.navigate(CONSOLE + "/pools/" + one);
    assertThat(page.locator("h1")).containsText("Pool one-" + suffix);
    Locator activity = page.getByTestId("pool-activity");
    assertThat(page.getByTestId("rebuild-none")).containsText("No rebuild runs");
    assertThat(page.getByTestId("scrub-none")).containsText("Never scrubbed");
    page.getByTestId("scrub-now").getByRole(AriaRole.BUTTON).click();
    // without a reload: the section polls while the scrub is asked for or runs
    assertThat(activity).containsText(Pattern.compile("Scrub running|Last scrub finished"), MINUTES);
    assertThat(activity).not().containsText("Never scrubbed");

    // ---- the volume page: Move to the other pool, followed until done ----
    page.navigate(CONSOLE + "/volumes/" + volume);
    assertThat(page.getByTestId("volume-pool")).containsText("one-" + suffix);
    assertThat(page.locator("#volume-state")).containsText("AVAILABLE");
    String[] asked = new String[1];
    page.onceDialog(d -> {
      asked[0] = d.message();
      d.accept();
    });
    page.selectOption("#f-move-poolId", two);
    page.getByTestId("move-volume").getByRole(AriaRole.BUTTON).click();
    // the page is the volume's again once the control plane took the move: its pool is the new one
    assertThat(page.getByTestId("volume-pool")).containsText("two-" + suffix);
    org.assertj.core.api.Assertions.assertThat(asked[0]).contains("Servers keep using it");
    // the page polls itself while MOVING, until the engine's DONE makes it AVAILABLE there
    assertThat(page.locator("#volume-state")).containsText("AVAILABLE", MINUTES);
    assertThat(page.getByTestId("move-progress")).hasCount(0);
    assertThat(page.getByTestId("volume-pool")).containsText("two-" + suffix);
    // it may move again: the form offers the pool it came from
    assertThat(page.locator("#f-move-poolId option")).containsText("one-" + suffix);
    page.navigate(CONSOLE + "/operations?targetId=" + volume);
    assertThat(page.locator("main table tr", new Page.LocatorOptions().setHasText("volume.move")))
        .containsText("SUCCEEDED");
    page.context().close();
  }

  @Test
  @Order(2)
  void theAdminCancelsAMoveAndTheVolumeIsBackInItsPool() throws Exception {
    String acme = Tokens.accessToken("acme-admin");
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String arrayId = RenderTimeBrowserTest.arrayOnASecondNode(acme);
    String node = TenantFlowBrowserTest.nodeOf("acme", arrayId);
    String stay = StackObjects.mirroredPool(acme, arrayId, "stay-" + suffix, "HDD");
    String away = StackObjects.mirroredPool(acme, arrayId, "away-" + suffix, "HDD");
    String volume = StackObjects.thinVolume(acme, stay, "kept-" + suffix);
    engineReports(arrayId, node, volume);
    StackObjects.awaitState(acme, "/volumes/" + volume, "AVAILABLE", 60);

    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    page.navigate(CONSOLE + "/volumes/" + volume);
    page.onceDialog(d -> d.accept());
    page.selectOption("#f-move-poolId", away);
    page.getByTestId("move-volume").getByRole(AriaRole.BUTTON).click();
    assertThat(page.getByTestId("volume-pool")).containsText("away-" + suffix);
    assertThat(page.locator("#volume-state")).containsText("MOVING");
    Locator progress = page.getByTestId("move-progress");
    assertThat(progress).containsText("Moving from pool");
    // the engine's progress reaches the page by its own polling
    engineReports(arrayId, node, volume, new VolumeMoveStatus(volume, stay, away, 256, 1024,
        VolumeMoveStatus.State.COPYING, null));
    assertThat(progress).containsText("25 % copied");

    // Cancel move, confirmed: the volume goes back to the pool it came from
    String[] asked = new String[1];
    page.onceDialog(d -> {
      asked[0] = d.message();
      d.accept();
    });
    page.getByTestId("cancel-move").getByRole(AriaRole.BUTTON).click();
    assertThat(page.getByTestId("move-cancelling-state")).containsText("Cancelling the move");
    org.assertj.core.api.Assertions.assertThat(asked[0]).contains("It goes back to its pool");
    assertThat(page.getByTestId("volume-pool")).containsText("stay-" + suffix);
    assertThat(page.locator("#volume-state")).containsText("MOVING");
    assertThat(page.getByTestId("move-note")).containsText("The move is being cancelled");
    assertThat(page.getByTestId("cancel-move")).hasCount(0);

    // the engine has the volume back: AVAILABLE in its original pool, nothing moving
    engineReports(arrayId, node, volume, new VolumeMoveStatus(volume, away, stay, 0, 0,
        VolumeMoveStatus.State.DONE, null));
    assertThat(page.locator("#volume-state")).containsText("AVAILABLE");
    assertThat(progress).hasCount(0);
    assertThat(page.getByTestId("volume-pool")).containsText("stay-" + suffix);
    assertThat(page.getByTestId("move-volume")).isVisible();
    page.navigate(CONSOLE + "/operations?targetId=" + volume);
    assertThat(page.locator("main table tr", new Page.LocatorOptions().setHasText("volume.move-cancel")))
        .containsText("SUCCEEDED");
    assertThat(page.locator("main table tr", new Page.LocatorOptions().setHasText(Pattern.compile("volume\\.move\\b(?!-)"))))
        .containsText("FAILED");
    page.context().close();
  }

  /**
   * A restripe whose attempts keep stopping on an error (the engine's word, as its agent sends it
   * in ArrayStatus.pools) is a problem on the pool page, with the count and the engine's reason.
   */
  @Test
  @Order(3)
  void thePoolPageShowsWhyARestripeKeepsStopping() throws Exception {
    String acme = Tokens.accessToken("acme-admin");
    String arrayId = RenderTimeBrowserTest.arrayOnASecondNode(acme);
    String node = TenantFlowBrowserTest.nodeOf("acme", arrayId);
    String pool = StackObjects.mirroredPool(acme, arrayId, "stuck-" + UUID.randomUUID().toString().substring(0, 6),
        "HDD");
    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    page.navigate(CONSOLE + "/pools/" + pool);
    assertThat(page.getByTestId("rebuild-none")).containsText("No rebuild runs");
    assertThat(page.getByTestId("restripe-error")).hasCount(0);

    StrataStack.reportArray(new ArrayStatus(arrayId, node, 1, ArrayStatus.State.ONLINE, null, null, null, null, 0,
        "process", List.of(), null, null, List.of(), "E01", List.of(), List.of(new PoolProgress(pool,
            new PoolProgress.Rebuild("RESTRIPE", null, null, 1L << 30, 4L << 30, 3, "drive hdd-3: write failed"),
            null))));
    Locator error = page.getByTestId("restripe-error");
    for (int i = 0; i < 120 && error.count() == 0; i++) { // the report reaches the control plane over Kafka
      Thread.sleep(500);
      page.reload();
    }
    assertThat(error).containsText("stopped on an error 3 times in a row");
    assertThat(error).containsText("drive hdd-3: write failed");
    assertThat(page.getByTestId("rebuild-line")).containsText("Restriping onto the added drives");
    page.context().close();
  }

  /**
   * Issue 18's pool growth from the pool page: on a RAID5 pool the admin sets the pace of its
   * restripes (a bad one is refused with why, nothing sent), then grows the pool by the array's free
   * drive; the page shows both capacities until the engine has restriped. The node has no engine,
   * so the grow stays at the control plane's part (the engine's restripe is PoolGrowthIT's and
   * ParityPoolGrowEndToEndIT's).
   */
  @Test
  @Order(4)
  void theAdminSetsARestripePaceAndGrowsARaid5PoolByAFreeDrive() throws Exception {
    String acme = Tokens.accessToken("acme-admin");
    String arrayId = RenderTimeBrowserTest.arrayOnASecondNode(acme); // four HDDs
    JsonNode created = RenderTimeBrowserTest.post(acme, "/pools", """
        {"arrayId":"%s","name":"wide-%s","driveType":"HDD","protection":"RAID5","driveCount":3}"""
        .formatted(arrayId, UUID.randomUUID().toString().substring(0, 6)));
    String pool = created.path("id").asText();
    long capacity = created.path("capacityGib").asLong();
    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    page.navigate(CONSOLE + "/pools/" + pool);
    assertThat(page.getByTestId("restripe-pace")).containsText("no pace limit");

    // digits only pass the field's pattern in the browser; the page refuses a pace above 10000
    page.fill("#f-restripe-rate", "20000");
    page.getByTestId("restripe-rate").getByRole(AriaRole.BUTTON).click();
    assertThat(page.getByTestId("pool-problem")).containsText("whole number of MiB/s");
    page.fill("#f-restripe-rate", "40");
    page.getByTestId("restripe-rate").getByRole(AriaRole.BUTTON).click();
    assertThat(page.getByTestId("restripe-pace")).containsText("at most 40 MiB/s");
    assertThat(page.getByTestId("pool-problem")).hasCount(0);

    Locator grow = page.getByTestId("grow-pool");
    assertThat(grow.locator("input[type=checkbox]")).hasCount(1); // the array's fourth HDD
    page.onceDialog(d -> d.accept());
    grow.locator("input[type=checkbox]").check();
    grow.getByRole(AriaRole.BUTTON).click();
    assertThat(page.getByTestId("restripe-capacity"))
        .containsText(capacity + " GiB now, " + (capacity * 3 / 2) + " GiB once the restripe");
    assertThat(page.getByTestId("grow-none")).containsText("no free HDD drive");
    org.assertj.core.api.Assertions.assertThat(
        RenderTimeBrowserTest.get(acme, "/operations?targetId=" + pool).toString()).contains("pool.grow");
    page.context().close();
  }

  /** The array's status as the agent of its (engine-less) node reports it: ONLINE, the volume READY, the moves given. */
  static void engineReports(String arrayId, String node, String volumeId, VolumeMoveStatus... moves) {
    StrataStack.reportArray(new ArrayStatus(arrayId, node, 1, ArrayStatus.State.ONLINE, null, null, null, null, 0,
        "process", List.of(new ObjectStatus(arrayId, ObjectStatus.Kind.VOLUME, volumeId, ObjectStatus.State.READY,
            null)), null, null, List.of(), "E01", List.of(moves), List.of()));
  }
}
