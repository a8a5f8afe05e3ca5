package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.AttachmentState;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One LUN map per array (the engine's target), masked per initiator: a volume has one LUN number
 * on its array for every server that sees it, and two volumes of one array never share one. In
 * Java (409 naming the field) and in the database (V3's exclusion constraints).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class LunNumberingTest {
  @Inject ProvisioningEvents events;
  @Inject EntityManager entities;

  private String volume(String pool, String name, boolean multiAttach) {
    String v = as(ACME).body(Map.of("poolId", pool, "name", name, "sizeGib", 1, "multiAttach", multiAttach))
        .post("/api/v1/volumes").then().statusCode(201).extract().path("id");
    events.volumeReported(UUID.fromString(v), VolumeState.AVAILABLE, null);
    return v;
  }

  private Response attach(String volume, String server, Integer lun) {
    Map<String, Object> body = new HashMap<>(Map.of("volumeId", volume, "serverId", server));
    if (lun != null) {
      body.put("lun", lun);
    }
    return as(ACME).body(body).post("/api/v1/attachments");
  }

  @Test
  void aVolumeHasOneLunOnItsArrayAndTwoVolumesNeverShareOne() {
    Api.roomyQuota("acme");
    Api.onlineNodes(8, 32, 4, 0);
    String array = Api.createArray(ACME, unique("lun"), 2, 0);
    events.arrayReported(UUID.fromString(array), ArrayState.ONLINE, null);
    String pool = Api.createPool(ACME, array, "p");
    String shared = volume(pool, "shared", true);
    String second = volume(pool, "second", false);
    String third = volume(pool, "third", false);
    String fourth = volume(pool, "fourth", false);
    String s1 = Api.createServer(ACME, unique("s1"));
    String s2 = Api.createServer(ACME, unique("s2"));
    String s3 = Api.createServer(ACME, unique("s3"));

    // the multi-attached volume is the same LUN for both servers, in the connection details too
    Response a1 = attach(shared, s1, null);
    a1.then().statusCode(201).body("lun", equalTo(0)).body("connection.lun", equalTo(0));
    Response a2 = attach(shared, s2, null);
    a2.then().statusCode(201).body("lun", equalTo(0)).body("connection.lun", equalTo(0))
        .body("connection.targetIqn", equalTo(a1.path("connection.targetIqn")));

    // another volume gets the lowest number no volume of the array holds, for any server
    attach(second, s3, null).then().statusCode(201).body("lun", equalTo(1)).body("connection.lun", equalTo(1));

    // an asked LUN that another volume holds: 409 naming the field
    attach(third, s3, 0).then().statusCode(409).contentType("application/problem+json")
        .body("detail", org.hamcrest.Matchers.startsWith("lun:"))
        .body("reason", equalTo("lun-used-by-another-volume"));
    attach(third, s1, 1).then().statusCode(409).body("reason", equalTo("lun-used-by-another-volume"));
    attach(third, s1, 5).then().statusCode(201).body("lun", equalTo(5));
    // a multi-attached volume asked under another number than it has: 409 naming the field
    attach(shared, s3, 7).then().statusCode(409).body("detail", org.hamcrest.Matchers.startsWith("lun:"))
        .body("reason", equalTo("volume-has-another-lun"));
    attach(shared, s3, 0).then().statusCode(201).body("lun", equalTo(0));

    // a number comes free once its volume is detached everywhere
    String secondsAttachment = as(ACME).queryParam("volumeId", second).get("/api/v1/attachments").then()
        .extract().path("items[0].id");
    as(ACME).delete("/api/v1/attachments/" + secondsAttachment).then().statusCode(202);
    attach(fourth, s1, null).then().statusCode(201).body("lun", equalTo(2)); // 1 is still DETACHING
    events.attachmentReported(UUID.fromString(secondsAttachment), AttachmentState.DETACHED, null);
    String fifth = volume(pool, "fifth", false);
    attach(fifth, s2, null).then().statusCode(201).body("lun", equalTo(1));

    as(ACME).queryParam("serverId", s1).get("/api/v1/attachments").then()
        .body("items.lun", hasItem(0)).body("items.lun", hasItem(5)).body("items.lun", hasItem(2));
  }

  @Test
  void theDatabaseRefusesWhatJavaRefuses() {
    Api.roomyQuota("acme");
    Api.onlineNodes(8, 32, 4, 0);
    String array = Api.createArray(ACME, unique("lundb"), 2, 0);
    events.arrayReported(UUID.fromString(array), ArrayState.ONLINE, null);
    String pool = Api.createPool(ACME, array, "p");
    String one = volume(pool, "one", true);
    String two = volume(pool, "two", false);
    String s1 = Api.createServer(ACME, unique("d1"));
    String s2 = Api.createServer(ACME, unique("d2"));
    attach(one, s1, null).then().statusCode(201).body("lun", equalTo(0));

    // written past the service: another volume under LUN 0, the same volume under LUN 3
    assertThatThrownBy(() -> insertAttachment(array, two, s2, 0))
        .hasStackTraceContaining("attachment_lun_one_volume_per_array");
    assertThatThrownBy(() -> insertAttachment(array, one, s2, 3))
        .hasStackTraceContaining("attachment_one_lun_per_volume");
    // the legal row goes in
    insertAttachment(array, two, s2, 1);
    assertThat(as(ACME).queryParam("volumeId", two).get("/api/v1/attachments").then().extract().<Integer>path("items[0].lun"))
        .isEqualTo(1);
  }

  private void insertAttachment(String array, String volume, String server, int lun) {
    QuarkusTransaction.requiringNew().run(() -> entities.createNativeQuery(
            "insert into attachment (id, tenant_id, volume_id, server_id, array_id, lun, read_only, state, created_at, "
                + "updated_at) select ?1, v.tenant_id, v.id, ?2, v.array_id, ?3, false, 'ATTACHING', now(), now() "
                + "from volume v where v.id = ?4 and v.array_id = ?5")
        .setParameter(1, UUID.randomUUID())
        .setParameter(2, UUID.fromString(server))
        .setParameter(3, lun)
        .setParameter(4, UUID.fromString(volume))
        .setParameter(5, UUID.fromString(array))
        .executeUpdate());
  }
}
