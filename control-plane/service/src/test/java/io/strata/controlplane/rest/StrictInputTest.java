package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.OPS;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 items 4, 5 and 9 (control plane): strict JSON, database limits and character sets as
 * validation rules, and parameters that do not parse, each a 400 problem naming the field or
 * parameter, and nothing created by a refused request.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class StrictInputTest {
  private static boolean nodesEnrolled;

  @BeforeEach
  void nodes() {
    if (!nodesEnrolled) {
      Api.roomyQuota("acme");
      Api.onlineNodes(8, 32, 4, 4);
      nodesEnrolled = true;
    }
  }

  /** A 400 problem document whose errors name {@code field}. */
  static void refused(Response r, String field) {
    refused(r, 400, field);
  }

  static void refused(Response r, int status, String field) {
    assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    List<String> fields = r.path("errors.field");
    assertThat(fields).as(r.asString()).contains(field);
    assertThat(r.<String>path("detail")).contains(field);
  }

  private static Response postArray(String json) {
    return as(ACME).body(json).post("/api/v1/arrays");
  }

  private static int arrays(String name) {
    return as(ACME).queryParam("name", name).get("/api/v1/arrays").then().statusCode(200)
        .extract().path("items.size()");
  }

  @Test
  void numbersThatAreNotIntegersAreRefusedAndNothingIsCreated() {
    String name = unique("num");
    refused(postArray("{\"name\":\"" + name + "\",\"engineSize\":\"E01\",\"ssdDrives\":0.5}"), "ssdDrives");
    refused(postArray("{\"name\":\"" + name + "\",\"engineSize\":\"E01\",\"ssdDrives\":1.0}"), "ssdDrives");
    refused(postArray("{\"name\":\"" + name + "\",\"engineSize\":\"E01\",\"hddDrives\":\"2\"}"), "hddDrives");
    refused(postArray("{\"name\":\"" + name + "\",\"engineSize\":0,\"hddDrives\":1}"), "engineSize");
    refused(postArray("{\"name\":\"" + name + "\",\"engineSize\":\"E01\",\"hddDrives\":99999999999}"), "hddDrives");
    refused(postArray("{\"name\":12,\"engineSize\":\"E01\",\"hddDrives\":1}"), "name");
    refused(as(ACME).body("{\"poolId\":\"" + UUID.randomUUID() + "\",\"name\":\"v\",\"sizeGib\":1.5}")
        .post("/api/v1/volumes"), "sizeGib");
    refused(as(ACME).body("{\"poolId\":\"" + UUID.randomUUID() + "\",\"name\":\"v\",\"sizeGib\":10,\"thin\":\"yes\"}")
        .post("/api/v1/volumes"), "thin");
    assertThat(arrays(name)).isZero();
  }

  @Test
  void highAvailabilityIsABooleanAndNothingElse() {
    String name = unique("ha");
    refused(postArray("{\"name\":\"" + name + "\",\"engineSize\":\"E01\",\"hddDrives\":1,\"highAvailability\":\"true\"}"),
        "highAvailability");
    refused(postArray("{\"name\":\"" + name + "\",\"engineSize\":\"E01\",\"hddDrives\":1,\"highAvailability\":1}"),
        "highAvailability");
    refused(postArray("{\"name\":\"" + name + "\",\"engineSize\":\"E01\",\"hddDrives\":1,\"highAvailable\":true}"),
        "highAvailable");
    assertThat(arrays(name)).isZero();
  }

  @Test
  void anArrayWithoutDrivesIsRefused() {
    String name = unique("empty");
    refused(postArray("{\"name\":\"" + name + "\",\"engineSize\":\"E01\"}"), "ssdDrives");
    refused(postArray("{\"name\":\"" + name + "\",\"engineSize\":\"E01\",\"ssdDrives\":0,\"hddDrives\":0}"), "hddDrives");
    assertThat(arrays(name)).isZero();
  }

  @Test
  void trailingDataDuplicateKeysAndUnknownPropertiesAreRefused() {
    String name = unique("strict");
    String ok = "{\"name\":\"" + name + "\",\"engineSize\":\"E01\",\"hddDrives\":1}";
    refused(postArray(ok + " garbage"), "body");
    refused(postArray(ok + "{}"), "body");
    refused(postArray("{\"name\":\"" + name + "\",\"name\":\"other\",\"engineSize\":\"E01\",\"hddDrives\":1}"), "name");
    refused(postArray("{\"name\":\"" + name + "\",\"engineSize\":\"E01\",\"hddDrives\":1,\"hddDrive\":2}"), "hddDrive");
    refused(as(ACME).body("{\"poolId\":\"" + UUID.randomUUID() + "\",\"name\":\"v\",\"sizeGib\":1,\"thinn\":true}")
        .post("/api/v1/volumes"), "thinn");
    refused(postArray("[]"), "body");
    refused(postArray(""), "body");
    assertThat(arrays(name)).isZero();
    // the well-formed request is accepted
    postArray(ok).then().statusCode(201);
  }

  @Test
  void serverNamesIqnsAndChapUsersAreHeldToTheirCharacterSetsAndColumnLengths() {
    String name = unique("srv");
    Map<String, Object> good = Map.of("name", name, "iqn", "iqn.2026-11.example.cloud:" + name,
        "chapUser", "host-1", "chapSecret", "twelve-chars-secret");
    refused(as(ACME).body(with(good, "chapUser", "'; id #")).post("/api/v1/servers"), "chapUser");
    refused(as(ACME).body(with(good, "chapUser", "-v")).post("/api/v1/servers"), "chapUser");
    refused(as(ACME).body(with(good, "chapUser", "a\u0000b")).post("/api/v1/servers"), "chapUser");
    refused(as(ACME).body(with(good, "chapSecret", "twelve chars secret")).post("/api/v1/servers"), "chapSecret");
    refused(as(ACME).body(with(good, "iqn", "iqn.2026-11.example.cloud:a\nb")).post("/api/v1/servers"), "iqn");
    refused(as(ACME).body(with(good, "iqn", "iqn.2026-11.example.cloud:a$(id)")).post("/api/v1/servers"), "iqn");
    refused(as(ACME).body(with(good, "iqn", "iqn.2026-11.example.cloud:a\u0000")).post("/api/v1/servers"), "iqn");
    refused(as(ACME).body(with(good, "iqn", "iqn.2026-11.example.cloud:" + "a".repeat(224))).post("/api/v1/servers"),
        "iqn");
    refused(as(ACME).body(with(good, "name", "web\u0000")).post("/api/v1/servers"), "name");
    assertThat(as(ACME).queryParam("iqn", good.get("iqn")).get("/api/v1/servers").<Integer>path("items.size()"))
        .isZero();
    // an IQN of exactly the column's 223 characters and the RFC's other formats are accepted
    String longest = "iqn.2026-11.example.cloud:" + "a".repeat(223 - "iqn.2026-11.example.cloud:".length());
    as(ACME).body(with(good, "iqn", longest)).post("/api/v1/servers").then().statusCode(201);
    as(ACME).body(Map.of("name", unique("eui"), "iqn", "eui.02004567A425678D")).post("/api/v1/servers")
        .then().statusCode(201);
  }

  @Test
  void controlCharactersInOperatorTextAreRefused() {
    refused(as(OPS).body(Map.of("name", unique("n"), "zone", "z\u0000", "address", "127.0.0.1", "cpuCores", 1,
        "memoryGib", 1)).post("/api/v1/admin/nodes"), "zone");
    refused(as(OPS).body(Map.of("nodeId", UUID.randomUUID().toString(), "serial", "s\u0007n", "type", "SSD",
        "capacityGib", 1)).post("/api/v1/admin/drives"), "serial");
    refused(as(OPS).body(Map.of("alias", "nul", "displayName", "Evil\u0000Corp",
        "admin", Map.of("username", "nul-admin", "email", "a@example.com", "password", "long-enough-password")))
        .post("/api/v1/admin/tenants"), "displayName");
  }

  @Test
  void badQueryAndPathParametersAre400NamingTheParameter() {
    refused(as(ACME).get("/api/v1/volumes?limit=abc"), "limit");
    refused(as(ACME).get("/api/v1/volumes?limit=1.5"), "limit");
    refused(as(ACME).get("/api/v1/arrays?state=FOO"), "state");
    refused(as(ACME).get("/api/v1/attachments?volumeId=xyz"), "volumeId");
    refused(as(ACME).get("/api/v1/volumes/not-a-uuid"), "id");
    refused(as(ACME).get("/api/v1/volumes/1-2-3-4-5"), "id");
    refused(as(ACME).urlEncodingEnabled(false).get("/api/v1/arrays?name=%00"), "name");
    refused(as(ACME).urlEncodingEnabled(false).get("/api/v1/volumes?name=a%0Ab"), "name");
    refused(as(ACME).urlEncodingEnabled(false).get("/api/v1/servers?iqn=%00"), "iqn");
    refused(as(OPS).urlEncodingEnabled(false).get("/api/v1/admin/tenants?alias=%00"), "alias");
    refused(as(ACME).urlEncodingEnabled(false).get("/api/v1/volumes/%00"), "path");
    refused(as(ACME).queryParam("name", "a".repeat(64)).get("/api/v1/arrays"), "name");
    refused(as(ACME).queryParam("iqn", "a".repeat(224)).get("/api/v1/servers"), "iqn");
  }

  @Test
  void anEmptyIdempotencyKeyIsRefused() {
    String name = unique("idem");
    refused(as(ACME).header("Idempotency-Key", "")
        .body(Map.of("name", name, "engineSize", "E01", "hddDrives", 1)).post("/api/v1/arrays"), "Idempotency-Key");
    refused(as(ACME).header("Idempotency-Key", "   ")
        .body(Map.of("name", name, "engineSize", "E01", "hddDrives", 1)).post("/api/v1/arrays"), "Idempotency-Key");
    assertThat(arrays(name)).isZero();
  }

  @Test
  void oversizedBodiesAndUrisAnswerWithAProblem() {
    String huge = "{\"name\":\"" + "a".repeat(1_100_000) + "\"}";
    refused(as(ACME).body(huge).post("/api/v1/arrays"), 413, "body");
    // without Content-Length (chunked), the limit is found while reading
    refused(as(ACME).body(new java.io.ByteArrayInputStream(huge.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .post("/api/v1/arrays"), 413, "body");
    refused(as(ACME).queryParam("name", "a".repeat(9000)).get("/api/v1/arrays"), 414, "uri");
  }

  private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> m = new java.util.LinkedHashMap<>(base);
    m.put(key, value);
    return m;
  }
}
