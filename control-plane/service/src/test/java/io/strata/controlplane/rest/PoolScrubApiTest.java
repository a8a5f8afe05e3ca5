package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.GLOBEX;
import static io.strata.controlplane.rest.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.outbox.ArrayDesiredState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.service.PoolScrubs;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, point 3: scrubs through the API. On demand ({@code POST /pools/{id}/scrub}), a new
 * scrub request goes into the array's desired state with its rate; a schedule ({@code PUT
 * /pools/{id}/scrub-policy}) makes the scheduler ask again once the interval has passed, and not
 * before; bad values are 400s naming the field; another tenant's pool is not found.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class PoolScrubApiTest {
  @Inject CommandOutbox outbox;
  @Inject PoolScrubs scrubs;

  private static boolean nodesEnrolled;

  @BeforeEach
  void nodes() {
    if (!nodesEnrolled) {
      Api.roomyQuota("acme");
      Api.onlineNodes(6, 24, 4, 4);
      nodesEnrolled = true;
    }
  }

  String pool() {
    String array = PoolDriveOwnershipTest.localArray(2, 0);
    return PoolDriveOwnershipTest.createPool(array, "scrubbed", "SSD", Map.of())
        .then().statusCode(201).extract().path("id");
  }

  ArrayDesiredState.PoolSpec desired(String poolId) {
    UUID arrayId = QuarkusTransaction.requiringNew().call(() -> Pool.<Pool>findById(UUID.fromString(poolId)).arrayId);
    return QuarkusTransaction.requiringNew().call(() -> outbox.desiredStateNow(arrayId)).pools().stream()
        .filter(p -> p.poolId().toString().equals(poolId)).findFirst().orElseThrow();
  }

  static UUID requestOf(String poolId) {
    return QuarkusTransaction.requiringNew().call(() -> Pool.<Pool>findById(UUID.fromString(poolId)).scrubRequestId);
  }

  @Test
  void aScrubOnDemandReachesTheDesiredStateWithItsRate() {
    String pool = pool();
    as(ACME).get("/api/v1/pools/" + pool).then().statusCode(200)
        .body("scrub.requestId", nullValue()).body("scrub.rateMbps", equalTo(0))
        .body("scrub.everyDays", nullValue());
    assertThat(desired(pool).scrubRequestId()).as("never scrubbed: nothing to run").isNull();

    String request = as(ACME).body(Map.of("rateMbps", 40)).post("/api/v1/pools/" + pool + "/scrub")
        .then().statusCode(202).body("scrub.rateMbps", equalTo(40)).body("scrub.requestedAt", notNullValue())
        .extract().path("scrub.requestId");
    assertThat(desired(pool).scrubRequestId()).hasToString(request);
    assertThat(desired(pool).scrubRateMbps()).isEqualTo(40);
    as(ACME).get("/api/v1/pools/" + pool).then().body("scrub.requestId", equalTo(request));

    // again, without a body: a new request at the kept rate
    String again = as(ACME).post("/api/v1/pools/" + pool + "/scrub").then().statusCode(202)
        .extract().path("scrub.requestId");
    assertThat(again).isNotEqualTo(request);
    assertThat(desired(pool).scrubRateMbps()).isEqualTo(40);

    as(ACME).body(Map.of("rateMbps", -1)).post("/api/v1/pools/" + pool + "/scrub").then().statusCode(400)
        .body("errors[0].field", equalTo("rateMbps"));
    as(GLOBEX).post("/api/v1/pools/" + pool + "/scrub").then().statusCode(404);
    assertThat(requestOf(pool)).as("nothing changed by the refused ones").hasToString(again);
  }

  @Test
  void aScheduledPoolIsScrubbedOnceItsIntervalHasPassedAndNotBefore() {
    String pool = pool();
    as(ACME).body(Map.of("everyDays", 0, "rateMbps", 10)).put("/api/v1/pools/" + pool + "/scrub-policy")
        .then().statusCode(400).body("errors[0].field", equalTo("everyDays"));
    as(ACME).body(Map.of("everyDays", 7)).put("/api/v1/pools/" + pool + "/scrub-policy")
        .then().statusCode(400).body("errors[0].field", equalTo("rateMbps"));
    as(ACME).body(Map.of("everyDays", 7, "rateMbps", 10)).put("/api/v1/pools/" + pool + "/scrub-policy")
        .then().statusCode(200).body("scrub.everyDays", equalTo(7)).body("scrub.rateMbps", equalTo(10));

    Instant created = QuarkusTransaction.requiringNew()
        .call(() -> Pool.<Pool>findById(UUID.fromString(pool)).createdAt);
    scrubs.runDue(created.plus(Duration.ofDays(6)));
    assertThat(requestOf(pool)).as("six days after creation: not due").isNull();

    Instant firstDue = created.plus(Duration.ofDays(7)).plusSeconds(1);
    scrubs.runDue(firstDue);
    UUID first = requestOf(pool);
    assertThat(first).as("seven days after creation").isNotNull();
    assertThat(desired(pool).scrubRequestId()).isEqualTo(first);
    assertThat(desired(pool).scrubRateMbps()).isEqualTo(10);

    scrubs.runDue(firstDue.plus(Duration.ofDays(3)));
    assertThat(requestOf(pool)).as("three days after the last one").isEqualTo(first);
    scrubs.runDue(firstDue.plus(Duration.ofDays(7)));
    assertThat(requestOf(pool)).as("seven days after the last one").isNotEqualTo(first).isNotNull();

    // without a schedule it is never asked for again
    as(ACME).body(Map.of("rateMbps", 10)).put("/api/v1/pools/" + pool + "/scrub-policy")
        .then().statusCode(200).body("scrub.everyDays", nullValue());
    UUID last = requestOf(pool);
    scrubs.runDue(firstDue.plus(Duration.ofDays(400)));
    assertThat(requestOf(pool)).isEqualTo(last);
  }
}
