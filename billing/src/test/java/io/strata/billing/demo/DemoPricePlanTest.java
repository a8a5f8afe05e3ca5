package io.strata.billing.demo;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.strata.billing.service.MeteringQueries;
import io.strata.billing.support.Await;
import io.strata.billing.support.BillingTestProfile;
import io.strata.billing.support.UsageStream;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import io.strata.testsupport.Tokens;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, item 1: the demo's default plan (dev profile and local stack only) prices every meter
 * the agents emit, so a new tenant's cost answers and its month closes; the price plan example of
 * docs/billing.md is run against the API and checked against the same meters; and (item 2) a
 * hibernated array's samples stop the engine meter while its drives keep being metered.
 */
@QuarkusTest
@TestProfile(DemoPricePlanTest.WithDemoPlan.class)
class DemoPricePlanTest {

  /** The billing test service with the demo plan switched on, as the local stack runs it. */
  public static class WithDemoPlan extends BillingTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
      overrides.put("strata.billing.demo-price-plan", "true");
      return overrides;
    }
  }

  /**
   * What agents emit, written out here rather than taken from the code under test: storage per
   * drive type, engine time per engine size the control plane offers, I/O and transfer.
   */
  static final List<String> METERS = List.of("storage:SSD", "storage:HDD", "engine:E01", "engine:E02", "engine:E04",
      "engine:E08", "io", "transfer");

  static final long GB = 1_000_000_000L;

  @Inject MeteringQueries queries;

  @Test
  void theDemoPlanIsTheDefaultInEuroAndPricesEveryMeter() {
    String ops = Tokens.accessToken("ops");
    JsonPath plans = given().auth().oauth2(ops).get("/api/v1/plans").then().statusCode(200).extract().jsonPath();
    Map<String, Object> demo = plans.getMap("find { it.name == 'demo' }");
    assertThat(demo).as("the demo plan").isNotNull();
    assertThat(demo.get("currency")).isEqualTo("EUR");
    assertThat(demo.get("isDefault")).isEqualTo(true);
    Map<String, Object> rates = plans.getMap("find { it.name == 'demo' }.versions[0].rates");
    assertThat(rates).containsOnlyKeys(METERS);
  }

  @Test
  void theDocsPlanExampleIsAcceptedAndPricesEveryMeter() throws IOException {
    String example = docsPlanExample();
    // run as documented, except that it must not become this shared service's default plan
    String body = example.replace("\"standard\"", "\"docs-example\"").replace("\"isDefault\": true", "\"isDefault\": false");
    String ops = Tokens.accessToken("ops");
    JsonPath created = given().auth().oauth2(ops).contentType(ContentType.JSON).body(body).post("/api/v1/plans")
        .then().statusCode(201).extract().jsonPath();
    assertThat(created.getMap("versions[0].rates")).as("the rates of docs/billing.md's example").containsOnlyKeys(METERS);
  }

  @Test
  void aHibernatedArrayPaysForItsDrivesButNotForItsEngine() {
    Instant start = Instant.parse("2026-10-05T10:00:00Z");
    try (UsageStream stream = new UsageStream()) {
      stream.sample("agent/node-h", 1, hour("h-1", start, false));
      stream.sample("agent/node-h", 2, hour("h-1", start.plus(Duration.ofHours(1)), true));
      stream.sample("agent/node-h", 3, hour("h-1", start.plus(Duration.ofHours(2)), true));
    }
    String ops = Tokens.accessToken("ops");
    List<Map<String, Object>> usage = Await.until("the three hours metered", () -> {
          io.restassured.response.Response r = given().auth().oauth2(ops)
              .get("/api/v1/usage?tenant=hiber&from=2026-10-05T00:00:00Z&to=2026-10-06T00:00:00Z");
          // 404 until billing has seen the tenant's first sample
          return r.statusCode() == 200 ? r.jsonPath().<Map<String, Object>>getList("$") : List.<Map<String, Object>>of();
        },
        rows -> rows.stream().filter(r -> "storage:SSD".equals(r.get("resource"))).count() == 3, Duration.ofSeconds(60));
    assertThat(usage.stream().filter(r -> "engine:E02".equals(r.get("resource"))).map(r -> r.get("hour")))
        .as("engine time only for the hour it ran").containsExactly("2026-10-05T10:00:00Z");
    assertThat(usage.stream().filter(r -> "storage:SSD".equals(r.get("resource"))).map(r -> r.get("hour")))
        .as("its drives every hour").containsExactlyInAnyOrder("2026-10-05T10:00:00Z", "2026-10-05T11:00:00Z",
            "2026-10-05T12:00:00Z");

    // the demo plan prices the month: it closes, one engine-hour of E02 and three hours of drives
    JsonPath invoice = given().auth().oauth2(ops).post("/api/v1/periods/2026-10/tenants/hiber/close")
        .then().statusCode(201).extract().jsonPath();
    List<Map<String, Object>> lines = invoice.getList("lines");
    assertThat(lines).extracting(l -> l.get("resource") + " "
            + new java.math.BigDecimal(l.get("quantity").toString()).stripTrailingZeros().toPlainString())
        .contains("engine:E02 1", "storage:SSD 3000");
  }

  static ArrayUsageSample hour(String array, Instant start, boolean hibernated) {
    return new ArrayUsageSample(array, "hiber", "node-h", start, start.plus(Duration.ofHours(1)),
        List.of(new DriveAllocation(DriveType.SSD, 1, 1000 * GB)), "E02", List.of(), 0, 0, 0, 0, 0, 0, hibernated);
  }

  /** The JSON body of the plan example in docs/billing.md ("curl ... /api/v1/plans ... -d '{...}'"). */
  static String docsPlanExample() throws IOException {
    String docs = Files.readString(Path.of("..", "docs", "billing.md"));
    Matcher m = Pattern.compile("/api/v1/plans [^\\n]*-d '(\\{.*?\\})'", Pattern.DOTALL).matcher(docs);
    assertThat(m.find()).as("docs/billing.md has a plan example").isTrue();
    return m.group(1);
  }
}
