package io.strata.console.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.strata.console.e2e.ConsoleBrowser.CONSOLE;
import static io.strata.console.e2e.ConsoleBrowser.screenshot;
import static io.strata.console.e2e.ConsoleBrowser.signIn;

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
import org.junit.jupiter.api.Test;

/**
 * Issue 18 through the browser against the real stack (StrataStack: two agents in two zones
 * running real engines, as the local stack): the create-array form with nothing but a name (its
 * defaults: E01, spread NODE, two SSDs) reaches ONLINE; then the engine is resized (RESIZING,
 * ONLINE at the new size), hibernated (HIBERNATING, HIBERNATED) and resumed (RESUMING, ONLINE)
 * with the array page's buttons, the page following every state.
 */
@QuarkusTest
@QuarkusTestResource(KeycloakTestResource.class)
@QuarkusTestResource(StrataStack.class)
class ArrayDefaultsAndDayTwoBrowserTest {

  static final LocatorAssertions.ContainsTextOptions MINUTES =
      new LocatorAssertions.ContainsTextOptions().setTimeout(240_000);
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
  void theFormsDefaultsGoOnlineAndTheEngineResizesHibernatesAndResumes() {
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

    // resize: the node's room is checked, the engine restarts at E02, the page follows
    page.selectOption("#f-engineSize", "E02");
    page.onceDialog(dialog -> dialog.accept());
    page.getByTestId("resize-engine").getByRole(AriaRole.BUTTON).click();
    assertThat(page.getByTestId("engine-size")).containsText("E02");
    assertThat(page.locator("#progress mark")).containsText("ONLINE", MINUTES);
    page.reload();
    screenshot(page, "array-resized");

    // a size no node has room for is refused with the resource named, nothing changes
    page.selectOption("#f-engineSize", "E08");
    page.onceDialog(dialog -> dialog.accept());
    page.getByTestId("resize-engine").getByRole(AriaRole.BUTTON).click();
    assertThat(page.getByTestId("engine-problem")).containsText("needs");
    page.reload();
    assertThat(page.getByTestId("engine-size")).containsText("E02");

    // hibernate: the engine stops, the drives stay; resume brings it back
    page.onceDialog(dialog -> dialog.accept());
    page.getByTestId("hibernate").click();
    assertThat(page.locator("#progress mark")).containsText("HIBERNATED", MINUTES);
    page.reload();
    assertThat(page.getByTestId("drives")).containsText("SSD");
    assertThat(page.getByTestId("hibernate")).hasCount(0);
    screenshot(page, "array-hibernated");
    page.getByTestId("resume").click();
    assertThat(page.locator("#progress mark")).containsText("ONLINE", MINUTES);
    assertThat(page.getByTestId("resume")).hasCount(0);
  }
}
