package io.strata.console.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.strata.console.e2e.ConsoleBrowser.CONSOLE;
import static io.strata.console.e2e.ConsoleBrowser.screenshot;
import static io.strata.console.e2e.ConsoleBrowser.signIn;

import com.microsoft.playwright.Page;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.testsupport.KeycloakTestResource;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sign-in, navigation by role, sign-out and an expired session, in headless Chromium through the
 * real Keycloak login page. Needs only Keycloak: the dashboard's panels say so when the control
 * plane or billing do not answer.
 */
@QuarkusTest
@QuarkusTestResource(KeycloakTestResource.class)
class SignInBrowserTest {

  static ConsoleBrowser browser;

  @BeforeAll
  static void startBrowser() {
    browser = new ConsoleBrowser();
  }

  @AfterAll
  static void stopBrowser() {
    browser.close();
  }

  @Test
  void tenantAdminSignsInThroughKeycloakAndSeesTenantScreens() {
    Page page = browser.newPage(false);
    page.navigate(CONSOLE + "/");
    page.waitForURL(url -> url.contains("/realms/strata/"));
    assertThat(page.locator("#kc-login")).isVisible();
    screenshot(page, "sign-in");

    ConsoleBrowser.enterCredentials(page, "acme-admin", ConsoleBrowser.PASSWORD);
    page.waitForURL(url -> url.startsWith(CONSOLE));

    assertThat(page.getByTestId("who")).containsText("acme-admin");
    assertThat(page.getByTestId("who")).containsText("acme");
    assertThat(page.getByTestId("who")).containsText("tenant admin");
    assertThat(page.locator("nav.sections")).containsText("Arrays");
    assertThat(page.locator("nav.sections")).containsText("Attachments");
    assertThat(page.locator("nav.sections")).not().containsText("Nodes");
    assertThat(page.getByTestId("panel-cost")).isVisible();
    page.context().close();
  }

  @Test
  void wrongPasswordStaysOnKeycloakWithItsMessage() {
    Page page = browser.newPage(false);
    page.navigate(CONSOLE + "/");
    page.waitForURL(url -> url.contains("/realms/strata/"));
    ConsoleBrowser.enterCredentials(page, "acme-admin", "not-the-password");
    assertThat(page.getByText("Invalid username or password")).isVisible();
    org.assertj.core.api.Assertions.assertThat(page.url()).doesNotStartWith(CONSOLE);
    page.context().close();
  }

  @Test
  void operatorSeesFleetScreensNotTenantScreens() {
    Page page = browser.newPage(false);
    signIn(page, "ops");
    assertThat(page.getByTestId("who")).containsText("operator");
    assertThat(page.locator("nav.sections")).containsText("Nodes");
    assertThat(page.locator("nav.sections")).containsText("Invoices");
    assertThat(page.locator("nav.sections")).not().containsText("Attachments");
    page.context().close();
  }

  @Test
  void memberIsReadOnlyAndCannotOpenOperatorScreens() {
    Page page = browser.newPage(false);
    signIn(page, "acme-viewer");
    assertThat(page.getByTestId("who")).containsText("read-only member");
    page.navigate(CONSOLE + "/operator/nodes");
    assertThat(page.locator("h1")).containsText("Not for your role");
    page.context().close();
  }

  @Test
  void signOutEndsTheKeycloakSessionToo() {
    Page page = browser.newPage(false);
    signIn(page, "globex-admin");
    page.getByTestId("sign-out").click();
    page.waitForURL(url -> url.startsWith(CONSOLE + "/signed-out"));
    assertThat(page.locator("h1")).containsText("signed out");
    screenshot(page, "signed-out");
    // Signing in again needs the password again: Keycloak's session is gone as well.
    page.getByTestId("sign-in-again").click();
    page.waitForURL(url -> url.contains("/realms/strata/"));
    assertThat(page.locator("#username")).isVisible();
    page.context().close();
  }

  @Test
  void keyboardAloneReachesTheContentAndTheForms() {
    Assumptions.assumeTrue(StrataStack.missing == null, "the Strata stack is " + StrataStack.missing);
    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    page.navigate(CONSOLE + "/arrays");
    // the first Tab lands on the skip link, Enter moves focus to the page's content
    page.keyboard().press("Tab");
    assertThat(page.locator(":focus")).hasText("Skip to content");
    page.keyboard().press("Enter");
    org.assertj.core.api.Assertions.assertThat(page.evaluate("() => document.activeElement.id")).isEqualTo("main");
    // every form control has a label a screen reader announces
    org.assertj.core.api.Assertions.assertThat(page.evaluate("""
        () => [...document.querySelectorAll('main input:not([type=hidden]), main select')]
                .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length"""))
        .isEqualTo(0);
    // the create form is filled and sent with the keyboard only
    page.focus("#f-name");
    page.keyboard().type("Not Valid");
    assertThat(page.locator("#err-name")).containsText("lowercase");
    page.context().close();
  }

  @Test
  void phoneWidthNeedsNoSidewaysScrolling() {
    Assumptions.assumeTrue(StrataStack.missing == null, "the Strata stack is " + StrataStack.missing);
    Page page = browser.newPage(true);
    signIn(page, "acme-admin");
    for (String screen : List.of("/", "/arrays", "/volumes", "/servers", "/attachments", "/usage", "/invoices")) {
      page.navigate(CONSOLE + screen);
      // wide tables scroll inside their own box; the page itself stays within the phone's width
      org.assertj.core.api.Assertions.assertThat(
          (Integer) page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))
          .as("sideways overflow on %s", screen).isLessThanOrEqualTo(0);
    }
    page.context().close();
  }

  @Test
  void emptyListsSayWhatToDoNext() {
    Assumptions.assumeTrue(StrataStack.missing == null, "the Strata stack is " + StrataStack.missing);
    Page page = browser.newPage(false);
    signIn(page, "globex-admin");
    page.navigate(CONSOLE + "/servers");
    assertThat(page.getByTestId("empty")).containsText("Register one below");
    screenshot(page, "empty-servers");
    page.context().close();
  }

  @Test
  void expiredSessionIsReportedOnALivePageInsteadOfBreakingIt() {
    Page page = browser.newPage(true);
    signIn(page, "acme-admin");
    screenshot(page, "dashboard-phone");
    page.context().clearCookies();
    // a live update (as htmx polls do) after the session is gone
    page.evaluate("() => htmx.ajax('GET', '/', {target: '#main', swap: 'none'})");
    assertThat(page.locator("#session-expired")).isVisible();
    assertThat(page.locator("#session-expired")).containsText("Sign in again");
    page.context().close();
  }
}
