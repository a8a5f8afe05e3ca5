package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.controlplane.outbox.ArrayDesiredState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.provisioning.NodeReports;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, point 3: growing a pool while its array runs. Free drives of the array join a RAID1
 * pool as members (mirror pairs), or a RAID5 pool (any number; the engine restripes it) in the desired state sent to the agent, the pool's capacity
 * grows (a RAID1 pool's at once, a RAID5 pool's when the engine reports the restripe done), and the pool.grow operation completes when the engine's node reports the pool
 * at a desired state that has them. What cannot grow is a problem document naming driveIds, and
 * changes nothing.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class PoolGrowthTest {
  @Inject CommandOutbox outbox;
  @Inject NodeReports reports;

  @BeforeEach
  void nodes() {
    Api.roomyQuota("acme");
    Api.onlineNodes(6, 24, 4, 4);
  }

  ArrayDesiredState desired(String arrayId) {
    return QuarkusTransaction.requiringNew().call(() -> outbox.desiredStateNow(UUID.fromString(arrayId)));
  }

  static List<String> free(ArrayDesiredState state, String type) {
    return state.drives().stream().filter(d -> type.equals(String.valueOf(d.type())) && d.poolId() == null)
        .map(d -> String.valueOf(d.driveId())).sorted().toList();
  }

  static Response grow(String pool, List<String> drives) {
    return as(ACME).body(Map.of("driveIds", drives)).post("/api/v1/pools/" + pool + "/drives");
  }

  @Test
  void aMirrorPairJoinsTheDesiredStateTheCapacityGrowsAndTheOperationEndsWhenTheEngineReports() {
    String array = PoolDriveOwnershipTest.localArray(4, 0);
    String pool = PoolDriveOwnershipTest.createPool(array, "p", "SSD", Map.of())
        .then().statusCode(201).extract().path("id");
    int capacity = as(ACME).get("/api/v1/pools/" + pool).then().extract().path("capacityGib");
    ArrayDesiredState before = desired(array);
    List<String> pair = free(before, "SSD");
    assertThat(pair).hasSize(2);

    long asked = micros(Instant.now());
    Response accepted = grow(pool, pair);
    accepted.then().statusCode(202).body("kind", equalTo("pool.grow")).body("state", equalTo("PENDING"));
    String op = accepted.path("id");
    // new mirror pairs are usable at once: no restripe to wait for
    as(ACME).get("/api/v1/pools/" + pool).then().body("capacityGib", equalTo(2 * capacity))
        .body("targetCapacityGib", equalTo(2 * capacity));
    assertThat(PoolDriveReplacementTest.members(desired(array), pool)).containsAll(pair).hasSize(4);

    // a report of the desired state from before the grow does not complete it
    reports.arrayStatus(poolStatus(array, asked - 1_000_000, pool, ObjectStatus.State.READY, null));
    as(ACME).get("/api/v1/operations/" + op).then().body("state", equalTo("PENDING"));
    reports.arrayStatus(poolStatus(array, micros(Instant.now()), pool, ObjectStatus.State.READY, null));
    as(ACME).get("/api/v1/operations/" + op).then().body("state", equalTo("SUCCEEDED"));
  }

  @Test
  void whatThePoolCannotTakeIsAProblemNamingDriveIdsAndChangesNothing() {
    String array = PoolDriveOwnershipTest.localArray(3, 2); // one node's drives (spread NONE)
    String pool = PoolDriveOwnershipTest.createPool(array, "p", "SSD", Map.of())
        .then().statusCode(201).extract().path("id");
    ArrayDesiredState before = desired(array);
    String ssd = free(before, "SSD").get(0);
    List<String> hdds = free(before, "HDD");
    String inAPool = PoolDriveReplacementTest.members(before, pool).get(0);
    String otherArrays = free(desired(PoolDriveOwnershipTest.localArray(2, 0)), "SSD").get(0);

    grow(pool, List.of(ssd)).then().statusCode(422).body("errors[0].field", equalTo("driveIds"))
        .body("detail", containsString("grows by mirror pairs: an even number of drives, not 1"));
    grow(pool, List.of(ssd, hdds.get(0))).then().statusCode(409).body("errors[0].field", equalTo("driveIds"))
        .body("detail", containsString("is HDD; pool 'p' is made of SSD drives"));
    grow(pool, List.of(ssd, inAPool)).then().statusCode(409).body("errors[0].field", equalTo("driveIds"))
        .body("detail", containsString("already belongs to a pool"));
    grow(pool, List.of(ssd, otherArrays)).then().statusCode(409).body("errors[0].field", equalTo("driveIds"))
        .body("detail", containsString("is not a drive of the pool's array"));
    grow(pool, List.of(ssd, ssd)).then().statusCode(422).body("detail", containsString("listed twice"));
    grow(pool, List.of()).then().statusCode(400);
    assertThat(desired(array)).as("nothing changed").isEqualTo(before);
    grow(UUID.randomUUID().toString(), List.of(ssd, hdds.get(0))).then().statusCode(404);
    as(Api.GLOBEX).body(Map.of("driveIds", List.of(ssd, hdds.get(1))))
        .post("/api/v1/pools/" + pool + "/drives").then().statusCode(404);
  }

  @Test
  void aRaid5PoolGrowsByOneDriveThatTheDesiredStateListsAfterItsMembers() {
    String array = PoolDriveOwnershipTest.localArray(4, 1);
    String pool = PoolDriveOwnershipTest.createPool(array, "p", "SSD", Map.of("protection", "RAID5", "driveCount", 3))
        .then().statusCode(201).extract().path("id");
    int capacity = as(ACME).get("/api/v1/pools/" + pool).then().extract().path("capacityGib");
    ArrayDesiredState before = desired(array);
    List<String> members = PoolDriveReplacementTest.members(before, pool);
    grow(pool, List.of(free(before, "HDD").get(0))).then().statusCode(409)
        .body("errors[0].field", equalTo("driveIds"));
    assertThat(desired(array)).isEqualTo(before);

    String ssd = free(before, "SSD").get(0);
    grow(pool, List.of(ssd)).then().statusCode(202).body("kind", equalTo("pool.grow"));
    assertThat(PoolDriveReplacementTest.members(desired(array), pool)).hasSize(4).containsAll(members)
        .contains(ssd);
    // the new drive's capacity is the target; volumes get it once the engine has restriped the pool
    as(ACME).get("/api/v1/pools/" + pool).then().body("capacityGib", equalTo(capacity))
        .body("targetCapacityGib", equalTo(capacity * 3 / 2));
  }

  /**
   * Review of issue 18: a RAID5/6 pool's volumes cannot use its new drives until the engine's
   * background restripe onto them is done, so the pool's capacityGib stays the old one (and a
   * thick volume that needs more is refused, naming sizeGib) until the engine reports the
   * restripe over at a desired state that has the new drives. Before, capacityGib jumped at once.
   */
  @Test
  void aGrownRaid5PoolGetsItsNewCapacityWhenTheEngineReportsTheRestripeDone() {
    String array = PoolDriveOwnershipTest.localArray(4, 0);
    String pool = PoolDriveOwnershipTest.createPool(array, "p", "SSD", Map.of("protection", "RAID5", "driveCount", 3))
        .then().statusCode(201).extract().path("id");
    int capacity = as(ACME).get("/api/v1/pools/" + pool).then().extract().path("capacityGib");
    long asked = micros(Instant.now());
    grow(pool, free(desired(array), "SSD")).then().statusCode(202);
    int target = capacity * 3 / 2;

    as(ACME).get("/api/v1/pools/" + pool).then().body("capacityGib", equalTo(capacity))
        .body("targetCapacityGib", equalTo(target));
    thick(pool, "big", capacity + 1).then().statusCode(409).body("type", containsString("pool-full"))
        .body("errors[0].field", equalTo("sizeGib"))
        .body("detail", containsString("which has " + capacity + " GiB (" + target + " GiB once the engine"));

    // a status from before the grow, one with the restripe running, and one with a rebuild in
    // its place: none of them makes the new drives usable
    reports.arrayStatus(restriping(array, asked - 1_000_000, pool, null));
    reports.arrayStatus(restriping(array, micros(Instant.now()), pool, "RESTRIPE"));
    as(ACME).get("/api/v1/pools/" + pool).then().body("capacityGib", equalTo(capacity))
        .body("targetCapacityGib", equalTo(target)).body("rebuild.kind", equalTo("RESTRIPE"))
        .body("rebuild.failedAttempts", equalTo(0)).body("rebuild.error", nullValue());
    // a restripe whose attempts stop on an error (the engine tries again): the tenant sees why
    reports.arrayStatus(withRebuild(array, micros(Instant.now()), pool, new io.strata.contracts.event.PoolProgress
        .Rebuild("RESTRIPE", null, null, 1L << 30, 4L << 30, 3, "drive ssd-3: write failed")));
    as(ACME).get("/api/v1/pools/" + pool).then().body("capacityGib", equalTo(capacity))
        .body("rebuild.failedAttempts", equalTo(3)).body("rebuild.error", equalTo("drive ssd-3: write failed"));
    reports.arrayStatus(restriping(array, micros(Instant.now()), pool, "RESTRIPE"));
    as(ACME).get("/api/v1/pools/" + pool).then().body("rebuild.failedAttempts", equalTo(0))
        .body("rebuild.error", nullValue());
    reports.arrayStatus(restriping(array, micros(Instant.now()), pool, "REBUILD"));
    as(ACME).get("/api/v1/pools/" + pool).then().body("capacityGib", equalTo(capacity));
    thick(pool, "big", capacity + 1).then().statusCode(409);

    reports.arrayStatus(restriping(array, micros(Instant.now()), pool, null));
    as(ACME).get("/api/v1/pools/" + pool).then().body("capacityGib", equalTo(target))
        .body("targetCapacityGib", equalTo(target));
    thick(pool, "big", capacity + 1).then().statusCode(201);
  }

  /**
   * Issue 18: the pace of a RAID5/6 pool's restripe is the tenant's to set, on the grow or later
   * (PUT .../restripe-policy, which reaches a restripe running now through the desired state); bad
   * values are 400s naming the field, a pool that never restripes refuses it naming the field.
   */
  @Test
  void aRaid5PoolsRestripeRateReachesTheDesiredStateAndBadOrMeaninglessRatesAreRefusedNamingTheField() {
    String array = PoolDriveOwnershipTest.localArray(4, 0);
    String pool = PoolDriveOwnershipTest.createPool(array, "p", "SSD", Map.of("protection", "RAID5", "driveCount", 3))
        .then().statusCode(201).extract().path("id");
    as(ACME).get("/api/v1/pools/" + pool).then().body("restripe.rateMbps", equalTo(0));
    assertThat(restripeRate(array, pool)).as("no limit unless asked").isZero();
    List<String> free = free(desired(array), "SSD");
    as(ACME).body(Map.of("driveIds", free, "restripeRateMbps", 10001)).post("/api/v1/pools/" + pool + "/drives")
        .then().statusCode(400).body("errors[0].field", containsString("restripeRateMbps"));
    as(ACME).body(Map.of("rateMbps", -1)).put("/api/v1/pools/" + pool + "/restripe-policy")
        .then().statusCode(400).body("errors[0].field", equalTo("rateMbps"));
    as(ACME).body(Map.of()).put("/api/v1/pools/" + pool + "/restripe-policy")
        .then().statusCode(400).body("errors[0].field", equalTo("rateMbps"));

    as(ACME).body(Map.of("driveIds", free, "restripeRateMbps", 40)).post("/api/v1/pools/" + pool + "/drives")
        .then().statusCode(202);
    as(ACME).get("/api/v1/pools/" + pool).then().body("restripe.rateMbps", equalTo(40));
    assertThat(restripeRate(array, pool)).isEqualTo(40);
    as(ACME).body(Map.of("rateMbps", 8)).put("/api/v1/pools/" + pool + "/restripe-policy")
        .then().statusCode(200).body("restripe.rateMbps", equalTo(8));
    assertThat(restripeRate(array, pool)).as("the new rate in the desired state").isEqualTo(8);

    String mirror = PoolDriveOwnershipTest.createPool(PoolDriveOwnershipTest.localArray(2, 0), "m", "SSD", Map.of())
        .then().statusCode(201).extract().path("id");
    as(ACME).body(Map.of("rateMbps", 8)).put("/api/v1/pools/" + mirror + "/restripe-policy")
        .then().statusCode(422).body("errors[0].field", equalTo("rateMbps"))
        .body("detail", containsString("only RAID5/6 pools have a restripe rate"));
    as(Api.GLOBEX).body(Map.of("rateMbps", 8)).put("/api/v1/pools/" + pool + "/restripe-policy")
        .then().statusCode(404);
  }

  /** The restripe rate the agent gets for the pool in the array's desired state now. */
  private Integer restripeRate(String array, String pool) {
    return desired(array).pools().stream().filter(p -> p.poolId().toString().equals(pool)).findFirst().orElseThrow()
        .restripeRateMbps();
  }

  private static Response thick(String pool, String name, int sizeGib) {
    return as(ACME).body(Map.of("poolId", pool, "name", name, "sizeGib", sizeGib, "thin", false))
        .post("/api/v1/volumes");
  }

  /** The pool READY at {@code generation}, with a rebuild of {@code kind} running in it (null: none). */
  private static ArrayStatus restriping(String array, long generation, String pool, String kind) {
    return withRebuild(array, generation, pool, kind == null ? null
        : new io.strata.contracts.event.PoolProgress.Rebuild(kind, null, null, 1L << 30, 4L << 30));
  }

  /** The pool READY at {@code generation}, with {@code rebuild} running in it (null: none). */
  private static ArrayStatus withRebuild(String array, long generation, String pool,
      io.strata.contracts.event.PoolProgress.Rebuild rebuild) {
    ArrayStatus s = poolStatus(array, generation, pool, ObjectStatus.State.READY, null);
    List<io.strata.contracts.event.PoolProgress> pools = rebuild == null ? List.of()
        : List.of(new io.strata.contracts.event.PoolProgress(pool, rebuild, null));
    return new ArrayStatus(s.arrayId(), s.nodeId(), s.generation(), s.state(), null, null, null, null, 0, null,
        s.objects(), null, null, null, null, null, pools);
  }

  private static ArrayStatus poolStatus(String array, long generation, String pool, ObjectStatus.State state,
      String reason) {
    String node = QuarkusTransaction.requiringNew().call(() -> io.strata.controlplane.domain.Node
        .<io.strata.controlplane.domain.Node>findById(io.strata.controlplane.domain.StorageArray
            .<io.strata.controlplane.domain.StorageArray>findById(UUID.fromString(array)).nodeId).name);
    return new ArrayStatus(array, node, generation, ArrayStatus.State.ONLINE, null, null, null, null, 0, null,
        List.of(new ObjectStatus(array, ObjectStatus.Kind.POOL, pool, state, reason)));
  }

  private static long micros(Instant t) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }
}
