package io.strata.billing.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.strata.billing.support.BillingTestProfile;
import io.strata.testsupport.Tokens;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, items 5 and 9 for billing, and strict input: control characters in a path or
 * parameter, unknown tenants, malformed parameters, loose JSON, oversized requests and missing
 * tokens are each a problem document naming what is wrong, never a 500 or an empty body.
 */
@QuarkusTest
@TestProfile(BillingTestProfile.class)
class StrictInputTest {

  static ValidatableResponse problem(ValidatableResponse response, int status, String field) {
    return response.statusCode(status).contentType("application/problem+json")
        .body("status", equalTo(status)).body("errors.field", hasItem(field));
  }

  @Test
  void aControlCharacterInATenantIsA400NamingIt() {
    String ops = Tokens.accessToken("ops");
    for (String tenant : new String[] {"%00", "acme%00", "ac%0Ame", "%01", "ACME", "a"}) {
      problem(given().urlEncodingEnabled(false).auth().oauth2(ops).post("/api/v1/periods/2026-06/tenants/" + tenant + "/close").then(), 400, "tenant");
      problem(given().urlEncodingEnabled(false).auth().oauth2(ops).get("/api/v1/tenants/" + tenant + "/plan").then(), 400, "tenant");
      problem(given().urlEncodingEnabled(false).auth().oauth2(ops).get("/api/v1/cost?tenant=" + tenant).then(), 400, "tenant");
      problem(given().urlEncodingEnabled(false).auth().oauth2(ops).get("/api/v1/invoices?tenant=" + tenant).then(), 400, "tenant");
      problem(given().urlEncodingEnabled(false).auth().oauth2(ops)
          .get("/api/v1/usage?from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z&tenant=" + tenant).then(), 400, "tenant");
    }
  }

  /** Billing knows a tenant by its usage, invoices or plan assignments (docs/billing.md). */
  @Test
  void anUnknownTenantIsA404NamingItInClosesAndQueries() {
    String ops = Tokens.accessToken("ops");
    problem(given().auth().oauth2(ops).post("/api/v1/periods/2026-06/tenants/nobody-here/close").then(), 404, "tenant")
        .body("detail", containsString("nobody-here"));
    problem(given().auth().oauth2(ops).get("/api/v1/cost?tenant=nobody-here").then(), 404, "tenant");
    problem(given().auth().oauth2(ops).get("/api/v1/usage?from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z&tenant=nobody-here").then(), 404, "tenant");

    long plan = given().auth().oauth2(ops).contentType("application/json")
        .body("{\"name\":\"for-newcomers\",\"currency\":\"EUR\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"rates\":{\"io\":\"0.2\"}}")
        .post("/api/v1/plans").then().statusCode(201).extract().jsonPath().getLong("id");
    given().auth().oauth2(ops).contentType("application/json").body("{\"planId\":" + plan + ",\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}")
        .put("/api/v1/tenants/newcomer/plan").then().statusCode(200);
    given().auth().oauth2(ops).get("/api/v1/cost?tenant=newcomer").then().statusCode(200).body("tenantId", equalTo("newcomer"));
    given().auth().oauth2(ops).post("/api/v1/periods/2026-06/tenants/newcomer/close").then().statusCode(201);
    problem(given().auth().oauth2(ops).contentType("application/json").body("{\"planId\":999999,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}")
        .put("/api/v1/tenants/newcomer/plan").then(), 404, "planId");
  }

  @Test
  void malformedParametersAre400sNamingThem() {
    String ops = Tokens.accessToken("ops");
    problem(given().auth().oauth2(ops).get("/api/v1/plans/abc").then(), 400, "id");
    problem(given().auth().oauth2(ops).get("/api/v1/plans/0").then(), 400, "id");
    problem(given().auth().oauth2(ops).get("/api/v1/invoices/1.5").then(), 400, "id");
    problem(given().auth().oauth2(ops).get("/api/v1/invoices?page=abc").then(), 400, "page");
    problem(given().auth().oauth2(ops).get("/api/v1/invoices?size=0").then(), 400, "size");
    problem(given().auth().oauth2(ops).get("/api/v1/invoices?period=2026-13").then(), 400, "period");
    problem(given().auth().oauth2(ops).get("/api/v1/metering/parked?limit=-1").then(), 400, "limit");
    problem(given().auth().oauth2(ops).get("/api/v1/metering/late-readings?limit=x").then(), 400, "limit");
    problem(given().auth().oauth2(ops).post("/api/v1/metering/late-readings/abc/admit").then(), 400, "id");
    problem(given().auth().oauth2(ops).post("/api/v1/periods/2026-6/close").then(), 400, "period");
    problem(given().auth().oauth2(ops).get("/api/v1/periods/2026-06/invoices/export?format=xml").then(), 400, "format");
    problem(given().auth().oauth2(ops).get("/api/v1/usage?tenant=acme&from=yesterday&to=2026-06-02T00:00:00Z").then(), 400, "from");
    problem(given().auth().oauth2(ops).get("/api/v1/usage?tenant=acme&from=2026-06-01T00:00:00Z").then(), 400, "to");
  }

  @Test
  void looseJsonIsA400NamingTheField() {
    String ops = Tokens.accessToken("ops");
    String plan = "\"name\":\"strict\",\"currency\":\"EUR\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"rates\":{\"io\":\"0.2\"}";
    problem(post(ops, "/api/v1/plans", "{" + plan + ",\"isDefualt\":true}"), 400, "isDefualt").body("detail", startsWith("isDefualt: unknown field"));
    problem(post(ops, "/api/v1/plans", "{" + plan + ",\"name\":\"other\"}"), 400, "name");
    problem(post(ops, "/api/v1/plans", "{" + plan + "} {\"more\":1}"), 400, "body");
    problem(post(ops, "/api/v1/plans", "{" + plan + ",\"isDefault\":\"true\"}"), 400, "isDefault");
    problem(post(ops, "/api/v1/plans", "{" + plan.replace("\"strict\"", "17") + "}"), 400, "name");
    problem(post(ops, "/api/v1/plans", "{" + plan.replace("{\"io\":\"0.2\"}", "{\"io\":\"0.2\",\"io\":\"0.3\"}") + "}"), 400, "rates");
    problem(post(ops, "/api/v1/plans", "{" + plan.replace("\"0.2\"", "\"lots\"") + "}"), 400, "rates[\"io\"]");
    problem(post(ops, "/api/v1/plans", "{" + plan.replace("\"0.2\"", "null") + "}"), 400, "rates[\"io\"]");
    problem(post(ops, "/api/v1/plans", "{\"name\":"), 400, "name");
    problem(put(ops, "/api/v1/tenants/acme/plan", "{\"planId\":1.5,\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}"), 400, "planId");
    problem(put(ops, "/api/v1/tenants/acme/plan", "{\"planId\":\"1\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\"}"), 400, "planId");
    problem(put(ops, "/api/v1/tenants/acme/plan", "{\"planId\":1,\"effectiveFrom\":\"+1000000000-01-01T00:00:00Z\"}"), 400, "effectiveFrom");
    given().auth().oauth2(ops).get("/api/v1/plans").then().statusCode(200).body("name", org.hamcrest.Matchers.not(hasItem("strict")));
  }

  @Test
  void oversizedRequestsAndMissingTokensAreProblemsToo() {
    String ops = Tokens.accessToken("ops");
    problem(given().auth().oauth2(ops).contentType("application/json").body("{\"name\":\"" + "x".repeat(1_100_000) + "\"}")
        .post("/api/v1/plans").then(), 413, "body");
    problem(given().auth().oauth2(ops).get("/api/v1/plans?x=" + "y".repeat(5000)).then(), 414, "uri");
    given().get("/api/v1/plans").then().statusCode(401).contentType("application/problem+json")
        .header("WWW-Authenticate", startsWith("Bearer"));
    given().auth().oauth2("not-a-token").get("/api/v1/cost").then().statusCode(401)
        .header("WWW-Authenticate", startsWith("Bearer"));
  }

  private static ValidatableResponse post(String token, String path, String body) {
    return given().auth().oauth2(token).contentType("application/json").body(body).post(path).then();
  }

  private static ValidatableResponse put(String token, String path, String body) {
    return given().auth().oauth2(token).contentType("application/json").body(body).put(path).then();
  }
}
