package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.ACME_VIEWER;
import static io.strata.controlplane.rest.Api.GLOBEX;
import static io.strata.controlplane.rest.Api.OPS;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audit log (docs/observability.md, "Audit log"), against the real PostgreSQL and Keycloak. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class AuditLogTest {
  @Inject EntityManager em;

  private static Map<String, Object> only(Response page) {
    List<Map<String, Object>> items = page.then().statusCode(200).extract().path("items");
    assertThat(items).hasSize(1);
    return items.get(0);
  }

  @Test
  void aChangeIsRecordedWithWhoWhatWhereAndResultAndCredentialsAreMarkedButNeverLogged() {
    String name = unique("audited");
    String secret = "very-secret-" + unique("chap");
    String server = as(ACME).body(Map.of("name", name, "iqn", "iqn.2026-11.example.cloud:" + name,
            "chapUser", "u-" + name, "chapSecret", secret))
        .post("/api/v1/servers").then().statusCode(201).extract().path("id");
    String newSecret = "other-secret-" + unique("chap");
    String etag = as(ACME).get("/api/v1/servers/" + server).header("ETag");
    as(ACME).header("If-Match", etag).body(Map.of("chapUser", "u2-" + name, "chapSecret", newSecret))
        .put("/api/v1/servers/" + server + "/credentials").then().statusCode(200);

    Map<String, Object> changed = only(as(ACME).queryParam("object", server).queryParam("action", "server.credentials")
        .get("/api/v1/audit"));
    assertThat(changed).containsEntry("actor", "acme-admin").containsEntry("actorTenant", "acme")
        .containsEntry("result", "SUCCEEDED").containsEntry("remoteAddress", "127.0.0.1")
        .containsEntry("method", "PUT").containsEntry("path", "/api/v1/servers/" + server + "/credentials")
        .containsEntry("targetType", "server").containsEntry("marks", List.of("credentials"));
    assertThat((String) changed.get("at")).isNotBlank();
    // the prefix filter finds both changes of the server, newest first
    List<String> actions = as(ACME).queryParam("object", server).queryParam("action", "server.")
        .get("/api/v1/audit").then().statusCode(200).extract().path("items.action");
    assertThat(actions).containsExactly("server.credentials", "server.create");

    // no secret in any column of any entry
    Number holding = QuarkusTransaction.requiringNew().call(() -> (Number) em.createNativeQuery(
            "select count(*) from audit_entry a where cast(row_to_json(a) as text) like ?1 or cast(row_to_json(a) as text) like ?2")
        .setParameter(1, "%" + secret + "%").setParameter(2, "%" + newSecret + "%").getSingleResult());
    assertThat(holding.longValue()).isZero();
  }

  @Test
  void refusedRequestsAreRecordedInTheirOwnTransactionAndTenantsSeeOnlyTheirOwn() {
    String name = unique("theirs");
    String globexServer = Api.createServer(GLOBEX, name);
    // acme's admin tries to delete globex's server: 404, and it is written in acme's log
    as(ACME).delete("/api/v1/servers/" + globexServer).then().statusCode(404);
    Map<String, Object> refused = only(as(ACME).queryParam("object", globexServer).get("/api/v1/audit"));
    assertThat(refused).containsEntry("result", "REFUSED").containsEntry("status", 404)
        .containsEntry("action", "server.delete").containsEntry("actor", "acme-admin");
    // globex sees its own create only; acme's entries are not globex's business
    List<String> globexSees = as(GLOBEX).queryParam("object", globexServer).get("/api/v1/audit")
        .then().statusCode(200).extract().path("items.action");
    assertThat(globexSees).containsExactly("server.create");

    // a viewer's change refused by role, and a body refused by validation
    as(ACME_VIEWER).body(Map.of("name", unique("v"), "iqn", "iqn.2026-11.example.cloud:x"))
        .post("/api/v1/servers").then().statusCode(403);
    assertThat(only(as(ACME).queryParam("actor", "acme-viewer").queryParam("result", "REFUSED")
        .queryParam("action", "server.create").queryParam("limit", 1).get("/api/v1/audit")))
        .containsEntry("status", 403);
    as(ACME).body(Map.of("name", "not a valid name!", "iqn", "nope")).post("/api/v1/servers").then().statusCode(400);
    Map<String, Object> invalid = only(as(ACME).queryParam("result", "REFUSED").queryParam("action", "server.create")
        .queryParam("actor", "acme-admin").queryParam("limit", 1).get("/api/v1/audit"));
    assertThat(invalid).containsEntry("status", 400).containsEntry("path", "/api/v1/servers");
  }

  @Test
  void operatorActionsOnATenantAreMarkedAndListedForOperatorsWithFiltersAndPaging() {
    Instant before = Instant.now();
    String tenant = as(OPS).get("/api/v1/admin/tenants?alias=acme").then().statusCode(200).extract().path("items[0].id");
    for (int i = 0; i < 3; i++) {
      Response quota = as(OPS).get("/api/v1/admin/tenants/" + tenant + "/quota");
      as(OPS).header("If-Match", quota.header("ETag")).body(Map.of("maxArrays", 1000 + i, "maxSsdDrives", 10000,
              "maxHddDrives", 10000, "maxCapacityGib", 1_048_576_000L))
          .put("/api/v1/admin/tenants/" + tenant + "/quota").then().statusCode(200);
    }
    Response first = as(OPS).queryParam("tenant", tenant).queryParam("action", "quota.update")
        .queryParam("from", before.toString()).queryParam("mark", "operator-on-tenant").queryParam("limit", 2)
        .get("/api/v1/admin/audit");
    first.then().statusCode(200).body("items.size()", equalTo(2));
    String cursor = first.path("nextCursor");
    assertThat(cursor).isNotNull();
    List<Integer> firstIds = first.path("items.id");
    List<Integer> nextIds = as(OPS).queryParam("tenant", tenant).queryParam("action", "quota.update")
        .queryParam("from", before.toString()).queryParam("cursor", cursor).queryParam("limit", 2)
        .get("/api/v1/admin/audit").then().statusCode(200).extract().path("items.id");
    assertThat(nextIds).hasSize(1);
    assertThat(nextIds.get(0)).isLessThan(firstIds.get(1));
    // the tenant sees the operator's change of its quota, marked
    Map<String, Object> seen = as(ACME).queryParam("action", "quota.update").queryParam("limit", 1)
        .get("/api/v1/audit").then().statusCode(200).extract().path("items[0]");
    assertThat(seen).containsEntry("actor", "ops").containsEntry("marks", List.of("operator-on-tenant"));

    // bad filters are 400 naming the parameter; tenants cannot read the operators' log
    as(OPS).queryParam("from", "yesterday").get("/api/v1/admin/audit").then().statusCode(400)
        .body("errors[0].field", equalTo("from"));
    as(OPS).queryParam("cursor", "garbage").get("/api/v1/admin/audit").then().statusCode(400);
    as(OPS).queryParam("mark", "secret").get("/api/v1/admin/audit").then().statusCode(400);
    as(ACME).get("/api/v1/admin/audit").then().statusCode(403);
  }

  @Test
  void theDatabaseRefusesToChangeOrRemoveAnEntry() {
    Api.createServer(ACME, unique("immutable"));
    for (String statement : List.of("update audit_entry set actor = 'someone else'", "delete from audit_entry",
        "truncate audit_entry")) {
      assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(statement).executeUpdate()))
          .as(statement).hasStackTraceContaining("audit entries are immutable");
    }
  }
}
