package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.OPS;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import io.strata.testsupport.Tokens;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Operators onboard tenants (Keycloak organization + admin user) and watch nodes and capacity. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class OperatorTest {

  @Test
  void anOperatorCreatesATenantWhoseAdminCanSignInAndIsHeldToItsQuota() {
    String alias = unique("t").replace("-", "");
    String username = alias + "-admin";
    String password = "first-password-" + alias;
    Response created =
        as(OPS)
            .body(Map.of("alias", alias, "displayName", "Tenant " + alias,
                "admin", Map.of("username", username, "email", username + "@example.com", "password", password),
                "quota", Map.of("maxArrays", 0, "maxSsdDrives", 2, "maxHddDrives", 2, "maxCapacityGib", 100)))
            .post("/api/v1/admin/tenants");
    created.then().statusCode(201).body("alias", equalTo(alias)).body("quota.maxArrays", equalTo(0));
    String tenantId = created.path("id");

    // the new admin signs in at Keycloak with a real password grant; the token names the tenant
    String token = Tokens.accessToken(username, password);
    io.restassured.RestAssured.given().auth().oauth2(token).get("/api/v1/usage")
        .then().statusCode(200).body("arrays", equalTo(0)).body("quota.maxCapacityGib", equalTo(100));

    // ... and is held to the quota the operator set
    io.restassured.RestAssured.given().auth().oauth2(token).contentType(ContentType.JSON)
        .body(Map.of("name", "first", "engineSize", "E01", "hddDrives", 1))
        .post("/api/v1/arrays")
        .then().statusCode(409).body("type", equalTo("https://strata.io/problems/quota-exceeded"))
        .body("resource", equalTo("arrays"));

    // the operator raises the quota with If-Match
    Response quota = as(OPS).get("/api/v1/admin/tenants/" + tenantId + "/quota");
    Map<String, Object> raised = Map.of("maxArrays", 1, "maxSsdDrives", 2, "maxHddDrives", 2, "maxCapacityGib", 100);
    as(OPS).body(raised).put("/api/v1/admin/tenants/" + tenantId + "/quota").then().statusCode(428);
    as(OPS).header("If-Match", quota.header("ETag")).body(raised).put("/api/v1/admin/tenants/" + tenantId + "/quota")
        .then().statusCode(200).body("maxArrays", equalTo(1));

    // the same alias again is refused, naming the field
    as(OPS)
        .body(Map.of("alias", alias, "displayName", "again",
            "admin", Map.of("username", username + "2", "email", "x@example.com", "password", password)))
        .post("/api/v1/admin/tenants")
        .then().statusCode(409).body("detail", org.hamcrest.Matchers.startsWith("alias"));
  }

  @Test
  void tenantCreationValidatesEveryField() {
    as(OPS)
        .body(Map.of("alias", "X", "displayName", "", "admin", Map.of("username", "a", "email", "nope", "password", "short")))
        .post("/api/v1/admin/tenants")
        .then().statusCode(400)
        .body("errors.field", org.hamcrest.Matchers.containsInAnyOrder(
            "alias", "displayName", "admin.username", "admin.email", "admin.password"));
  }

  @Test
  void nodesMoveThroughTheirLifecycleAndCapacityAddsUp() {
    String[] nodes = Api.onlineNodes(8, 32, 2, 3);
    as(OPS).get("/api/v1/admin/nodes/" + nodes[0]).then().body("state", equalTo("ONLINE"));
    Response node = as(OPS).get("/api/v1/admin/nodes/" + nodes[0]);
    // ONLINE → DECOMMISSIONED is not a transition: first MAINTENANCE
    as(OPS).header("If-Match", node.header("ETag")).body(Map.of("state", "DECOMMISSIONED"))
        .patch("/api/v1/admin/nodes/" + nodes[0])
        .then().statusCode(409).body("type", equalTo("https://strata.io/problems/illegal-state"));
    as(OPS).header("If-Match", node.header("ETag")).body(Map.of("state", "MAINTENANCE"))
        .patch("/api/v1/admin/nodes/" + nodes[0]).then().statusCode(200).body("state", equalTo("MAINTENANCE"));

    as(OPS).get("/api/v1/admin/capacity").then().statusCode(200)
        .body("nodes.nodeId", hasItem(nodes[1]))
        .body("cpuCores", greaterThanOrEqualTo(16))
        .body("tenants", greaterThanOrEqualTo(2));
    as(OPS).queryParam("nodeId", nodes[1]).queryParam("type", "HDD").get("/api/v1/admin/drives")
        .then().statusCode(200).body("items.size()", equalTo(3));
  }
}
