package io.strata.console.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * Debian's headless Chromium driven by Playwright, for tests that use the console as a person
 * does. Playwright is told never to download a browser. Screenshots go to docs/console/, where
 * docs/console.md shows them.
 */
public final class ConsoleBrowser implements AutoCloseable {

  public static final String CONSOLE = "http://127.0.0.1:8080";
  public static final String PASSWORD = "strata-demo";
  static final Path SCREENSHOTS = Paths.get("..", "docs", "console");

  private final Playwright playwright;
  private final Browser browser;

  public ConsoleBrowser() {
    // the build machine is shared: a live update may take seconds under load
    com.microsoft.playwright.assertions.PlaywrightAssertions.setDefaultAssertionTimeout(30_000);
    playwright = Playwright.create(
        new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(Paths.get(System.getProperty("strata.test.chromium", "/usr/bin/chromium")))
        .setHeadless(true)
        .setArgs(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync")));
  }

  /** A fresh browser profile (no cookies), at desktop or phone width. */
  public Page newPage(boolean phone) {
    BrowserContext context = browser.newContext(new Browser.NewContextOptions()
        .setViewportSize(phone ? 390 : 1280, phone ? 844 : 900));
    // generous: the build machine is shared, and a first page load goes through Keycloak
    context.setDefaultTimeout(30_000);
    context.setDefaultNavigationTimeout(90_000);
    return context.newPage();
  }

  /** Opens the console, which sends the browser to Keycloak's login page, and signs in there. */
  public static void signIn(Page page, String username) {
    page.navigate(CONSOLE + "/");
    page.waitForURL(url -> url.contains("/realms/strata/"));
    enterCredentials(page, username, PASSWORD);
    page.waitForURL(url -> url.startsWith(CONSOLE));
  }

  /**
   * Keycloak's login with organizations enabled asks for the username first, then the password
   * on a second page.
   */
  public static void enterCredentials(Page page, String username, String password) {
    page.fill("#username", username);
    page.click("#kc-login");
    page.fill("#password", password);
    page.click("#kc-login");
  }

  public static void screenshot(Page page, String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot write screenshot " + name, e);
    }
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
