package io.strata.controlplane.rest;

import static io.restassured.RestAssured.given;
import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.ACME_VIEWER;
import static io.strata.controlplane.rest.Api.GLOBEX;
import static io.strata.controlplane.rest.Api.OPS;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Security against the running service with real Keycloak tokens: every tenant endpoint is tried
 * with acme's real ids as globex (404, as if the id did not exist), as acme's read-only member
 * (403 on every change), without a token or with a forged one (401), and across the
 * operator/tenant boundary (403).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class TenantIsolationTest {
  @Inject ProvisioningEvents events;

  /** acme's objects, created once. */
  private static Map<String, String> acme;
  private static Map<String, String> globex;

  record Call(String method, String path, Map<String, Object> body, boolean write) {
    String resolved(Map<String, String> ids) {
      String p = path;
      for (var e : ids.entrySet()) {
        p = p.replace("{" + e.getKey() + "}", e.getValue());
      }
      return p;
    }

    Response send(RequestSpecification spec, Map<String, String> ids) {
      RequestSpecification s = spec.contentType(ContentType.JSON).header("If-Match", "\"0\"");
      if (body != null) {
        Map<String, Object> b = new LinkedHashMap<>();
        body.forEach((k, v) -> b.put(k, v instanceof String str ? resolvedValue(str, ids) : v));
        s = s.body(b);
      }
      return s.request(method, resolved(ids));
    }

    private static Object resolvedValue(String v, Map<String, String> ids) {
      for (var e : ids.entrySet()) {
        v = v.replace("{" + e.getKey() + "}", e.getValue());
      }
      return v;
    }
  }

  /** Every tenant endpoint; {placeholders} are ids of the owner's objects. */
  static List<Call> tenantCalls() {
    List<Call> c = new ArrayList<>();
    c.add(new Call("GET", "/api/v1/arrays/{array}", null, false));
    c.add(new Call("GET", "/api/v1/arrays/{array}/performance", null, false));
    c.add(new Call("GET", "/api/v1/pools/{pool}/performance", null, false));
    c.add(new Call("GET", "/api/v1/volumes/{volume}/performance", null, false));
    c.add(new Call("GET", "/api/v1/arrays/{array}/drives", null, false));
    c.add(new Call("POST", "/api/v1/arrays/{array}/drives", Map.of("type", "HDD", "count", 1), true));
    c.add(new Call("DELETE", "/api/v1/arrays/{array}/drives/{drive}", null, true));
    c.add(new Call("DELETE", "/api/v1/arrays/{array}", null, true));
    c.add(new Call("GET", "/api/v1/pools/{pool}", null, false));
    c.add(new Call("DELETE", "/api/v1/pools/{pool}", null, true));
    c.add(new Call("POST", "/api/v1/pools",
        Map.of("arrayId", "{array}", "name", "stolen", "driveType", "HDD", "protection", "RAID1", "driveCount", 2), true));
    c.add(new Call("GET", "/api/v1/volumes/{volume}", null, false));
    c.add(new Call("PATCH", "/api/v1/volumes/{volume}", Map.of("sizeGib", 999), true));
    c.add(new Call("DELETE", "/api/v1/volumes/{volume}", null, true));
    c.add(new Call("POST", "/api/v1/volumes", Map.of("poolId", "{pool}", "name", "stolen", "sizeGib", 1), true));
    c.add(new Call("POST", "/api/v1/volumes/{volume}/rollback", Map.of("snapshotId", "{snapshot}", "force", true), true));
    // one's own volume, rolled back to another tenant's snapshot
    c.add(new Call("POST", "/api/v1/volumes/{ownVolume}/rollback", Map.of("snapshotId", "{snapshot}", "force", true), true));
    c.add(new Call("GET", "/api/v1/snapshots/{snapshot}", null, false));
    c.add(new Call("DELETE", "/api/v1/snapshots/{snapshot}", null, true));
    c.add(new Call("POST", "/api/v1/snapshots", Map.of("volumeId", "{volume}", "name", "stolen"), true));
    c.add(new Call("POST", "/api/v1/snapshots/{snapshot}/clones", Map.of("name", "stolen"), true));
    c.add(new Call("GET", "/api/v1/snapshot-policies/{policy}", null, false));
    c.add(new Call("DELETE", "/api/v1/snapshot-policies/{policy}", null, true));
    c.add(new Call("POST", "/api/v1/snapshot-policies",
        Map.of("volumeId", "{volume}", "name", "stolen", "intervalMinutes", 60, "retain", 3), true));
    c.add(new Call("GET", "/api/v1/servers/{server}", null, false));
    c.add(new Call("PUT", "/api/v1/servers/{server}/credentials",
        Map.of("chapUser", "x", "chapSecret", "stolen-secret-1"), true));
    c.add(new Call("DELETE", "/api/v1/servers/{server}", null, true));
    c.add(new Call("GET", "/api/v1/attachments/{attachment}", null, false));
    c.add(new Call("DELETE", "/api/v1/attachments/{attachment}", null, true));
    c.add(new Call("POST", "/api/v1/attachments", Map.of("volumeId", "{volume}", "serverId", "{ownServer}"), true));
    c.add(new Call("POST", "/api/v1/attachments", Map.of("volumeId", "{ownVolume}", "serverId", "{server}"), true));
    c.add(new Call("GET", "/api/v1/operations/{operation}", null, false));
    return c;
  }

  static List<Call> listCalls() {
    return List.of(
        new Call("GET", "/api/v1/arrays", null, false),
        new Call("GET", "/api/v1/pools", null, false),
        new Call("GET", "/api/v1/volumes", null, false),
        new Call("GET", "/api/v1/snapshots", null, false),
        new Call("GET", "/api/v1/snapshot-policies", null, false),
        new Call("GET", "/api/v1/servers", null, false),
        new Call("GET", "/api/v1/attachments", null, false),
        new Call("GET", "/api/v1/operations", null, false),
        new Call("GET", "/api/v1/usage", null, false));
  }

  static List<Call> operatorCalls() {
    return List.of(
        new Call("GET", "/api/v1/admin/tenants", null, false),
        new Call("POST", "/api/v1/admin/tenants", Map.of("alias", "sneaky", "displayName", "x",
            "admin", Map.of("username", "sneaky-admin", "email", "s@x.example", "password", "long-enough-pass")), true),
        new Call("GET", "/api/v1/admin/tenants/{tenant}", null, false),
        new Call("PUT", "/api/v1/admin/tenants/{tenant}/quota",
            Map.of("maxArrays", 99, "maxSsdDrives", 99, "maxHddDrives", 99, "maxCapacityGib", 99), true),
        new Call("GET", "/api/v1/admin/nodes", null, false),
        new Call("POST", "/api/v1/admin/nodes",
            Map.of("name", "rogue", "zone", "z", "address", "10.0.0.1", "cpuCores", 4, "memoryGib", 8), true),
        new Call("GET", "/api/v1/admin/drives", null, false),
        new Call("GET", "/api/v1/admin/arrays", null, false),
        new Call("GET", "/api/v1/admin/arrays?tenant=acme", null, false),
        new Call("GET", "/api/v1/admin/capacity", null, false));
  }

  private Map<String, String> estate(String user, String label) {
    Map<String, String> ids = new LinkedHashMap<>();
    String array = Api.createArray(user, unique(label), 4, 1);
    events.arrayReported(UUID.fromString(array), ArrayState.ONLINE, null);
    ids.put("array", array);
    String pool = Api.createPool(user, array, "fast");
    ids.put("pool", pool);
    String volume = Api.createVolume(user, pool, "vol", 10);
    events.volumeReported(UUID.fromString(volume), VolumeState.AVAILABLE, null);
    ids.put("volume", volume);
    String snapshot = as(user).body(Map.of("volumeId", volume, "name", "snap")).post("/api/v1/snapshots")
        .then().statusCode(201).extract().path("id");
    events.snapshotReported(UUID.fromString(snapshot), SnapshotState.AVAILABLE, null);
    ids.put("snapshot", snapshot);
    ids.put("policy", as(user)
        .body(Map.of("volumeId", volume, "name", "hourly", "intervalMinutes", 60, "retain", 24))
        .post("/api/v1/snapshot-policies").then().statusCode(201).extract().path("id"));
    String server = Api.createServer(user, unique("srv"));
    ids.put("server", server);
    ids.put("attachment", as(user).body(Map.of("volumeId", volume, "serverId", server))
        .post("/api/v1/attachments").then().statusCode(201).extract().path("id"));
    ids.put("operation", as(user).get("/api/v1/operations").then().extract().path("items[0].id"));
    // an unpooled drive of the array (the HDD)
    List<Map<String, Object>> drives = as(user).get("/api/v1/arrays/" + array + "/drives").then().extract().path("$");
    ids.put("drive", (String) drives.stream().filter(d -> d.get("poolId") == null).findFirst().orElseThrow().get("driveId"));
    return ids;
  }

  @BeforeEach
  void estates() {
    if (acme == null) {
      Api.onlineNodes(8, 32, 6, 4);
      acme = estate(ACME, "iso");
      globex = estate(GLOBEX, "iso");
      acme.put("tenant", as(OPS).queryParam("alias", "acme").get("/api/v1/admin/tenants").then()
          .statusCode(200).extract().path("items[0].id"));
    }
  }

  @Test
  void anotherTenantGets404ForEveryObjectOfAcmeAsIfItDidNotExist() {
    Map<String, String> ids = new LinkedHashMap<>(acme);
    ids.put("ownServer", globex.get("server"));
    ids.put("ownVolume", globex.get("volume"));
    List<String> leaks = new ArrayList<>();
    for (Call call : tenantCalls()) {
      Response r = call.send(given().auth().oauth2(Api.token(GLOBEX)), ids);
      if (r.statusCode() != 404 || !r.contentType().startsWith("application/problem+json")) {
        leaks.add(call.method() + " " + call.path() + " → " + r.statusCode() + " " + r.asString());
      }
    }
    assertThat(leaks).isEmpty();

    // and nothing of acme's changed: everything is still there and unchanged
    as(ACME).get("/api/v1/volumes/" + acme.get("volume")).then().statusCode(200)
        .body("sizeGib", org.hamcrest.Matchers.equalTo(10)).body("state", org.hamcrest.Matchers.equalTo("AVAILABLE"));
    as(ACME).get("/api/v1/attachments/" + acme.get("attachment")).then().statusCode(200)
        .body("state", org.hamcrest.Matchers.equalTo("ATTACHING"));
    as(ACME).get("/api/v1/servers/" + acme.get("server")).then().statusCode(200);
    as(ACME).get("/api/v1/arrays/" + acme.get("array")).then().body("state", org.hamcrest.Matchers.equalTo("ONLINE"));
  }

  @Test
  void listsShowOnlyTheCallersOwnObjects() {
    for (Call call : listCalls()) {
      String body = call.send(given().auth().oauth2(Api.token(GLOBEX)), Map.of()).then().statusCode(200)
          .extract().asString();
      for (String acmeId : acme.values()) {
        assertThat(body).as(call.path()).doesNotContain(acmeId);
      }
    }
    // and acme sees its own
    assertThat(as(ACME).get("/api/v1/volumes?limit=500").asString()).contains(acme.get("volume"));
  }

  @Test
  void guessedIdsAnswerLikeMissingOnes() {
    Map<String, String> random = new LinkedHashMap<>();
    for (String k : List.of("array", "pool", "volume", "snapshot", "policy", "server", "attachment", "operation", "drive",
        "ownServer", "ownVolume")) {
      random.put(k, UUID.randomUUID().toString());
    }
    for (Call call : tenantCalls()) {
      Response r = call.send(given().auth().oauth2(Api.token(ACME)), random);
      assertThat(r.statusCode()).as(call.method() + " " + call.path()).isEqualTo(404);
    }
  }

  @Test
  void aMemberReadsButCannotChangeAnything() {
    Map<String, String> ids = new LinkedHashMap<>(acme);
    ids.put("ownServer", acme.get("server"));
    ids.put("ownVolume", acme.get("volume"));
    for (Call call : tenantCalls()) {
      Response r = call.send(given().auth().oauth2(Api.token(ACME_VIEWER)), ids);
      assertThat(r.statusCode()).as(call.method() + " " + call.path()).isEqualTo(call.write() ? 403 : 200);
    }
    for (Call call : List.of(
        new Call("POST", "/api/v1/arrays", Map.of("name", "nope", "engineSize", "E01"), true),
        new Call("POST", "/api/v1/servers", Map.of("name", "nope", "iqn", "iqn.2026-11.x.y:z"), true))) {
      assertThat(call.send(given().auth().oauth2(Api.token(ACME_VIEWER)), ids).statusCode()).isEqualTo(403);
    }
    for (Call call : listCalls()) {
      assertThat(call.send(given().auth().oauth2(Api.token(ACME_VIEWER)), ids).statusCode()).isEqualTo(200);
    }
    // nothing changed
    as(ACME).get("/api/v1/volumes/" + acme.get("volume")).then().body("sizeGib", org.hamcrest.Matchers.equalTo(10));
  }

  @Test
  void withoutAValidTokenEveryEndpointAnswers401() {
    Map<String, String> ids = new LinkedHashMap<>(acme);
    ids.put("ownServer", acme.get("server"));
    ids.put("ownVolume", acme.get("volume"));
    List<Call> all = new ArrayList<>(tenantCalls());
    all.addAll(listCalls());
    all.addAll(operatorCalls());
    String forged = Api.token(ACME);
    forged = forged.substring(0, forged.lastIndexOf('.') + 1) + "c2lnbmF0dXJlLWZvcmdlZA";
    for (Call call : all) {
      Response none = call.send(given(), ids);
      assertThat(none.statusCode()).as("no token: " + call.method() + " " + call.path()).isEqualTo(401);
      assertThat(none.contentType()).startsWith("application/problem+json");
      Response bad = call.send(given().auth().oauth2(forged), ids);
      assertThat(bad.statusCode()).as("forged token: " + call.method() + " " + call.path()).isEqualTo(401);
    }
  }

  @Test
  void operatorsAndTenantsStayOnTheirSideOfTheApi() {
    Map<String, String> ids = new LinkedHashMap<>(acme);
    for (Call call : operatorCalls()) {
      for (String user : List.of(ACME, ACME_VIEWER, GLOBEX)) {
        assertThat(call.send(given().auth().oauth2(Api.token(user)), ids).statusCode())
            .as(user + " " + call.method() + " " + call.path()).isEqualTo(403);
      }
    }
    // an operator token has no tenant: tenant endpoints refuse it rather than guess one
    for (Call call : listCalls()) {
      Response r = call.send(given().auth().oauth2(Api.token(OPS)), ids);
      assertThat(r.statusCode()).as("ops " + call.path()).isEqualTo(403);
    }
  }
}
