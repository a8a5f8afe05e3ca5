package io.strata.billing.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.strata.billing.support.BillingTestProfile;
import io.strata.testsupport.Tokens;
import org.junit.jupiter.api.Test;

/** Real tokens from the real Keycloak: who may see and do what. */
@QuarkusTest
@TestProfile(BillingTestProfile.class)
class SecurityTest {

  @Test
  void withoutATokenEverythingIs401AsProblemDetails() {
    given().get("/api/v1/invoices").then().statusCode(401)
        .contentType("application/problem+json").body("status", equalTo(401));
    given().auth().oauth2("not-a-token").get("/api/v1/cost").then().statusCode(401);
  }

  @Test
  void tenantsCannotManagePlansOrPeriods() {
    String acme = Tokens.accessToken("acme-admin");
    given().auth().oauth2(acme).get("/api/v1/plans").then().statusCode(403).contentType("application/problem+json");
    given().auth().oauth2(acme).post("/api/v1/periods/2026-06/tenants/acme/close").then().statusCode(403);
    given().auth().oauth2(Tokens.accessToken("acme-viewer")).get("/api/v1/metering/late-readings").then().statusCode(403);
  }

  @Test
  void operatorsAndTheBillingServiceAccountManagePlans() {
    given().auth().oauth2(Tokens.accessToken("ops")).get("/api/v1/plans").then().statusCode(200);
    given().auth().oauth2(Tokens.serviceToken("strata-billing", "strata-billing-secret")).get("/api/v1/plans").then().statusCode(200);
  }

  @Test
  void aTenantSeesOnlyItsOwnInvoicesAndCost() {
    String ops = Tokens.accessToken("ops");
    // billing knows acme once it has a plan (closing an unknown tenant is a 404); from 2999, so
    // that the other tests' acme invoices are priced as before
    long plan = given().auth().oauth2(ops).contentType("application/json")
        .body("{\"name\":\"acme-plan\",\"currency\":\"EUR\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"rates\":{\"io\":\"0.2\"}}")
        .post("/api/v1/plans").then().statusCode(201).extract().jsonPath().getLong("id");
    given().auth().oauth2(ops).contentType("application/json").body("{\"planId\":" + plan + ",\"effectiveFrom\":\"2999-01-01T00:00:00Z\"}")
        .put("/api/v1/tenants/acme/plan").then().statusCode(200);
    long acmeInvoice = given().auth().oauth2(ops).post("/api/v1/periods/2026-06/tenants/acme/close")
        .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201)).extract().jsonPath().getLong("id");

    String globex = Tokens.accessToken("globex-admin");
    given().auth().oauth2(globex).get("/api/v1/invoices/" + acmeInvoice).then().statusCode(404)
        .contentType("application/problem+json");
    given().auth().oauth2(globex).get("/api/v1/invoices/" + acmeInvoice + "/export").then().statusCode(404);
    given().auth().oauth2(globex).get("/api/v1/invoices").then().statusCode(200).body("tenantId", everyItem(equalTo("globex")));
    given().auth().oauth2(globex).get("/api/v1/invoices?tenant=acme").then().statusCode(403);
    given().auth().oauth2(globex).get("/api/v1/cost?tenant=acme").then().statusCode(403);
    given().auth().oauth2(globex).get("/api/v1/cost").then().statusCode(200).body("tenantId", equalTo("globex"));

    String viewer = Tokens.accessToken("acme-viewer");
    given().auth().oauth2(viewer).get("/api/v1/invoices/" + acmeInvoice).then().statusCode(200).body("tenantId", equalTo("acme"));
    given().auth().oauth2(viewer).get("/api/v1/invoices/" + acmeInvoice + "/export?format=csv").then().statusCode(200)
        .contentType(startsWith("text/csv"));
  }

  @Test
  void badRequestsAreClearProblems() {
    String ops = Tokens.accessToken("ops");
    given().auth().oauth2(ops).post("/api/v1/periods/2026-13/tenants/acme/close").then().statusCode(400)
        .contentType("application/problem+json");
    given().auth().oauth2(ops).post("/api/v1/periods/2999-01/tenants/acme/close").then().statusCode(409)
        .body("detail", startsWith("period: 2999-01 has not ended"));
    given().auth().oauth2(ops).contentType("application/json").body("{\"name\":\"Bad Name\",\"currency\":\"EUR\"}")
        .post("/api/v1/plans").then().statusCode(400).contentType("application/problem+json");
    given().auth().oauth2(ops).contentType("application/json")
        .body("{\"name\":\"weird\",\"currency\":\"EUR\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"rates\":{\"storage:NVME!\":\"1\"}}")
        .post("/api/v1/plans").then().statusCode(400).body("detail", startsWith("rates[\"storage:NVME!\"]: bad resource"));
  }
}
