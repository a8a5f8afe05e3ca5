package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.strata.controlplane.domain.OutboxMessage;
import io.strata.controlplane.domain.Pool;
import io.strata.controlplane.outbox.ArrayDesiredState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 1: a drive a pool uses as a member, its flash cache or its SSD tier belongs to
 * that pool. A pool that would need such a drive is refused (409 naming the field and the pool
 * that holds the drives) and nothing is written or sent; deleting the pool frees its drives; two
 * concurrent creates never both take the same drive.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class PoolDriveOwnershipTest {
  @Inject CommandOutbox outbox;

  private static boolean nodesEnrolled;

  @BeforeEach
  void nodes() {
    if (!nodesEnrolled) {
      Api.roomyQuota("acme");
      Api.onlineNodes(6, 24, 4, 4);
      nodesEnrolled = true;
    }
  }

  /** An array whose drives all lie on its engine's node (spread NONE), as in the report. */
  static String localArray(int ssd, int hdd) {
    return as(ACME)
        .body(Map.of("name", unique("own"), "engineSize", "E01", "spread", "NONE", "ssdDrives", ssd, "hddDrives", hdd))
        .post("/api/v1/arrays").then().statusCode(201).extract().path("id");
  }

  static Response createPool(String arrayId, String name, String type, Map<String, Object> extra) {
    Map<String, Object> body = new java.util.HashMap<>(
        Map.of("arrayId", arrayId, "name", name, "driveType", type, "protection", "RAID1", "driveCount", 2));
    body.putAll(extra);
    return as(ACME).body(body).post("/api/v1/pools");
  }

  ArrayDesiredState desired(String arrayId) {
    return QuarkusTransaction.requiringNew().call(() -> outbox.desiredStateNow(UUID.fromString(arrayId)));
  }

  static long pendingCommands(String arrayId) {
    return QuarkusTransaction.requiringNew().call(() -> OutboxMessage.count("subject", "array/" + arrayId));
  }

  static long pools(String arrayId) {
    return QuarkusTransaction.requiringNew().call(() -> Pool.count("arrayId", UUID.fromString(arrayId)));
  }

  @Test
  void anSsdPoolCannotTakeTheCacheAndTierOfAnHddPoolAndTheHddPoolIsUnchanged() {
    String array = localArray(2, 4);
    String hdd = createPool(array, "hdd", "HDD", Map.of("cacheMode", "WRITE_BACK", "tiering", true))
        .then().statusCode(201).extract().path("id");

    // the HDD pool owns its members, its flash cache SSD and its tier SSD, in the desired state too
    ArrayDesiredState before = desired(array);
    assertThat(before.drives()).filteredOn(d -> d.poolId() == null).extracting(ArrayDesiredState.DriveSpec::type)
        .containsExactly("HDD", "HDD");
    assertThat(before.drives()).filteredOn(d -> d.poolId() != null)
        .allSatisfy(d -> assertThat(d.poolId()).hasToString(hdd))
        .extracting(ArrayDesiredState.DriveSpec::type, ArrayDesiredState.DriveSpec::role)
        .containsExactlyInAnyOrder(tuple("HDD", "MEMBER"), tuple("HDD", "MEMBER"), tuple("SSD", "CACHE"),
            tuple("SSD", "TIER"));
    as(ACME).get("/api/v1/arrays/" + array + "/drives").then().statusCode(200)
        .body("findAll { it.type == 'SSD' }.role", org.hamcrest.Matchers.containsInAnyOrder("CACHE", "TIER"));
    long commands = pendingCommands(array);

    // the report's request: an SSD RAID1 pool on the array's two SSDs
    createPool(array, "ssd", "SSD", Map.of()).then().statusCode(409)
        .body("type", containsString("not-enough-drives"))
        .body("errors[0].field", equalTo("driveCount"))
        .body("detail", allOf(containsString("pool 'hdd' holds 1 as its flash cache"),
            containsString("pool 'hdd' holds 1 as its SSD tier")));

    assertThat(pools(array)).as("no half-made pool").isEqualTo(1);
    assertThat(pendingCommands(array)).as("no command").isEqualTo(commands);
    assertThat(desired(array)).as("the HDD pool's desired state is unchanged").isEqualTo(before);

    // a second HDD pool wanting a cache finds no free SSD either, and says so on its field
    createPool(array, "hdd2", "HDD", Map.of("cacheMode", "WRITE_THROUGH")).then().statusCode(409)
        .body("errors[0].field", equalTo("cacheMode"))
        .body("detail", containsString("its flash cache needs a free SSD"));
    createPool(array, "hdd3", "HDD", Map.of("tiering", true)).then().statusCode(409)
        .body("errors[0].field", equalTo("tiering"));
    assertThat(pools(array)).isEqualTo(1);

    // deleting the HDD pool frees its four drives: the SSD pool now fits
    as(ACME).delete("/api/v1/pools/" + hdd).then().statusCode(204);
    assertThat(desired(array).drives()).allSatisfy(d -> {
      assertThat(d.poolId()).isNull();
      assertThat(d.role()).isNull();
    });
    String ssd = createPool(array, "ssd", "SSD", Map.of()).then().statusCode(201).extract().path("id");
    assertThat(desired(array).drives().stream().filter(d -> "SSD".equals(d.type())))
        .allSatisfy(d -> assertThat(d.poolId()).hasToString(ssd));
  }

  @Test
  void twoConcurrentPoolsNeverTakeTheSameDrive() throws Exception {
    String array = localArray(2, 0);
    CyclicBarrier together = new CyclicBarrier(2);
    Api.token(ACME);
    List<CompletableFuture<Integer>> creates = List.of("left", "right").stream()
        .map(name -> CompletableFuture.supplyAsync(() -> {
          try {
            together.await(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return createPool(array, name, "SSD", Map.of()).statusCode();
        }))
        .toList();
    List<Integer> codes = creates.stream().map(CompletableFuture::join).toList();
    assertThat(codes).containsExactlyInAnyOrder(201, 409);
    assertThat(pools(array)).isEqualTo(1);
    assertThat(desired(array).drives()).extracting(ArrayDesiredState.DriveSpec::poolId).doesNotContainNull()
        .containsOnly(desired(array).pools().get(0).poolId());
  }
}
