package io.strata.billing.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.strata.billing.support.Await;
import io.strata.billing.support.BillingTestProfile;
import io.strata.billing.support.UsageStream;
import io.strata.contracts.usage.ArrayUsageSample;
import io.strata.contracts.usage.ArrayUsageSample.DriveAllocation;
import io.strata.contracts.usage.ArrayUsageSample.DriveType;
import io.strata.testsupport.Tokens;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;
import net.jqwik.api.sessions.JqwikSession;
import org.junit.jupiter.api.Test;

/**
 * A bounded fuzz run of billing's API (issue 16, "a fuzzing harness in the project"): random and
 * hostile request bodies and parameters (jqwik's generators, from a fixed seed so a failure can be
 * replayed) for plans, plan versions, tenant plan assignments, period closes and usage, cost and
 * invoice queries, sent to the real service. Every answer must be below 500, every 4xx a problem
 * naming a field or parameter, and nothing may be half-created: after the run, exactly the plans,
 * versions and assignments that were answered with success exist. Then a plan read and the
 * metering consumer still work.
 *
 * <p>The run lasts at most {@code billing.fuzz.seconds} (default 90) or {@code billing.fuzz.requests}
 * requests (default 1500); {@code billing.fuzz.seed} replays a run. jqwik's property runner cannot
 * start a Quarkus application, so its generators are driven here from a seeded {@link Random}
 * (without shrinking: a failure names the request as sent).
 *
 * <p>What the fuzz leaves alone, because other tests share this service and its database: it never
 * makes a plan the default, never closes a month that has ended for every tenant, and never
 * assigns plans to the tenants other tests bill.
 */
@QuarkusTest
@TestProfile(BillingTestProfile.class)
class ApiFuzzTest {

  static final long SEED = Long.getLong("billing.fuzz.seed", 20261207L);
  static final int MAX_REQUESTS = Integer.getInteger("billing.fuzz.requests", 1500);
  static final Duration MAX_TIME = Duration.ofSeconds(Long.getLong("billing.fuzz.seconds", 90L));
  static final Set<String> OTHER_TESTS_TENANTS = Set.of("acme", "globex", "restart-co", "newcomer");

  final ObjectMapper json = new ObjectMapper();
  final Random random = new Random(SEED);
  final Map<String, Integer> statuses = new TreeMap<>();
  final Map<String, Integer> requestsPerEndpoint = new TreeMap<>();
  final Set<String> createdPlans = new HashSet<>();
  final Map<Long, Integer> versionsAdded = new HashMap<>();
  final Map<String, Set<Instant>> assignmentsMade = new HashMap<>();
  final List<Long> planIds = new ArrayList<>();
  String ops;

  // ---- generators --------------------------------------------------------------------------

  /** Any text: control characters, NUL, other scripts, surrogates, long runs. */
  static final Arbitrary<String> ANY_TEXT = Arbitraries.strings().all().ofMaxLength(40);

  static final Arbitrary<String> NAMES = Arbitraries.frequencyOf(
      Tuple.of(8, Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-").ofMinLength(1).ofMaxLength(70)),
      Tuple.of(2, ANY_TEXT),
      Tuple.of(1, Arbitraries.of("", " ", "a\u0000b", "ab\n", "UPPER", "x".repeat(64), "x".repeat(63))));

  static final Arbitrary<String> TENANTS = Arbitraries.frequencyOf(
      Tuple.of(4, Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-").ofMinLength(1).ofMaxLength(40)),
      Tuple.of(2, ANY_TEXT),
      Tuple.of(1, Arbitraries.of("\u0000", "a\u0000", "tenant\u0001", "ACME", "a", "-ab", "%00", "a/b", "a;b")));

  static final Arbitrary<String> DECIMALS = Arbitraries.frequencyOf(
      Tuple.of(6, Arbitraries.bigDecimals().between(java.math.BigDecimal.ZERO, new java.math.BigDecimal("1000"))
          .ofScale(6).map(java.math.BigDecimal::toPlainString)),
      Tuple.of(3, Arbitraries.bigDecimals().between(new java.math.BigDecimal("-1000"), new java.math.BigDecimal("100000000000"))
          .ofScale(14).map(java.math.BigDecimal::toPlainString)),
      Tuple.of(2, Arbitraries.integers().between(-2_000_000_000, 2_000_000_000).map(e -> "1E" + (e >= 0 ? "+" : "") + e)),
      Tuple.of(1, Arbitraries.of("0", "0.0001875", "1E+200000", "1E+999999999", "1E-16384", "-0", "NaN", "Infinity", "1e400",
          "9999999999.999999999999", "10000000000", "0.0000000000001")));

  static final Arbitrary<String> INSTANTS = Arbitraries.frequencyOf(
      Tuple.of(8, Arbitraries.longs().between(-5_000_000_000L, 300_000_000_000L).map(s -> Instant.ofEpochSecond(s).toString())),
      Tuple.of(2, ANY_TEXT),
      Tuple.of(1, Arbitraries.of("+1000000000-01-01T00:00:00Z", "-999999999-01-01T00:00:00Z", "2026-02-30T00:00:00Z",
          "2026-01-01", "2026-01-01T00:00:00", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z")));

  static final Arbitrary<String> PERIODS = Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.integers().between(0, 99999).map(y -> String.format("%04d-%02d", y, y % 14))),
      Tuple.of(2, ANY_TEXT),
      Tuple.of(1, Arbitraries.of("2026-13", "2026-00", "2026-1", "26-01", "2999-01", "+99999-01", "2026-06\u0000")));

  static final Arbitrary<String> INTEGERS = Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.longs().map(String::valueOf)),
      Tuple.of(2, ANY_TEXT),
      Tuple.of(1, Arbitraries.of("1.5", "1e3", "-1", "0", "99999999999999999999", "", "0x10", " 1")));

  static final Arbitrary<String> RESOURCE_KEYS = Arbitraries.frequencyOf(
      Tuple.of(3, Arbitraries.of("storage:SSD", "storage:HDD", "engine:small", "io", "transfer", "used:SSD")),
      Tuple.of(2, ANY_TEXT),
      Tuple.of(1, Arbitraries.of("storage:", "storage:NVME!", "engine", "io:x", "used:\u0000")));

  /** Valid values only, for a third of the requests, so that the fuzz also creates and reads real objects. */
  static final Arbitrary<String> VALID_NAMES = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz").ofMinLength(1).ofMaxLength(30)
      .map(n -> "fz-" + n);
  static final Arbitrary<String> VALID_DECIMALS = Arbitraries.bigDecimals().between(java.math.BigDecimal.ZERO, new java.math.BigDecimal("1000"))
      .ofScale(6).map(java.math.BigDecimal::toPlainString);
  static final Arbitrary<String> VALID_INSTANTS = Arbitraries.longs().between(0, 4_000_000_000L).map(s -> Instant.ofEpochSecond(s).toString());
  static final Arbitrary<String> VALID_KEYS = Arbitraries.of("storage:SSD", "storage:HDD", "engine:small", "io", "transfer", "used:SSD");

  /** This request's values are all valid (set per request). */
  boolean tame;

  String pick(Arbitrary<String> valid, Arbitrary<String> any) {
    return draw(tame ? valid : any);
  }

  <T> T draw(Arbitrary<T> arbitrary) {
    return arbitrary.generator(1000).next(random).value();
  }

  boolean chance(int percent) {
    return random.nextInt(100) < percent;
  }

  // ---- JSON values, well-formed or not -----------------------------------------------------

  /** A JSON value for a field: usually the right kind, sometimes any other. */
  String jsonValue(Supplier<String> rightKind) {
    if (tame) {
      return rightKind.get();
    }
    return switch (random.nextInt(40)) {
      case 0 -> "null";
      case 1 -> String.valueOf(random.nextLong());
      case 2 -> "1.5";
      case 3 -> "true";
      case 4 -> "[]";
      case 5 -> "{}";
      case 6 -> quote(draw(ANY_TEXT));
      default -> rightKind.get();
    };
  }

  String quote(String text) {
    try {
      return json.writeValueAsString(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  String rates() {
    StringBuilder rates = new StringBuilder("{");
    int n = chance(5) ? 0 : 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      String value = pick(VALID_DECIMALS, DECIMALS);
      rates.append(i == 0 ? "" : ",").append(quote(pick(VALID_KEYS, RESOURCE_KEYS))).append(':')
          .append(jsonValue(() -> chance(50) ? quote(value) : (value.matches("-?[0-9.Ee+-]+") ? value : quote(value))));
    }
    return rates.append('}').toString();
  }

  /** An object of these fields, each sometimes left out, sometimes doubled, with sometimes an unknown one. */
  String object(Map<String, Supplier<String>> fields) {
    List<String> members = new ArrayList<>();
    fields.forEach((name, value) -> {
      if (chance(95)) {
        members.add(quote(name) + ":" + value.get());
      }
      if (!tame && chance(3)) {
        members.add(quote(name) + ":" + value.get()); // a duplicate key
      }
    });
    if (!tame && chance(5)) {
      members.add(quote(draw(NAMES)) + ":" + jsonValue(() -> "1"));
    }
    java.util.Collections.shuffle(members, random);
    return mangle("{" + String.join(",", members) + "}");
  }

  /** Sometimes broken JSON: cut short, trailing data, not an object at all. */
  String mangle(String body) {
    if (tame) {
      return body;
    }
    return switch (random.nextInt(40)) {
      case 0 -> body.substring(0, random.nextInt(Math.max(1, body.length())));
      case 1 -> body + " " + body;
      case 2 -> body + "x";
      case 3 -> "[" + body + "]";
      case 4 -> "";
      default -> body;
    };
  }

  String planBody() {
    Map<String, Supplier<String>> fields = new LinkedHashMap<>();
    fields.put("name", () -> jsonValue(() -> quote(pick(VALID_NAMES, NAMES))));
    fields.put("currency", () -> jsonValue(() -> quote(tame || chance(70) ? "EUR" : draw(Arbitraries.of("USD", "JPY", "XXX", "ABC", "eur", "EU", "")))));
    // never true: a fuzz plan must not become the default plan the other tests price with
    fields.put("isDefault", () -> tame || chance(80) ? "false" : draw(Arbitraries.of("null", "0", "\"false\"", "\"true\"", "1")));
    fields.put("effectiveFrom", () -> jsonValue(() -> quote(pick(VALID_INSTANTS, INSTANTS))));
    fields.put("rates", () -> jsonValue(this::rates));
    return object(fields);
  }

  String versionBody() {
    Map<String, Supplier<String>> fields = new LinkedHashMap<>();
    fields.put("effectiveFrom", () -> jsonValue(() -> quote(pick(VALID_INSTANTS, INSTANTS))));
    fields.put("rates", () -> jsonValue(this::rates));
    return object(fields);
  }

  String assignmentBody() {
    Map<String, Supplier<String>> fields = new LinkedHashMap<>();
    fields.put("planId", () -> jsonValue(() -> (tame || chance(70)) && !planIds.isEmpty()
        ? String.valueOf(planIds.get(random.nextInt(planIds.size()))) : draw(INTEGERS)));
    fields.put("effectiveFrom", () -> jsonValue(() -> quote(pick(VALID_INSTANTS, INSTANTS))));
    return object(fields);
  }

  String planIdSegment() {
    return (tame || chance(60)) && !planIds.isEmpty() ? String.valueOf(planIds.get(random.nextInt(planIds.size()))) : draw(INTEGERS);
  }

  /** A tenant that other tests never bill (the fuzz may give it a plan). */
  String fuzzTenant() {
    String tenant;
    do {
      tenant = draw(TENANTS);
    } while (OTHER_TESTS_TENANTS.contains(tenant) || (tame && !tenant.matches("[a-z][a-z0-9-]{1,31}")));
    return tenant;
  }

  /** A month the fuzz may try to close for everyone: not one that has ended (other tests' tenants have usage). */
  String periodForAll() {
    String period = draw(PERIODS);
    return period.matches("\\d{4}-\\d{2}") && period.compareTo("2027-01") < 0 ? "2999-" + period.substring(5) : period;
  }

  /** A path segment as sent; "." and ".." would be resolved away by the client and server, so they get a letter. */
  static String segment(String text) {
    if (text.equals(".") || text.equals("..")) {
      text = text + "x";
    }
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // ---- the run ------------------------------------------------------------------------------

  @Test
  void neverA5xxAlwaysAProblemNamingTheFieldNothingHalfCreated() throws Exception {
    ops = Tokens.accessToken("ops");
    Set<String> plansBefore = new HashSet<>(given().auth().oauth2(ops).get("/api/v1/plans").then().statusCode(200)
        .extract().jsonPath().getList("name", String.class));
    // a few good plans so that versions and assignments reach real ones
    for (int i = 0; i < 3; i++) {
      String name = "fuzz-base-" + i;
      Response created = send("POST /plans", given().contentType("application/json").body(
          "{\"name\":\"" + name + "\",\"currency\":\"EUR\",\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"rates\":{\"io\":\"0.2\"}}"),
          "POST", "/api/v1/plans");
      assertThat(created.statusCode()).isEqualTo(201);
      planIds.add(created.jsonPath().getLong("id"));
      createdPlans.add(name);
    }

    long deadline = System.nanoTime() + MAX_TIME.toNanos();
    int requests = 0;
    JqwikSession.start(); // jqwik's generators outside its own engine
    try {
      while (requests < MAX_REQUESTS && System.nanoTime() < deadline) {
        requests++;
        fuzzOne();
      }
    } finally {
      JqwikSession.finish();
    }

    checkNothingHalfCreated(plansBefore);
    System.out.printf("billing API fuzz: seed %d, %d requests; per endpoint %s; statuses %s%n",
        SEED, requests, requestsPerEndpoint, statuses);
    assertThat(statuses.keySet()).noneMatch(s -> s.startsWith("5"));
    // not a run of refusals only: valid requests were generated too, and succeeded
    assertThat(createdPlans.size()).as("plans created by the fuzz").isGreaterThan(3 + 20);
    assertThat(statuses.getOrDefault("200", 0)).isGreaterThan(10);

    // billing still works: a plan read, and the metering consumer stores a new sample
    given().auth().oauth2(ops).get("/api/v1/plans").then().statusCode(200);
    given().get("/q/health/ready").then().statusCode(200);
    long storedBefore = given().auth().oauth2(ops).get("/api/v1/metering/status").then().statusCode(200)
        .extract().jsonPath().getLong("storedSinceStart");
    Instant hour = Instant.parse("2026-08-02T10:00:00Z");
    try (UsageStream stream = new UsageStream()) {
      stream.sample("agent/fuzz-after", 1, new ArrayUsageSample("a-fuzz", "fuzz-after", "node-1", hour, hour.plus(Duration.ofHours(1)),
          List.of(new DriveAllocation(DriveType.HDD, 1, 1_000_000_000L)), "small", List.of(), 0, 0, 0, 0, 0, 0));
    }
    Await.until("the consumer to store a sample after the fuzz run",
        () -> given().auth().oauth2(ops).get("/api/v1/metering/status").then().extract().jsonPath().getLong("storedSinceStart"),
        n -> n > storedBefore, Duration.ofSeconds(60));
  }

  private void fuzzOne() throws Exception {
    tame = chance(33);
    switch (random.nextInt(11)) {
      case 0, 1 -> {
        String body = planBody();
        Response r = send("POST /plans", given().contentType("application/json").body(body), "POST", "/api/v1/plans");
        if (r.statusCode() == 201) {
          createdPlans.add(r.jsonPath().getString("name"));
          planIds.add(r.jsonPath().getLong("id"));
        }
      }
      case 2, 3 -> {
        String id = planIdSegment();
        Response r = send("POST /plans/{id}/versions", given().contentType("application/json").body(versionBody()),
            "POST", "/api/v1/plans/" + segment(id) + "/versions");
        if (r.statusCode() == 201) {
          versionsAdded.merge(Long.parseLong(id), 1, Integer::sum);
        }
      }
      case 4 -> {
        String tenant = fuzzTenant();
        String body = assignmentBody();
        Response r = send("PUT /tenants/{tenant}/plan", given().contentType("application/json").body(body),
            "PUT", "/api/v1/tenants/" + segment(tenant) + "/plan");
        if (r.statusCode() == 200) {
          assignmentsMade.computeIfAbsent(tenant, t -> new HashSet<>()).add(Instant.parse(r.jsonPath().getString("effectiveFrom")));
        }
      }
      case 5 -> send("GET /tenants/{tenant}/plan", given(), "GET", "/api/v1/tenants/" + segment(fuzzTenant()) + "/plan");
      case 6 -> send("POST /periods/{period}/tenants/{tenant}/close", given(),
          "POST", "/api/v1/periods/" + segment(draw(PERIODS)) + "/tenants/" + segment(fuzzTenant()) + "/close");
      case 7 -> send("POST /periods/{period}/close", given(), "POST", "/api/v1/periods/" + segment(periodForAll()) + "/close");
      case 8 -> send("GET /usage", given().queryParam("from", draw(INSTANTS)).queryParam("to", draw(INSTANTS))
          .queryParam("tenant", draw(TENANTS)), "GET", "/api/v1/usage");
      case 9 -> send("GET /cost", given().queryParam("tenant", draw(TENANTS)), "GET", "/api/v1/cost");
      default -> {
        RequestSpecification request = given();
        for (String parameter : new String[] {"tenant", "period", "page", "size"}) {
          if (chance(50)) {
            request = request.queryParam(parameter, parameter.equals("tenant") ? draw(TENANTS)
                : parameter.equals("period") ? draw(PERIODS) : draw(INTEGERS));
          }
        }
        send("GET /invoices", request, "GET", "/api/v1/invoices");
      }
    }
  }

  /** Sends one request as the operator and checks the answer's shape. */
  private Response send(String endpoint, RequestSpecification request, String method, String path) {
    Response response = request.urlEncodingEnabled(!path.contains("%")).auth().oauth2(ops).request(method, path);
    int status = response.statusCode();
    requestsPerEndpoint.merge(endpoint, 1, Integer::sum);
    statuses.merge(String.valueOf(status), 1, Integer::sum);
    String what = method + " " + path + " (seed " + SEED + ")";
    assertThat(status).as("status of %s: %s", what, response.asString()).isLessThan(500);
    if (status >= 400) {
      assertThat(response.contentType()).as("content type of %s", what).startsWith(Problem.MEDIA_TYPE);
      assertThat(response.jsonPath().getInt("status")).as("problem status of %s", what).isEqualTo(status);
      List<String> fields = response.jsonPath().getList("errors.field", String.class);
      assertThat(fields).as("errors[].field of %s: %s", what, response.asString()).isNotNull().isNotEmpty()
          .allMatch(f -> f != null && !f.isEmpty());
    }
    return response;
  }

  /** Exactly what was answered with success exists: no plan, version or assignment of a refused request. */
  private void checkNothingHalfCreated(Set<String> plansBefore) {
    List<Map<String, Object>> plans = given().auth().oauth2(ops).get("/api/v1/plans").then().statusCode(200)
        .extract().jsonPath().getList("$");
    for (Map<String, Object> plan : plans) {
      String name = (String) plan.get("name");
      if (plansBefore.contains(name)) {
        continue;
      }
      assertThat(createdPlans).as("plan %s exists although no request was answered 201 for it", name).contains(name);
      long id = ((Number) plan.get("id")).longValue();
      assertThat(((List<?>) plan.get("versions")).size()).as("versions of plan %s", name)
          .isEqualTo(1 + versionsAdded.getOrDefault(id, 0));
    }
    assertThat(plans.stream().map(p -> (String) p.get("name")).filter(n -> !plansBefore.contains(n)).toList())
        .containsExactlyInAnyOrderElementsOf(createdPlans);
    assignmentsMade.forEach((tenant, effective) -> assertThat(
        given().auth().oauth2(ops).get("/api/v1/tenants/" + segment(tenant) + "/plan").then().statusCode(200)
            .extract().jsonPath().getList("effectiveFrom", String.class).stream().map(Instant::parse).toList())
        .as("assignments of %s", tenant).containsExactlyInAnyOrderElementsOf(effective));
  }
}
