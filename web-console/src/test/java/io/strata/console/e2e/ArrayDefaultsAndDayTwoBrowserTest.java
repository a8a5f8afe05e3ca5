package io.strata.console.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.strata.console.e2e.ConsoleBrowser.CONSOLE;
import static io.strata.console.e2e.ConsoleBrowser.screenshot;
import static io.strata.console.e2e.ConsoleBrowser.signIn;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.testsupport.KeycloakTestResource;
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
 * Issue 18 through the browser against the real stack (StrataStack: two agents in two zones
 * running real engines, as the local stack): the create-array form with nothing but a name (its
 * defaults: E01, spread NODE, two SSDs) reaches ONLINE, and its page offers the engine's resize
 * and hibernate controls; then the tenant admin drives them: resizes the engine (confirming the
 * restart), hibernates the array (confirming that servers are logged out), sees it HIBERNATED with
 * only Resume and resize offered, and resumes it, each state shown on the array's page.
 */
@QuarkusTest
@QuarkusTestResource(KeycloakTestResource.class)
@QuarkusTestResource(StrataStack.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArrayDefaultsAndDayTwoBrowserTest {

  static final LocatorAssertions.ContainsTextOptions MINUTES =
      new LocatorAssertions.ContainsTextOptions().setTimeout(240_000);
  static ConsoleBrowser browser;
  /** The array the first test brought ONLINE with the form's defaults. */
  static String arrayPage;

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
  void theFormsDefaultsGoOnlineAndTheEngineSectionOffersResizeAndHibernate() {
    String name = "defaults-" + UUID.randomUUID().toString().substring(0, 6);
    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    page.navigate(CONSOLE + "/arrays");
    // the defaults, untouched: only a name is typed
    assertThat(page.locator("#f-spread")).hasValue("NODE");
    assertThat(page.locator("#f-ssdDrives")).hasValue("2");
    page.fill("#f-name", name);
    page.getByTestId("create-array").getByRole(AriaRole.BUTTON).click();
    page.waitForURL(Pattern.compile(".*/arrays/[0-9a-f-]{36}$"));
    assertThat(page.locator("#progress mark")).containsText("ONLINE", MINUTES);
    // the live part of the page is the progress; the engine section is as the page was loaded
    page.reload();
    assertThat(page.getByTestId("engine-size")).containsText("E01");

    // the engine section offers the day-2 actions of an ONLINE array
    assertThat(page.getByTestId("resize-engine")).isVisible();
    assertThat(page.getByTestId("hibernate")).isVisible();
    arrayPage = page.url();
    page.context().close();
  }

  @Test
  @Order(2)
  void theAdminResizesHibernatesAndResumesTheEngineFromItsPage() {
    Assumptions.assumeTrue(arrayPage != null, "the first test brought an array ONLINE");
    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    page.navigate(arrayPage);
    Locator engine = page.getByTestId("engine-actions");

    // resize: the engine restarts at E02 after the admin confirms the pause
    String[] asked = new String[1];
    page.onceDialog(d -> {
      asked[0] = d.message();
      d.accept();
    });
    page.selectOption("#f-engineSize", "E02");
    page.getByTestId("resize-engine").getByRole(AriaRole.BUTTON).click();
    // the page is loaded again after the change: the size shown (not the select's options) is E02
    for (int i = 0; i < 60 && !page.getByTestId("engine-size").innerText().contains("E02"); i++) {
      page.waitForTimeout(1000);
    }
    assertThat(page.getByTestId("engine-size")).containsText("E02");
    org.assertj.core.api.Assertions.assertThat(asked[0]).contains("restarts");
    reloadUntilState(page, "ONLINE");
    assertThat(page.locator("main")).containsText("2 vCPU");
    screenshot(page, "array-resized");

    // hibernate: confirmed, then HIBERNATING and HIBERNATED; only resize and Resume are offered
    page.onceDialog(d -> {
      asked[0] = d.message();
      d.accept();
    });
    page.getByTestId("hibernate").click();
    assertThat(engine).containsText(Pattern.compile("HIBERNATING|HIBERNATED"));
    org.assertj.core.api.Assertions.assertThat(asked[0]).contains("logged out");
    reloadUntilState(page, "HIBERNATED");
    assertThat(engine).containsText("The engine is stopped");
    assertThat(page.getByTestId("hibernate")).hasCount(0);
    assertThat(page.getByTestId("resume")).isVisible();
    screenshot(page, "array-hibernated");

    // resume (no confirmation: nothing is interrupted): RESUMING, then ONLINE at the new size
    page.getByTestId("resume").click();
    assertThat(engine).containsText(Pattern.compile("RESUMING|ONLINE"));
    reloadUntilState(page, "ONLINE");
    assertThat(page.getByTestId("engine-size")).containsText("E02");
    assertThat(page.getByTestId("hibernate")).isVisible();
    assertThat(page.getByTestId("resume")).hasCount(0);
    page.context().close();
  }

  /**
   * The array takes one SSD of each node (spread NODE) and, at E02, a node's two cores: it is
   * deleted so that the module's later tests (TenantFlowBrowserTest's array of two SSDs on one
   * node) find room.
   */
  @AfterAll
  static void deleteTheArray() throws Exception {
    if (arrayPage == null || StrataStack.controlPlaneApi == null) {
      return;
    }
    String id = arrayPage.substring(arrayPage.lastIndexOf('/') + 1);
    StackObjects.deleteArray(io.strata.testsupport.Tokens.accessToken("acme-admin"), id);
  }

  /** Reloads the page (for up to four minutes) until the engine section's state is this one. */
  static void reloadUntilState(Page page, String state) {
    Locator shown = page.getByTestId("engine-actions").locator("mark.state");
    for (int i = 0; i < 120 && !shown.innerText().trim().equals(state); i++) {
      page.waitForTimeout(2000);
      page.reload();
    }
    assertThat(shown).hasText(state);
  }
}
