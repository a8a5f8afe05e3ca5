package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing harness (issue 16): generated request bodies, query parameters and path segments
 * against the running service, with the real PostgreSQL and real Keycloak tokens. For every try:
 * never a 5xx; every 4xx is a problem document, and a 400/422 names each offending field or
 * parameter in {@code errors} and {@code detail}; a refused request leaves the tenant's object
 * counts as they were (nothing half-created).
 *
 * <p>Inputs come from jqwik generators ({@link FuzzInputs}) driven by one seed, so a failure is
 * reproducible: the assertion message carries the seed, the try and the request.
 * {@code -Dstrata.fuzz.seed=...} picks another seed, {@code -Dstrata.fuzz.tries=...} the tries
 * per endpoint (bounded so that the harness takes a minute or two in {@code mvn verify}).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class ApiFuzzTest {
  static final long SEED = Long.getLong("strata.fuzz.seed", 16L);
  static final int TRIES = Integer.getInteger("strata.fuzz.tries", 25);

  /** Per endpoint: tries, 2xx answers, 4xx answers. */
  private static final Map<String, int[]> COUNTS = new TreeMap<>();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static Map<String, String> ids;
  private static long startedAt;

  @Inject ProvisioningEvents events;

  /** One tenant's world to aim at: an ONLINE array, a pool, an AVAILABLE volume, a server. */
  @BeforeEach
  void world() {
    if (ids != null) {
      return;
    }
    startedAt = System.nanoTime();
    Api.roomyQuota("acme");
    Api.onlineNodes(8, 32, 6, 6);
    ids = new LinkedHashMap<>();
    ids.put("array", Api.createArray(ACME, unique("fuzz"), 4, 2));
    events.arrayReported(UUID.fromString(ids.get("array")), ArrayState.ONLINE, null);
    ids.put("pool", Api.createPool(ACME, ids.get("array"), "fuzz-pool"));
    ids.put("volume", Api.createVolume(ACME, ids.get("pool"), "fuzz-vol", 10));
    events.volumeReported(UUID.fromString(ids.get("volume")), VolumeState.AVAILABLE, null);
    ids.put("server", Api.createServer(ACME, unique("fuzz")));
  }

  record Create(String name, String path, Supplier<ObjectNode> valid) {}

  private static List<Create> creates() {
    return List.of(
        new Create("POST arrays", "/api/v1/arrays", () -> object(
            "name", unique("fz"), "engineSize", "E01", "spread", "NONE", "ssdDrives", 1, "hddDrives", 0,
            "highAvailability", false)),
        new Create("POST pools", "/api/v1/pools", () -> object(
            "arrayId", ids.get("array"), "name", unique("p"), "driveType", "SSD", "protection", "RAID1",
            "driveCount", 2, "cacheMode", "NONE", "tiering", false)),
        new Create("POST volumes", "/api/v1/volumes", () -> object(
            "poolId", ids.get("pool"), "name", unique("v"), "sizeGib", 1, "thin", true, "qosIopsLimit", 100,
            "qosMbpsLimit", 10, "multiAttach", false)),
        new Create("POST servers", "/api/v1/servers", () -> {
          String name = unique("s");
          return object("name", name, "iqn", "iqn.2026-11.example.fuzz:" + name, "chapUser", "u-" + name,
              "chapSecret", "fuzz-secret-" + name);
        }),
        new Create("POST attachments", "/api/v1/attachments", () -> object(
            "volumeId", ids.get("volume"), "serverId", ids.get("server"), "lun", 1, "readOnly", false)),
        new Create("POST snapshots", "/api/v1/snapshots", () -> object(
            "volumeId", ids.get("volume"), "name", unique("snap"))),
        new Create("POST snapshot-policies", "/api/v1/snapshot-policies", () -> object(
            "volumeId", ids.get("volume"), "name", unique("pol"), "intervalMinutes", 60, "retain", 3,
            "enabled", true)));
  }

  @Test
  void generatedRequestBodiesNeverBreakTheServiceAndRefusalsNameAFieldAndCreateNothing() {
    FuzzInputs in = new FuzzInputs(SEED);
    for (Create create : creates()) {
      Usage before = Usage.now();
      for (int i = 0; i < TRIES; i++) {
        ObjectNode valid = create.valid().get();
        List<String> fields = new ArrayList<>();
        valid.fieldNames().forEachRemaining(fields::add);
        FuzzInputs.Body body = in.body(valid, fields);
        RequestSpecification request = as(ACME).body(body.bytes());
        String key = in.idempotencyKey();
        if (key != null) {
          request.header("Idempotency-Key", key);
        }
        Response r = request.post(create.path());
        String what = create.name() + " try " + i + " (seed " + SEED + ", " + body.how() + ", key "
            + (key == null ? "none" : "'" + key + "'") + "): " + abbreviate(body.text());
        checkAnswer(create.name(), what, r, Set.of());
        Usage after = Usage.now();
        if (r.statusCode() >= 400) {
          assertThat(after).as("nothing half-created by " + what + " -> " + r.statusCode()).isEqualTo(before);
        }
        before = after;
      }
    }
  }

  record ListEndpoint(String path, List<String> parameters) {}

  private static final List<ListEndpoint> LISTS = List.of(
      new ListEndpoint("/api/v1/arrays", List.of("state", "name", "cursor", "limit")),
      new ListEndpoint("/api/v1/pools", List.of("arrayId", "cursor", "limit")),
      new ListEndpoint("/api/v1/volumes", List.of("arrayId", "poolId", "state", "name", "cursor", "limit")),
      new ListEndpoint("/api/v1/servers", List.of("iqn", "cursor", "limit")),
      new ListEndpoint("/api/v1/attachments", List.of("volumeId", "serverId", "state", "cursor", "limit")),
      new ListEndpoint("/api/v1/snapshots", List.of("volumeId", "state", "cursor", "limit")),
      new ListEndpoint("/api/v1/snapshot-policies", List.of("volumeId", "cursor", "limit")),
      new ListEndpoint("/api/v1/operations", List.of("state", "targetId", "cursor", "limit")));

  @Test
  void generatedQueryParametersAndPathSegmentsAreAnsweredWith400NamingThem() {
    FuzzInputs in = new FuzzInputs(SEED + 1);
    for (ListEndpoint list : LISTS) {
      for (int i = 0; i < TRIES / 2; i++) {
        Map<String, String> query = in.query(list.parameters());
        StringBuilder raw = new StringBuilder();
        query.forEach((k, v) -> raw.append(raw.length() == 0 ? "?" : "&")
            .append(FuzzInputs.percentEncode(k)).append('=').append(FuzzInputs.percentEncode(v)));
        Response r = as(ACME).urlEncodingEnabled(false).get(list.path() + raw);
        String what = "GET " + list.path() + raw + " (seed " + SEED + ")";
        // the list exists whatever its parameters: a bad one is a 400, never a 404
        assertThat(r.statusCode()).as(what + " -> " + r.asString()).isIn(200, 400);
        checkAnswer("GET " + list.path() + "?query", what, r, query.keySet());
      }
      for (int i = 0; i < TRIES / 4; i++) {
        String segment = in.pathSegment();
        Response r = as(ACME).urlEncodingEnabled(false).get(list.path() + "/" + FuzzInputs.percentEncode(segment));
        String what = "GET " + list.path() + "/" + abbreviate(segment) + " (seed " + SEED + ")";
        if (FuzzInputs.isCanonicalUuid(segment)) {
          assertThat(r.statusCode()).as(what + " -> " + r.asString()).isEqualTo(404);
        } else if (!segment.matches("\\.*") && !segment.contains("/")) {
          // not an id at all: 400 naming it ("", ".", ".." and "a/b" are other paths)
          assertThat(r.statusCode()).as(what + " -> " + r.asString()).isEqualTo(400);
        }
        checkAnswer("GET " + list.path() + "/{id}", what, r, Set.of("id", "path"));
      }
    }
  }

  /**
   * Never 5xx; a 4xx is a problem document; a 400 or 422 names its fields in {@code errors} and
   * in {@code detail} (and, for parameters, only ones that were sent or {@code path}).
   */
  private static void checkAnswer(String endpoint, String what, Response r, Set<String> parameters) {
    int status = r.statusCode();
    int[] counts = COUNTS.computeIfAbsent(endpoint, k -> new int[3]);
    counts[0]++;
    assertThat(status).as(what + " -> " + r.asString()).isBetween(200, 499);
    if (status < 300) {
      counts[1]++;
      return;
    }
    counts[2]++;
    assertThat(r.contentType()).as(what).startsWith("application/problem+json");
    assertThat(r.<Integer>path("status")).as(what).isEqualTo(status);
    assertThat(r.<String>path("type")).as(what).startsWith("https://strata.io/problems/");
    String detail = r.path("detail");
    assertThat(detail).as(what).isNotBlank();
    if (status == 400 || status == 422) {
      List<String> fields = r.path("errors.field");
      assertThat(fields).as(what + " -> " + r.asString()).isNotEmpty();
      for (String field : fields) {
        assertThat(field).as(what + " -> " + r.asString()).isNotBlank();
        assertThat(detail).as(what).contains(field);
        if (!parameters.isEmpty() && !"query".equals(field)) {
          assertThat(parameters).as(what + " -> " + r.asString()).contains(field);
        }
      }
    }
  }

  /** What the tenant has: counted after every try, equal before and after a refusal. */
  record Usage(Map<String, Object> usage, int pools, int policies) {
    static Usage now() {
      Map<String, Object> usage = as(ACME).get("/api/v1/usage").then().statusCode(200).extract().path("");
      usage.remove("quota");
      int pools = as(ACME).get("/api/v1/pools?limit=500").then().statusCode(200).extract().path("items.size()");
      int policies = as(ACME).get("/api/v1/snapshot-policies?limit=500").then().statusCode(200)
          .extract().path("items.size()");
      return new Usage(usage, pools, policies);
    }
  }

  @AfterAll
  static void report() throws IOException {
    StringBuilder sb = new StringBuilder("API fuzzing (seed " + SEED + ", " + TRIES + " tries per create endpoint)\n");
    int total = 0;
    for (var e : COUNTS.entrySet()) {
      int[] c = e.getValue();
      total += c[0];
      sb.append(String.format("  %-40s tries %4d  2xx %4d  4xx %4d  5xx 0%n", e.getKey(), c[0], c[1], c[2]));
    }
    sb.append(String.format("  total tries %d in %.1f s%n", total, (System.nanoTime() - startedAt) / 1e9));
    System.out.println(sb);
    Path out = Path.of("target", "fuzz-report.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, sb.toString(), StandardCharsets.UTF_8);
  }

  private static ObjectNode object(Object... keyValues) {
    ObjectNode node = NODES.objectNode();
    for (int i = 0; i < keyValues.length; i += 2) {
      node.set((String) keyValues[i], JSON.valueToTree(keyValues[i + 1]));
    }
    return node;
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…(" + s.length() + " chars)" : s;
  }

  static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
