package io.strata.console.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.strata.testsupport.Promtool;
import org.junit.jupiter.api.Test;

/**
 * The console's /q/metrics page answers Prometheus without a sign-in (every page does not), passes
 * promtool, and times requests by route template and status (never by a tenant's ids).
 */
@QuarkusTest
class MetricsEndpointTest {

  @Test
  void thePagePassesPromtoolAndTimesRequestsByRouteAndStatus() {
    given().redirects().follow(false).when().get("/arrays").then().statusCode(302); // sent to sign in
    given().when().get("/signed-out").then().statusCode(200);

    String page = given().accept("text/plain").redirects().follow(false).when().get("/q/metrics")
        .then().statusCode(200).extract().asString();

    Promtool.checkMetrics(page);
    assertThat(Promtool.sampleNames(page)).contains("http_server_requests_seconds_count", "jvm_memory_used_bytes",
        "jvm_threads_live_threads", "process_cpu_usage");
    assertThat(page).containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"200\"[^}]*uri=\"/signed-out\"");
    // a redirect (to sign in) is counted without its path: no unbounded uri values
    assertThat(page).containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"302\"[^}]*uri=\"REDIRECTION\"");
  }
}
