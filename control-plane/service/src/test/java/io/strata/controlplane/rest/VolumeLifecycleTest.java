package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.OutboxMessage;
import io.strata.controlplane.domain.Server;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.security.SecretBox;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant's path through the API against the real PostgreSQL and Keycloak: array, pool, volume,
 * server, attachment; the node's reports enter through {@link ProvisioningEvents} (the seam the
 * Kafka consumer of the provisioning work calls).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class VolumeLifecycleTest {
  @Inject ProvisioningEvents events;
  @Inject SecretBox secrets;
  @Inject ObjectMapper json;
  @Inject io.strata.controlplane.outbox.CommandOutbox outbox;

  private static boolean nodesEnrolled;

  @BeforeEach
  void nodes() {
    if (!nodesEnrolled) {
      Api.onlineNodes(6, 24, 6, 5);
      nodesEnrolled = true;
    }
  }

  @Test
  void arrayIsPlacedWithItsDrivesPortalAndACommandInTheOutbox() throws Exception {
    String name = unique("vpsa");
    Response created =
        as(ACME).body(Map.of("name", name, "engineSize", "E01", "ssdDrives", 2, "hddDrives", 2))
            .post("/api/v1/arrays");
    created.then().statusCode(201)
        .header("Location", containsString("/api/v1/arrays/"))
        .body("state", equalTo("PROVISIONING"))
        .body("targetIqn", equalTo("iqn.2026-11.io.strata:acme." + name))
        .body("portal", startsWith("127.0.0."))
        .body("vcpus", equalTo(1));
    String id = created.path("id");

    // the two SSDs were spread over both nodes (spread NODE is the default)
    List<String> drives = as(ACME).get("/api/v1/arrays/" + id + "/drives").then().statusCode(200)
        .extract().path("driveId");
    assertThat(drives).hasSize(4);

    OutboxMessage command = QuarkusTransaction.requiringNew().call(() ->
        OutboxMessage.<OutboxMessage>find("subject = ?1 order by createdAt", "array/" + id).firstResult());
    assertThat(command).isNotNull();
    assertThat(command.type).isEqualTo("io.strata.command.array.changed");
    assertThat(command.publishedAt).isNull();
    assertThat(json.readTree(command.payload).get("arrayId").asText()).isEqualTo(id);
    // what the relay will publish for it: the array's desired state, built when it publishes
    JsonNode payload = json.valueToTree(
        QuarkusTransaction.requiringNew().call(() -> outbox.desiredStateNow(UUID.fromString(id))));
    assertThat(payload.get("present").asBoolean()).isTrue();
    assertThat(payload.get("drives")).hasSize(4);

    // the node reports the engine online; the operation completes
    events.arrayReported(UUID.fromString(id), ArrayState.ONLINE, null);
    as(ACME).get("/api/v1/arrays/" + id).then().statusCode(200).body("state", equalTo("ONLINE"));
    as(ACME).queryParam("targetId", id).get("/api/v1/operations").then().statusCode(200)
        .body("items[0].state", equalTo("SUCCEEDED")).body("items[0].kind", equalTo("array.create"));
  }

  @Test
  void createWithTheSameIdempotencyKeyReturnsTheFirstResult() {
    String key = UUID.randomUUID().toString();
    Map<String, Object> body = Map.of("name", unique("idem"), "engineSize", "E01", "hddDrives", 1);
    String first = as(ACME).header("Idempotency-Key", key).body(body).post("/api/v1/arrays")
        .then().statusCode(201).extract().path("id");
    Response again = as(ACME).header("Idempotency-Key", key).body(body).post("/api/v1/arrays");
    again.then().statusCode(201).header("Idempotent-Replayed", "true").body("id", equalTo(first));
    as(ACME).queryParam("name", body.get("name")).get("/api/v1/arrays").then().body("items.size()", equalTo(1));

    as(ACME).header("Idempotency-Key", key).body(Map.of("name", unique("other"), "engineSize", "E01", "hddDrives", 1))
        .post("/api/v1/arrays")
        .then().statusCode(422).contentType("application/problem+json")
        .body("type", equalTo("https://strata.io/problems/idempotency-key-reused"));
  }

  @Test
  void retriesSentWhileTheOriginalIsStillBeingCreatedAllGetTheOriginalsAnswer() throws Exception {
    // a client that timed out sends again at once, several times, while its first create runs
    String key = UUID.randomUUID().toString();
    Map<String, Object> body = Map.of("name", unique("race"), "engineSize", "E01", "hddDrives", 1);
    int attempts = 6;
    var ready = new java.util.concurrent.CyclicBarrier(attempts);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(attempts);
    try {
      List<java.util.concurrent.Future<Response>> sent = new java.util.ArrayList<>();
      for (int i = 0; i < attempts; i++) {
        sent.add(pool.submit(() -> {
          ready.await();
          return as(ACME).header("Idempotency-Key", key).body(body).post("/api/v1/arrays");
        }));
      }
      Set<String> ids = new HashSet<>();
      int replayed = 0;
      for (var answer : sent) {
        Response r = answer.get();
        assertThat(r.statusCode()).as("%s", r.asString()).isEqualTo(201);
        ids.add(r.path("id"));
        replayed += "true".equals(r.header("Idempotent-Replayed")) ? 1 : 0;
      }
      assertThat(ids).as("one array, every answer naming it").hasSize(1);
      assertThat(replayed).isEqualTo(attempts - 1);
      as(ACME).queryParam("name", body.get("name")).get("/api/v1/arrays").then().body("items.size()", equalTo(1));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void volumeResizeNeedsIfMatchGrowsOnlyAndIllegalRequestsGet409() {
    String array = Api.createArray(ACME, unique("vol"), 2, 0);
    String pool = Api.createPool(ACME, array, "fast");
    as(ACME).get("/api/v1/pools/" + pool).then().body("capacityGib", equalTo(960));
    String volume = Api.createVolume(ACME, pool, "data", 100);

    // still CREATING: a resize is an illegal transition
    Response creating = as(ACME).get("/api/v1/volumes/" + volume);
    creating.then().body("state", equalTo("CREATING")).header("ETag", notNullValue());
    as(ACME).header("If-Match", creating.header("ETag")).body(Map.of("sizeGib", 200))
        .patch("/api/v1/volumes/" + volume)
        .then().statusCode(409).body("type", equalTo("https://strata.io/problems/illegal-state"))
        .body("state", equalTo("CREATING")).body("requestedState", equalTo("RESIZING"));

    events.volumeReported(UUID.fromString(volume), VolumeState.AVAILABLE, null);
    Response available = as(ACME).get("/api/v1/volumes/" + volume);
    String etag = available.header("ETag");

    as(ACME).body(Map.of("sizeGib", 200)).patch("/api/v1/volumes/" + volume)
        .then().statusCode(428).body("type", equalTo("https://strata.io/problems/if-match-required"));
    as(ACME).header("If-Match", "\"999\"").body(Map.of("sizeGib", 200)).patch("/api/v1/volumes/" + volume)
        .then().statusCode(412).body("currentEtag", equalTo(etag));
    as(ACME).header("If-Match", etag).body(Map.of("sizeGib", 50)).patch("/api/v1/volumes/" + volume)
        .then().statusCode(409).body("type", equalTo("https://strata.io/problems/shrink-not-allowed"))
        .body("detail", containsString("sizeGib"));
    Response grown = as(ACME).header("If-Match", etag).body(Map.of("sizeGib", 200, "qosIopsLimit", 5000))
        .patch("/api/v1/volumes/" + volume);
    grown.then().statusCode(202).body("state", equalTo("RESIZING")).body("sizeGib", equalTo(200))
        .body("qosIopsLimit", equalTo(5000)).header("Operation-Location", containsString("/api/v1/operations/"));
    assertThat(grown.header("ETag")).isNotEqualTo(etag);
    // the old ETag is stale now
    as(ACME).header("If-Match", etag).body(Map.of("qosIopsLimit", 0)).patch("/api/v1/volumes/" + volume)
        .then().statusCode(412);
  }

  /** The volume's entry in the array's desired state, which the relay publishes (DesiredStateTierPinTest). */
  JsonNode desiredVolume(String arrayId, String volumeId) {
    var state = QuarkusTransaction.requiringNew().call(() -> outbox.desiredStateNow(UUID.fromString(arrayId)));
    return json.valueToTree(state.volumes().stream()
        .filter(v -> v.volumeId().toString().equals(volumeId)).findFirst().orElseThrow());
  }

  @Test
  void aTierPinIsValidatedStoredShownChangedAndCarriedInTheDesiredState() {
    // spread NONE: the tier SSD must be on the engine's node, where spread NONE keeps every drive
    String array = as(ACME).body(Map.of("name", unique("pin"), "engineSize", "E01", "spread", "NONE", "ssdDrives", 1,
            "hddDrives", 4))
        .post("/api/v1/arrays").then().statusCode(201).extract().path("id");
    String tiered = as(ACME).body(Map.of("arrayId", array, "name", "tiered", "driveType", "HDD", "protection", "RAID1",
            "driveCount", 2, "tiering", true))
        .post("/api/v1/pools").then().statusCode(201).extract().path("id");
    String plain = as(ACME).body(Map.of("arrayId", array, "name", "plain", "driveType", "HDD", "protection", "RAID1",
            "driveCount", 2))
        .post("/api/v1/pools").then().statusCode(201).extract().path("id");

    // validation: a value that is no tier, and a pin on a pool without tiering, name the field
    as(ACME).body(Map.of("poolId", tiered, "name", "bad", "sizeGib", 10, "tierPin", "FAST")).post("/api/v1/volumes")
        .then().statusCode(400).body("errors[0].field", equalTo("tierPin"))
        .body("detail", containsString("one of [SSD, HDD]"));
    as(ACME).body(Map.of("poolId", plain, "name", "bad", "sizeGib", 10, "tierPin", "SSD")).post("/api/v1/volumes")
        .then().statusCode(422).body("errors[0].field", equalTo("tierPin"))
        .body("detail", equalTo("tierPin: pool 'plain' has no tiering (only a pool created with \"tiering\": true has an"
            + " SSD and an HDD tier to pin to); leave tierPin out or null"));

    // round trip: stored, shown, in the desired state; unpinned volumes carry null
    Response pinned = as(ACME).body(Map.of("poolId", tiered, "name", "hot", "sizeGib", 10, "tierPin", "SSD"))
        .post("/api/v1/volumes");
    pinned.then().statusCode(201).body("tierPin", equalTo("SSD"));
    String volume = pinned.path("id");
    String unpinned = Api.createVolume(ACME, plain, "any", 10);
    as(ACME).get("/api/v1/volumes/" + volume).then().body("tierPin", equalTo("SSD"));
    as(ACME).get("/api/v1/volumes/" + unpinned).then().body("tierPin", nullValue());
    assertThat(desiredVolume(array, volume).get("tierPin").asText()).isEqualTo("SSD");
    assertThat(desiredVolume(array, unpinned).get("tierPin").isNull()).isTrue();

    // changed by PATCH (to HDD, then NONE unpins), and refused on a pool without tiering
    events.volumeReported(UUID.fromString(volume), VolumeState.AVAILABLE, null);
    events.volumeReported(UUID.fromString(unpinned), VolumeState.AVAILABLE, null);
    String etag = as(ACME).get("/api/v1/volumes/" + volume).header("ETag");
    Response moved = as(ACME).header("If-Match", etag).body(Map.of("tierPin", "HDD")).patch("/api/v1/volumes/" + volume);
    moved.then().statusCode(200).body("tierPin", equalTo("HDD")).body("state", equalTo("AVAILABLE"));
    assertThat(desiredVolume(array, volume).get("tierPin").asText()).isEqualTo("HDD");
    as(ACME).header("If-Match", moved.header("ETag")).body(Map.of("tierPin", "NONE")).patch("/api/v1/volumes/" + volume)
        .then().statusCode(200).body("tierPin", nullValue());
    assertThat(desiredVolume(array, volume).get("tierPin").isNull()).isTrue();
    String plainEtag = as(ACME).get("/api/v1/volumes/" + unpinned).header("ETag");
    as(ACME).header("If-Match", plainEtag).body(Map.of("tierPin", "HDD")).patch("/api/v1/volumes/" + unpinned)
        .then().statusCode(422).body("errors[0].field", equalTo("tierPin"));
    as(ACME).get("/api/v1/volumes/" + unpinned).then().body("tierPin", nullValue());
  }

  @Test
  void attachmentGivesConnectionDetailsAndBlocksDeletingTheVolume() {
    String array = Api.createArray(ACME, unique("att"), 2, 0);
    String pool = Api.createPool(ACME, array, "fast");
    String volume = Api.createVolume(ACME, pool, "db", 10);
    String serverName = unique("web");
    String server = Api.createServer(ACME, serverName);

    Response attached = as(ACME).body(Map.of("volumeId", volume, "serverId", server)).post("/api/v1/attachments");
    attached.then().statusCode(201)
        .body("lun", equalTo(0))
        .body("state", equalTo("ATTACHING"))
        .body("connection.targetIqn", startsWith("iqn.2026-11.io.strata:acme.att-"))
        .body("connection.portals[0]", startsWith("127.0.0."))
        .body("connection.initiatorIqn", equalTo("iqn.2026-11.example.cloud:" + serverName))
        .body("connection.authMethod", equalTo("CHAP"))
        .body("connection.chapUser", equalTo(serverName + "-user"))
        .body("connection.chapSecret", nullValue());

    as(ACME).delete("/api/v1/volumes/" + volume)
        .then().statusCode(409).body("type", equalTo("https://strata.io/problems/volume-attached"))
        .body("reason", equalTo("attached"));

    // a second server: the volume is not multi-attach
    String other = Api.createServer(ACME, unique("web"));
    as(ACME).body(Map.of("volumeId", volume, "serverId", other)).post("/api/v1/attachments")
        .then().statusCode(409).body("type", equalTo("https://strata.io/problems/multi-attach-not-allowed"));

    // deleting the array while it has volumes is refused; detaching then works
    as(ACME).delete("/api/v1/arrays/" + array).then().statusCode(409)
        .body("type", equalTo("https://strata.io/problems/array-has-volumes"));
    as(ACME).delete("/api/v1/attachments/" + attached.path("id")).then().statusCode(202)
        .body("state", equalTo("DETACHING"));
  }

  @Test
  void attachingToADeletingArrayIsRefused() {
    String array = Api.createArray(ACME, unique("del"), 2, 0);
    String pool = Api.createPool(ACME, array, "fast");
    String volume = Api.createVolume(ACME, pool, "v", 10);
    String server = Api.createServer(ACME, unique("srv"));
    events.volumeReported(UUID.fromString(volume), VolumeState.AVAILABLE, null);
    as(ACME).delete("/api/v1/volumes/" + volume).then().statusCode(202);
    as(ACME).delete("/api/v1/recycle-bin/" + volume).then().statusCode(202); // purged now, not in 7 days
    events.volumeReported(UUID.fromString(volume), VolumeState.DELETED, null);
    as(ACME).get("/api/v1/volumes/" + volume).then().statusCode(404);
    as(ACME).delete("/api/v1/pools/" + pool).then().statusCode(204);
    as(ACME).delete("/api/v1/arrays/" + array).then().statusCode(202);
    as(ACME).get("/api/v1/arrays/" + array).then().body("state", equalTo("DELETING"));

    as(ACME).body(Map.of("arrayId", array, "name", "late", "driveType", "SSD", "protection", "RAID1", "driveCount", 2))
        .post("/api/v1/pools")
        .then().statusCode(409).body("type", equalTo("https://strata.io/problems/array-not-accepting"))
        .body("detail", containsString("DELETING"));

    events.arrayReported(UUID.fromString(array), ArrayState.DELETED, null);
    as(ACME).get("/api/v1/arrays/" + array + "/drives").then().statusCode(200).body("size()", equalTo(0));
    as(ACME).queryParam("state", "DELETED").get("/api/v1/arrays")
        .then().body("items.id", hasItem(array));
    assertThat(server).isNotNull();
  }

  @Test
  void chapSecretsAreSealedAtRestAndNeverReturned() {
    String name = unique("chap");
    String id = as(ACME)
        .body(Map.of("name", name, "iqn", "iqn.2026-11.example.cloud:" + name,
            "chapUser", "u1", "chapSecret", "twelve-chars-secret", "mutualChapUser", "t1",
            "mutualChapSecret", "another-secret-42"))
        .post("/api/v1/servers")
        .then().statusCode(201).body("chapSecret", nullValue()).body("mutualChapUser", equalTo("t1"))
        .extract().path("id");
    Server row = QuarkusTransaction.requiringNew().call(() -> Server.<Server>findById(UUID.fromString(id)));
    assertThat(row.chapSecretSealed).doesNotContain("twelve-chars-secret").startsWith("dev1:");
    assertThat(secrets.open(row.chapSecretSealed)).isEqualTo("twelve-chars-secret");
    assertThat(secrets.open(row.mutualChapSecretSealed)).isEqualTo("another-secret-42");
    assertThat(as(ACME).get("/api/v1/servers/" + id).asString()).doesNotContain("secret");
  }

  @Test
  void validationErrorsNameTheFields() {
    as(ACME).body(Map.of("name", "Bad Name!", "engineSize", "E01", "ssdDrives", -1)).post("/api/v1/arrays")
        .then().statusCode(400).contentType("application/problem+json")
        .body("errors.field", org.hamcrest.Matchers.containsInAnyOrder("name", "ssdDrives"));
    as(ACME).body(Map.of("name", "ok", "engineSize", "HUGE")).post("/api/v1/arrays")
        .then().statusCode(400).body("errors[0].field", equalTo("engineSize"))
        .body("errors[0].message", containsString("E01"));
    as(ACME).body("{\"name\": ").post("/api/v1/arrays").then().statusCode(400)
        .body("type", equalTo("https://strata.io/problems/invalid-request"));
    as(ACME).body(Map.of("poolId", UUID.randomUUID().toString(), "name", "v")).post("/api/v1/volumes")
        .then().statusCode(400).body("errors.field", hasItem("sizeGib"));
    as(ACME).get("/api/v1/volumes?limit=0").then().statusCode(400).body("errors[0].field", equalTo("limit"));
    as(ACME).get("/api/v1/volumes?cursor=@@@").then().statusCode(400).body("errors[0].field", equalTo("cursor"));
    as(ACME).get("/api/v1/volumes/not-a-uuid").then().statusCode(400).contentType("application/problem+json")
        .body("errors[0].field", equalTo("id"));
  }

  @Test
  void placementFailureNamesTheShortResourceAndLeavesNothingBehind() {
    String name = unique("big");
    as(ACME).body(Map.of("name", name, "engineSize", "E08", "hddDrives", 1)).post("/api/v1/arrays")
        .then().statusCode(409).body("type", equalTo("https://strata.io/problems/placement-failed"))
        .body("shortResource", equalTo("vcpu"));
    as(ACME).queryParam("name", name).get("/api/v1/arrays").then().body("items.size()", equalTo(0));
  }

  @Test
  void listsArePagedWithCursorsAndFiltered() {
    Set<String> made = new HashSet<>();
    String prefix = unique("page");
    for (int i = 0; i < 5; i++) {
      made.add(Api.createServer(ACME, prefix + "-" + i));
    }
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      var req = as(ACME).queryParam("limit", 2);
      if (cursor != null) {
        req.queryParam("cursor", cursor);
      }
      Response page = req.get("/api/v1/servers");
      page.then().statusCode(200);
      List<String> ids = page.path("items.id");
      assertThat(ids.size()).isLessThanOrEqualTo(2);
      for (String id : ids) {
        assertThat(seen.add(id)).as("no item twice").isTrue();
      }
      cursor = page.path("nextCursor");
      pages++;
    } while (cursor != null && pages < 1000);
    assertThat(seen).containsAll(made);

    String oneIqn = "iqn.2026-11.example.cloud:" + prefix + "-3";
    as(ACME).queryParam("iqn", oneIqn).get("/api/v1/servers").then()
        .body("items.size()", equalTo(1)).body("items[0].iqn", equalTo(oneIqn));
  }
}
