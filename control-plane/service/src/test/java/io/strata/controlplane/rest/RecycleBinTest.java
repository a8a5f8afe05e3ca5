package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.GLOBEX;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.outbox.ArrayDesiredState;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.controlplane.service.RecycleBinPurger;
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
 * The recycle bin against the real PostgreSQL and Keycloak: a deleted volume is kept for seven
 * days (the default), restorable, unmapped, marked for the agent's metering, and purged through
 * the normal delete path once its time is over.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class RecycleBinTest {
  @Inject ProvisioningEvents events;
  @Inject CommandOutbox outbox;
  @Inject RecycleBinPurger purger;

  private static boolean nodesEnrolled;

  @BeforeEach
  void nodes() {
    if (!nodesEnrolled) {
      Api.onlineNodes(6, 24, 6, 5);
      Api.roomyQuota("acme");
      nodesEnrolled = true;
    }
  }

  private ArrayDesiredState desired(String arrayId) {
    return QuarkusTransaction.requiringNew().call(() -> outbox.desiredStateNow(UUID.fromString(arrayId)));
  }

  private ArrayDesiredState.VolumeSpec specOf(String arrayId, String volume) {
    return desired(arrayId).volumes().stream().filter(v -> v.volumeId().toString().equals(volume)).findFirst()
        .orElse(null);
  }

  private String availableVolume(String pool, String name) {
    String v = Api.createVolume(ACME, pool, name, 2);
    events.volumeReported(UUID.fromString(v), VolumeState.AVAILABLE, null);
    return v;
  }

  /** An AVAILABLE volume of {@code pool}, deleted: in the recycle bin. */
  private String binnedVolume(String pool, String name) {
    String volume = availableVolume(pool, name);
    as(ACME).delete("/api/v1/volumes/" + volume).then().statusCode(202);
    return volume;
  }

  @Test
  void aDeletedVolumeIsKeptRestorableAndItsNameIsFree() {
    String array = Api.createArray(ACME, unique("bin"), 2, 0);
    String pool = Api.createPool(ACME, array, "fast");
    String volume = availableVolume(pool, "data");
    Instant before = Instant.now();

    String op = as(ACME).delete("/api/v1/volumes/" + volume).then().statusCode(202).extract()
        .header("Operation-Location");
    as(ACME).get(op).then().body("state", equalTo("SUCCEEDED"));
    String purgeAt = as(ACME).get("/api/v1/volumes/" + volume).then().statusCode(200)
        .body("state", equalTo("RECYCLED"))
        .body("recycledAt", notNullValue())
        .extract().path("purgeAt");
    assertThat(Duration.between(before, Instant.parse(purgeAt))).as("kept seven days by default")
        .isBetween(Duration.ofDays(7), Duration.ofDays(7).plusMinutes(5));
    as(ACME).get("/api/v1/recycle-bin").then().statusCode(200).body("items.id", hasItem(volume));
    as(ACME).queryParam("state", "RECYCLED").get("/api/v1/volumes").then().body("items.id", hasItem(volume));
    assertThat(specOf(array, volume)).as("its data is kept: still in the desired state").isNotNull()
        .extracting(ArrayDesiredState.VolumeSpec::recycled).isEqualTo(true);

    // the engine reporting it READY does not take it out of the bin
    events.volumeReported(UUID.fromString(volume), VolumeState.AVAILABLE, null);
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("RECYCLED"));

    // nothing can be built on a volume in the bin
    String server = Api.createServer(ACME, unique("srv"));
    as(ACME).body(Map.of("volumeId", volume, "serverId", server)).post("/api/v1/attachments")
        .then().statusCode(409);
    as(ACME).body(Map.of("volumeId", volume, "name", "s1")).post("/api/v1/snapshots").then().statusCode(409);

    // another tenant neither sees nor restores it
    as(GLOBEX).get("/api/v1/recycle-bin").then().body("items.id", not(hasItem(volume)));
    as(GLOBEX).post("/api/v1/recycle-bin/" + volume + "/restore").then().statusCode(404);

    // its name is free for a new volume; restoring it under that name is a clear 409
    availableVolume(pool, "data");
    as(ACME).post("/api/v1/recycle-bin/" + volume + "/restore").then().statusCode(409)
        .body("type", containsString("name-taken"))
        .body("errors[0].field", equalTo("name"));
    as(ACME).body(Map.of("name", "Not A Name")).post("/api/v1/recycle-bin/" + volume + "/restore")
        .then().statusCode(400);

    as(ACME).body(Map.of("name", "data-restored")).post("/api/v1/recycle-bin/" + volume + "/restore")
        .then().statusCode(200)
        .body("state", equalTo("AVAILABLE"))
        .body("name", equalTo("data-restored"))
        .body("recycledAt", nullValue())
        .body("purgeAt", nullValue());
    assertThat(specOf(array, volume).recycled()).isFalse();
    as(ACME).get("/api/v1/recycle-bin").then().body("items.id", not(hasItem(volume)));
    // restoring what is not in the bin
    as(ACME).post("/api/v1/recycle-bin/" + volume + "/restore").then().statusCode(404);
  }

  @Test
  void theVolumeIsPurgedOnceItsTimeIsOver() {
    String array = Api.createArray(ACME, unique("purge"), 2, 0);
    String pool = Api.createPool(ACME, array, "fast");
    String volume = binnedVolume(pool, "old");

    purger.purgeDue(Instant.now().plus(Duration.ofDays(6)));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("RECYCLED"));
    as(ACME).delete("/api/v1/pools/" + pool).then().statusCode(409)
        .body("detail", containsString("recycle bin"));

    assertThat(purger.purgeDue(Instant.now().plus(Duration.ofDays(7)).plusSeconds(60))).isGreaterThanOrEqualTo(1);
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("DELETING"));
    assertThat(specOf(array, volume)).as("out of the desired state: the engine releases its data").isNull();
    events.volumeReported(UUID.fromString(volume), VolumeState.DELETED, null);
    as(ACME).get("/api/v1/volumes/" + volume).then().statusCode(404);
    as(ACME).delete("/api/v1/pools/" + pool).then().statusCode(204);
  }

  @Test
  void aTenantPurgesAtOnce() {
    String pool = Api.createPool(ACME, Api.createArray(ACME, unique("now"), 2, 0), "fast");
    String volume = binnedVolume(pool, "gone");
    String op = as(ACME).delete("/api/v1/recycle-bin/" + volume).then().statusCode(202).extract()
        .header("Operation-Location");
    as(ACME).get(op).then().body("state", equalTo("PENDING"));
    as(ACME).get("/api/v1/volumes/" + volume).then().body("state", equalTo("DELETING"));
    events.volumeReported(UUID.fromString(volume), VolumeState.DELETED, null);
    as(ACME).get(op).then().body("state", equalTo("SUCCEEDED"));
    as(ACME).delete("/api/v1/recycle-bin/" + volume).then().statusCode(404);
  }
}
