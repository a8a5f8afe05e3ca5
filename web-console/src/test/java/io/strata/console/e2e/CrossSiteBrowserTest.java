package io.strata.console.e2e;

import static io.strata.console.e2e.ConsoleBrowser.CONSOLE;
import static io.strata.console.e2e.ConsoleBrowser.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.testsupport.KeycloakTestResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cross-site request forgery and the browser's security headers, with a real signed-in session
 * (acme's admin, through Keycloak) and the real control plane behind the console: a POST that
 * carries the session cookie but comes from another origin, or names no origin at all, is
 * refused with 403 and creates nothing, while the same POST from the console's own origin works;
 * pages carry CSP, frame, sniffing, referrer and no-store headers, and render without a single
 * Content-Security-Policy violation.
 */
@QuarkusTest
@QuarkusTestResource(KeycloakTestResource.class)
@QuarkusTestResource(StrataStack.class)
class CrossSiteBrowserTest {
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
  void aSignedInPostFromAnotherOriginOrNoneIsRefusedAndChangesNothing() {
    Page page = browser.newPage(false);
    signIn(page, "acme-admin");
    String forged = "csrf-" + UUID.randomUUID().toString().substring(0, 8);
    String unnamed = "csrf-" + UUID.randomUUID().toString().substring(0, 8);
    String own = "csrf-" + UUID.randomUUID().toString().substring(0, 8);

    APIResponse foreign = createServer(page, forged, Map.of("Origin", "https://evil.example"));
    assertThat(foreign.status()).isEqualTo(403);
    APIResponse opaque = createServer(page, forged, Map.of("Origin", "null"));
    assertThat(opaque.status()).isEqualTo(403);
    APIResponse noOrigin = createServer(page, unnamed, Map.of());
    assertThat(noOrigin.status()).isEqualTo(403);
    APIResponse foreignReferer = createServer(page, unnamed, Map.of("Referer", "https://evil.example/page"));
    assertThat(foreignReferer.status()).isEqualTo(403);

    // the same request from the console's own origin is carried out: the refusals above were the check
    APIResponse same = createServer(page, own, Map.of("Origin", CONSOLE));
    assertThat(same.status()).isEqualTo(200);
    assertThat(same.text()).contains(own);

    page.navigate(CONSOLE + "/servers");
    String servers = page.content();
    assertThat(servers).contains(own).doesNotContain(forged).doesNotContain(unnamed);
    page.context().close();
  }

  @Test
  void pagesCarryTheSecurityHeadersAndRenderWithoutCspViolations() {
    Page page = browser.newPage(false);
    List<String> violations = new ArrayList<>();
    page.onConsoleMessage(m -> {
      if (m.text().contains("Content Security Policy") || m.text().contains("Content-Security-Policy")) {
        violations.add(m.text());
      }
    });
    signIn(page, "acme-admin");
    for (String path : List.of("/", "/servers", "/arrays", "/usage", "/operations", "/snapshots")) {
      var response = page.navigate(CONSOLE + path);
      Map<String, String> headers = response.allHeaders();
      assertThat(headers.get("content-security-policy")).as(path)
          .contains("default-src 'self'").contains("script-src 'self'").contains("frame-ancestors 'none'")
          .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
      assertThat(headers.get("x-frame-options")).as(path).isEqualTo("DENY");
      assertThat(headers.get("x-content-type-options")).as(path).isEqualTo("nosniff");
      assertThat(headers.get("referrer-policy")).as(path).isEqualTo("same-origin");
      assertThat(headers.get("cache-control")).as(path).contains("no-store");
    }
    APIResponse script = page.context().request().get(CONSOLE + "/static/console.js");
    assertThat(script.headers().get("cache-control")).as("static files stay cacheable").doesNotContain("no-store");
    assertThat(violations).as("Content-Security-Policy violations").isEmpty();
    page.context().close();
  }

  /** POSTs the console's create-server form with the page's session cookies and these headers. */
  private static APIResponse createServer(Page page, String name, Map<String, String> headers) {
    RequestOptions options = RequestOptions.create().setMaxRedirects(0)
        .setForm(FormData.create().set("name", name).set("iqn", "iqn.2026-11.example.cloud:" + name)
            .set("key", UUID.randomUUID().toString()));
    headers.forEach(options::setHeader);
    return page.context().request().post(CONSOLE + "/servers", options);
  }
}
