package io.strata.controlplane.rest;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.strata.testsupport.Tokens;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Calls the running service as a real Keycloak user. */
final class Api {
  private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

  static final String ACME = "acme-admin";
  static final String ACME_VIEWER = "acme-viewer";
  static final String GLOBEX = "globex-admin";
  static final String OPS = "ops";

  static String token(String user) {
    return TOKENS.computeIfAbsent(user, Tokens::accessToken);
  }

  static RequestSpecification as(String user) {
    return given().auth().oauth2(token(user)).contentType(ContentType.JSON);
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Two online nodes in two zones, each with SSDs and HDDs; returns their ids. */
  static String[] onlineNodes(int cpu, int memGib, int ssd, int hdd) {
    String[] ids = new String[2];
    for (int i = 0; i < 2; i++) {
      ids[i] = onlineNode("zone-" + i, "127.0.0." + (10 + i), cpu, memGib, ssd, hdd);
    }
    return ids;
  }

  /** One online node in {@code zone} at {@code address} with {@code ssd} SSDs and {@code hdd} HDDs; its id. */
  static String onlineNode(String zone, String address, int cpu, int memGib, int ssd, int hdd) {
    String id =
        as(OPS)
            .body(Map.of("name", unique("node"), "zone", zone, "address", address, "cpuCores", cpu, "memoryGib", memGib))
            .post("/api/v1/admin/nodes")
            .then().statusCode(201).extract().path("id");
    Response node = as(OPS).get("/api/v1/admin/nodes/" + id);
    as(OPS).header("If-Match", node.header("ETag")).body(Map.of("state", "ONLINE"))
        .patch("/api/v1/admin/nodes/" + id).then().statusCode(200);
    for (int d = 0; d < ssd; d++) {
      as(OPS).body(Map.of("nodeId", id, "serial", unique("ssd"), "type", "SSD", "capacityGib", 960))
          .post("/api/v1/admin/drives").then().statusCode(201);
    }
    for (int d = 0; d < hdd; d++) {
      as(OPS).body(Map.of("nodeId", id, "serial", unique("hdd"), "type", "HDD", "capacityGib", 4000))
          .post("/api/v1/admin/drives").then().statusCode(201);
    }
    return id;
  }

  static String createArray(String user, String name, int ssd, int hdd) {
    return as(user)
        .body(Map.of("name", name, "engineSize", "E01", "ssdDrives", ssd, "hddDrives", hdd))
        .post("/api/v1/arrays")
        .then().statusCode(201).extract().path("id");
  }

  static String createPool(String user, String arrayId, String name) {
    return as(user)
        .body(Map.of("arrayId", arrayId, "name", name, "driveType", "SSD", "protection", "RAID1", "driveCount", 2))
        .post("/api/v1/pools")
        .then().statusCode(201).extract().path("id");
  }

  static String createVolume(String user, String poolId, String name, int sizeGib) {
    return as(user)
        .body(Map.of("poolId", poolId, "name", name, "sizeGib", sizeGib))
        .post("/api/v1/volumes")
        .then().statusCode(201).extract().path("id");
  }

  static String createServer(String user, String name) {
    return as(user)
        .body(Map.of("name", name, "iqn", "iqn.2026-11.example.cloud:" + name,
            "chapUser", name + "-user", "chapSecret", "secret-of-" + name + "-1234"))
        .post("/api/v1/servers")
        .then().statusCode(201).extract().path("id");
  }

  /**
   * Raises a demo tenant's quota so that a test class may create arrays freely: the classes
   * share one service and database, and the demo quota (10 arrays) is for people, not suites.
   */
  static void roomyQuota(String alias) {
    String tenant = as(OPS).queryParam("alias", alias).get("/api/v1/admin/tenants").then().statusCode(200)
        .extract().path("items[0].id");
    Response quota = as(OPS).get("/api/v1/admin/tenants/" + tenant + "/quota");
    as(OPS).header("If-Match", quota.header("ETag"))
        .body(Map.of("maxArrays", 1000, "maxSsdDrives", 10000, "maxHddDrives", 10000, "maxCapacityGib", 1_048_576_000L))
        .put("/api/v1/admin/tenants/" + tenant + "/quota").then().statusCode(200);
  }

  private Api() {}
}
