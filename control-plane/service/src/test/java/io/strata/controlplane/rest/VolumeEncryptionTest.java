package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.VolumeKeyStatus;
import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.kms.PyKmipTestResource;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.kmip.KeyState;
import io.strata.kmip.KmipClient;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code encrypted} on volume create against a real PyKMIP server: validated, stored and shown;
 * the tenant's KEK is made and activated in the KMS with its first encrypted volume and reused
 * after; the KEK's id reaches the engine's command (the contracts' desired state); plain volumes
 * and clones behave as docs/encryption.md says.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
@QuarkusTestResource(value = PyKmipTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the first: the tenant has no KEK yet
class VolumeEncryptionTest {
  @Inject CommandOutbox outbox;
  @Inject io.strata.controlplane.provisioning.NodeReports reports;

  private String desiredKek(String arrayId, String volumeId) {
    var state = QuarkusTransaction.requiringNew().call(() -> outbox.desiredStateNow(UUID.fromString(arrayId)));
    var v = state.volumes().stream().filter(x -> x.volumeId().toString().equals(volumeId)).findFirst().orElseThrow();
    return v.kekId(); // DesiredStateEncryptionTest: it becomes the contracts' encryptionKekId

  }

  @Test
  @Order(1)
  void anEncryptedVolumeGetsTheTenantsKekMadeOnceInTheKms() {
    nodes();
    String array = Api.createArray(ACME, unique("enc"), 2, 0);
    String pool = Api.createPool(ACME, array, "p");

    String plain = Api.createVolume(ACME, pool, "plain", 10);
    as(ACME).get("/api/v1/volumes/" + plain).then().statusCode(200)
        .body("encrypted", equalTo(false)).body("keyState", nullValue());
    assertThat(desiredKek(array, plain)).isNull();
    String tenantId = QuarkusTransaction.requiringNew().call(() -> Tenant.byAlias("acme").orElseThrow().id.toString());
    assertThat(kekOfTenant(tenantId)).as("no KEK before the first encrypted volume").isNull();

    String first = as(ACME).body(Map.of("poolId", pool, "name", "secret", "sizeGib", 10, "encrypted", true))
        .post("/api/v1/volumes").then().statusCode(201).body("encrypted", equalTo(true)).extract().path("id");
    String kek = kekOfTenant(tenantId);
    assertThat(kek).isNotBlank();
    try (KmipClient kms = KmipClient.connect(PyKmipTestResource.server().endpoint())) {
      assertThat(kms.state(kek)).isEqualTo(KeyState.ACTIVE);
    }
    assertThat(desiredKek(array, first)).isEqualTo(kek);

    String second = as(ACME).body(Map.of("poolId", pool, "name", "secret2", "sizeGib", 10, "encrypted", true))
        .post("/api/v1/volumes").then().statusCode(201).extract().path("id");
    assertThat(kekOfTenant(tenantId)).as("one KEK per tenant").isEqualTo(kek);
    assertThat(desiredKek(array, second)).isEqualTo(kek);

    // the engine's word on the key is shown on the volume; a plain volume named in it is left alone
    keysReported(array, new VolumeKeyStatus(first, kek, "KMS_UNREACHABLE", "the KMS at 127.0.0.1:5696 cannot be reached"),
        new VolumeKeyStatus(plain, kek, "ACTIVE", null));
    as(ACME).get("/api/v1/volumes/" + first).then().statusCode(200).body("keyState", equalTo("KMS_UNREACHABLE"))
        .body("keyStateReason", equalTo("the KMS at 127.0.0.1:5696 cannot be reached"));
    as(ACME).get("/api/v1/volumes/" + plain).then().body("keyState", nullValue());
    as(ACME).get("/api/v1/volumes/" + second).then().body("keyState", nullValue());
    keysReported(array, new VolumeKeyStatus(first, kek, "ACTIVE", null));
    as(ACME).get("/api/v1/volumes/" + first).then().body("keyState", equalTo("ACTIVE"))
        .body("keyStateReason", nullValue());
  }

  @Test
  void aPoolsDefaultEncryptsItsVolumesThatDoNotSay() {
    nodes();
    String array = Api.createArray(ACME, unique("encpool"), 4, 0);
    String pool = as(ACME).body(Map.of("arrayId", array, "name", "sealed", "driveType", "SSD", "protection", "RAID1",
            "driveCount", 2, "encrypted", true))
        .post("/api/v1/pools").then().statusCode(201).body("encrypted", equalTo(true)).extract().path("id");
    String byDefault = as(ACME).body(Map.of("poolId", pool, "name", "quiet", "sizeGib", 10))
        .post("/api/v1/volumes").then().statusCode(201).body("encrypted", equalTo(true)).extract().path("id");
    assertThat(desiredKek(array, byDefault)).isNotNull();
    String optedOut = as(ACME).body(Map.of("poolId", pool, "name", "open", "sizeGib", 10, "encrypted", false))
        .post("/api/v1/volumes").then().statusCode(201).body("encrypted", equalTo(false)).extract().path("id");
    assertThat(desiredKek(array, optedOut)).isNull();
    String plainPool = Api.createPool(ACME, array, "plain");
    as(ACME).get("/api/v1/pools/" + plainPool).then().body("encrypted", equalTo(false));
  }

  @Test
  void encryptedMustBeABoolean() {
    nodes();
    String array = Api.createArray(ACME, unique("encbad"), 2, 0);
    String pool = Api.createPool(ACME, array, "p");
    as(ACME).body(Map.of("poolId", pool, "name", "bad", "sizeGib", 10, "encrypted", "maybe"))
        .post("/api/v1/volumes").then().statusCode(400).body("errors[0].field", equalTo("encrypted"));
  }

  private static boolean nodesEnrolled;

  private static synchronized void nodes() {
    if (!nodesEnrolled) {
      Api.onlineNodes(6, 24, 6, 5);
      nodesEnrolled = true;
    }
  }

  private void keysReported(String array, VolumeKeyStatus... keys) {
    reports.arrayStatus(new ArrayStatus(array, engineNodeOf(array), 1, ArrayStatus.State.ONLINE, null, null, null,
        null, 0, null, List.of(), null, null, List.of(), "E01", List.of(), List.of(), List.of(keys)));
  }

  private static String engineNodeOf(String array) {
    return QuarkusTransaction.requiringNew().call(() -> io.strata.controlplane.domain.Node
        .<io.strata.controlplane.domain.Node>findById(io.strata.controlplane.domain.StorageArray
            .<io.strata.controlplane.domain.StorageArray>findById(UUID.fromString(array)).nodeId).name);
  }

  private static String kekOfTenant(String tenantId) {
    return QuarkusTransaction.requiringNew().call(() -> Tenant.<Tenant>findById(UUID.fromString(tenantId)).kekId);
  }
}
