package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.controlplane.domain.Drive;
import io.strata.controlplane.domain.DriveState;
import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.OperationState;
import io.strata.controlplane.service.PoolActivityReports;
import io.strata.controlplane.outbox.ArrayDesiredState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, point 3: replacing a member drive of a pool while the array runs. The replacement
 * (named, or picked from the array's free drives) becomes a member of the pool in the desired
 * state sent to the agent, the outgoing drive leaves the array (retired while the engine still
 * copies it); a drive that is no member, or no free drive that fits, is a 409 naming the field
 * and changes nothing.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class PoolDriveReplacementTest {
  @Inject CommandOutbox outbox;
  @Inject io.strata.controlplane.provisioning.Watchdog watchdog;

  /** Fresh nodes for every test: each takes three or four of one node's drives (spread NONE). */
  @BeforeEach
  void nodes() {
    Api.roomyQuota("acme");
    Api.onlineNodes(6, 24, 4, 4);
  }

  ArrayDesiredState desired(String arrayId) {
    return QuarkusTransaction.requiringNew().call(() -> outbox.desiredStateNow(UUID.fromString(arrayId)));
  }

  static List<String> members(ArrayDesiredState state, String pool) {
    return state.drives().stream().filter(d -> pool.equals(String.valueOf(d.poolId())))
        .map(d -> String.valueOf(d.driveId())).sorted().toList();
  }

  static String driveOfType(ArrayDesiredState state, String type, boolean free) {
    return state.drives().stream().filter(d -> type.equals(String.valueOf(d.type())) && (d.poolId() == null) == free)
        .map(d -> String.valueOf(d.driveId())).findFirst().orElseThrow();
  }

  @Test
  void aHealthyMemberIsReplacedByAFreeDriveAndLeavesTheArrayRetired() {
    String array = PoolDriveOwnershipTest.localArray(3, 0);
    String pool = PoolDriveOwnershipTest.createPool(array, "p", "SSD", Map.of())
        .then().statusCode(201).extract().path("id");
    ArrayDesiredState before = desired(array);
    List<String> membersBefore = members(before, pool);
    String outgoing = membersBefore.get(0);
    String spare = driveOfType(before, "SSD", true);

    List<Map<String, Object>> drives = as(ACME).post("/api/v1/pools/" + pool + "/drives/" + outgoing + "/replace")
        .then().statusCode(200).extract().path("$");
    assertThat(drives).extracting(d -> d.get("driveId")).doesNotContain(outgoing).contains(spare);
    assertThat(drives).filteredOn(d -> spare.equals(d.get("driveId")))
        .allSatisfy(d -> assertThat(d).containsEntry("poolId", pool).containsEntry("role", "MEMBER"));

    ArrayDesiredState after = desired(array);
    assertThat(members(after, pool)).containsExactlyInAnyOrder(membersBefore.get(1), spare);
    assertThat(after.drives()).extracting(d -> String.valueOf(d.driveId())).doesNotContain(outgoing);
    assertThat(after.pools()).isEqualTo(before.pools());
    DriveState state = QuarkusTransaction.requiringNew()
        .call(() -> Drive.<Drive>findById(UUID.fromString(outgoing)).state);
    assertThat(state).as("no one else gets it while the engine copies it").isEqualTo(DriveState.RETIRED);
  }

  @Test
  void aNamedReplacementIsUsedAndAnUnfitOneIsRefusedNamingTheField() {
    String array = PoolDriveOwnershipTest.localArray(3, 1);
    String pool = PoolDriveOwnershipTest.createPool(array, "p", "SSD", Map.of())
        .then().statusCode(201).extract().path("id");
    ArrayDesiredState before = desired(array);
    String outgoing = members(before, pool).get(1);
    String hdd = driveOfType(before, "HDD", true);
    String ssd = driveOfType(before, "SSD", true);

    as(ACME).body(Map.of("replacementDriveId", hdd)).post("/api/v1/pools/" + pool + "/drives/" + outgoing + "/replace")
        .then().statusCode(409)
        .body("errors[0].field", equalTo("replacementDriveId"))
        .body("detail", containsString("is HDD; pool 'p' is made of SSD drives"));
    as(ACME).body(Map.of("replacementDriveId", members(before, pool).get(0)))
        .post("/api/v1/pools/" + pool + "/drives/" + outgoing + "/replace")
        .then().statusCode(409).body("errors[0].field", equalTo("replacementDriveId"))
        .body("detail", containsString("already belongs to a pool"));
    as(ACME).post("/api/v1/pools/" + pool + "/drives/" + hdd + "/replace")
        .then().statusCode(409).body("errors[0].field", equalTo("driveId"))
        .body("detail", containsString("is not a drive of pool 'p'"));
    assertThat(desired(array)).as("nothing changed").isEqualTo(before);

    as(ACME).body(Map.of("replacementDriveId", ssd)).post("/api/v1/pools/" + pool + "/drives/" + outgoing + "/replace")
        .then().statusCode(200);
    assertThat(members(desired(array), pool)).contains(ssd).doesNotContain(outgoing);
  }

  @Test
  void withoutAFreeDriveThatFitsTheReplacementIsRefusedAndNothingChanges() {
    String array = PoolDriveOwnershipTest.localArray(2, 0);
    String pool = PoolDriveOwnershipTest.createPool(array, "p", "SSD", Map.of())
        .then().statusCode(201).extract().path("id");
    ArrayDesiredState before = desired(array);
    String outgoing = members(before, pool).get(0);
    as(ACME).post("/api/v1/pools/" + pool + "/drives/" + outgoing + "/replace")
        .then().statusCode(409)
        .body("errors[0].field", equalTo("replacementDriveId"))
        .body("detail", containsString("the array has no free SSD drive"));
    assertThat(desired(array)).isEqualTo(before);
    as(ACME).post("/api/v1/pools/" + UUID.randomUUID() + "/drives/" + outgoing + "/replace")
        .then().statusCode(404);
  }

  @Test
  void aReplacementWhoseIncomingDriveLeftThePoolFailsInsteadOfWaitingForever() {
    String array = PoolDriveOwnershipTest.localArray(4, 0);
    String pool = PoolDriveOwnershipTest.createPool(array, "p", "SSD", Map.of())
        .then().statusCode(201).extract().path("id");
    ArrayDesiredState before = desired(array);
    String outgoing = members(before, pool).get(0);
    as(ACME).post("/api/v1/pools/" + pool + "/drives/" + outgoing + "/replace").then().statusCode(200);
    // the drive the control plane picked (of two equally fitting free SSDs, either may be)
    String first = members(desired(array), pool).stream().filter(d -> !members(before, pool).contains(d))
        .findFirst().orElseThrow();
    // before the engine reported the rebuild onto it, the incoming drive is replaced in its turn
    as(ACME).post("/api/v1/pools/" + pool + "/drives/" + first + "/replace").then().statusCode(200);

    watchdog.check(java.time.Instant.now());
    Operation firstOp = QuarkusTransaction.requiringNew().call(() -> Operation.<Operation>find(
        "kind = ?1 and targetId = ?2", PoolActivityReports.REPLACE, UUID.fromString(first)).firstResult());
    assertThat(firstOp.state).isEqualTo(OperationState.FAILED);
    assertThat(firstOp.error).contains("left the pool");
    String second = members(desired(array), pool).stream().filter(d -> !members(before, pool).contains(d))
        .findFirst().orElseThrow();
    Operation secondOp = QuarkusTransaction.requiringNew().call(() -> Operation.<Operation>find(
        "kind = ?1 and targetId = ?2", PoolActivityReports.REPLACE, UUID.fromString(second)).firstResult());
    assertThat(secondOp.state).as("the replacement still under way").isEqualTo(OperationState.PENDING);
  }
}
