package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.Server;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.security.SecretBox;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.testsupport.CapturedLog;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * No CHAP secret reaches the log, neither in clear nor sealed: real flows (servers with CHAP and
 * mutual CHAP, a duplicate name, new credentials, an attachment whose desired state carries the
 * sealed secrets, and a unique-name conflict caught by the database itself, where Hibernate logs
 * the failed INSERT) run with the log captured, then the log is searched for every secret and
 * every sealed value as stored (whole, and its base64 part).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class NoSecretsInLogsTest {
  @Inject ProvisioningEvents events;
  @Inject SecretBox box;

  @Test
  void theLogOfRealFlowsHoldsNoSecretSealedOrNot() {
    Api.onlineNodes(8, 32, 6, 4);
    Api.roomyQuota("acme");
    List<String> secrets = new ArrayList<>();
    List<UUID> servers = new ArrayList<>();
    try (CapturedLog log = CapturedLog.start()) {
      String array = Api.createArray(ACME, unique("logs"), 4, 1);
      events.arrayReported(UUID.fromString(array), ArrayState.ONLINE, null);
      String pool = Api.createPool(ACME, array, "fast");
      String volume = Api.createVolume(ACME, pool, "vol", 10);
      events.volumeReported(UUID.fromString(volume), VolumeState.AVAILABLE, null);

      String name = unique("srv");
      String chap = secret(secrets);
      String mutual = secret(secrets);
      String server = as(ACME).body(Map.of("name", name, "iqn", "iqn.2026-11.example.cloud:" + name,
              "chapUser", "u-" + name, "chapSecret", chap, "mutualChapUser", "m-" + name, "mutualChapSecret", mutual))
          .post("/api/v1/servers").then().statusCode(201).extract().path("id");
      servers.add(UUID.fromString(server));

      // the same name again: refused before the INSERT
      as(ACME).body(Map.of("name", name, "iqn", "iqn.2026-11.example.cloud:other-" + name,
              "chapUser", "u2", "chapSecret", secret(secrets)))
          .post("/api/v1/servers").then().statusCode(409);
      // bad requests carrying secrets
      as(ACME).body(Map.of("name", "Not A Name", "iqn", "iqn.2026-11.example.cloud:x",
              "chapUser", "u3", "chapSecret", secret(secrets)))
          .post("/api/v1/servers").then().statusCode(allOf(greaterThanOrEqualTo(400), lessThan(500)));
      as(ACME).body(Map.of("name", unique("srv"), "iqn", "iqn.2026-11.example.cloud:y",
              "chapSecret", secret(secrets)))
          .post("/api/v1/servers").then().statusCode(allOf(greaterThanOrEqualTo(400), lessThan(500)));

      // new credentials, then an attachment: the desired state carries the sealed secrets
      String etag = as(ACME).get("/api/v1/servers/" + server).then().statusCode(200).extract().header("ETag");
      as(ACME).header("If-Match", etag)
          .body(Map.of("chapUser", "u-" + name, "chapSecret", secret(secrets),
              "mutualChapUser", "m-" + name, "mutualChapSecret", secret(secrets)))
          .put("/api/v1/servers/" + server + "/credentials").then().statusCode(200);
      as(ACME).body(Map.of("volumeId", volume, "serverId", server))
          .post("/api/v1/attachments").then().statusCode(201);

      // a unique-name conflict the database itself finds (two requests racing past the check)
      UUID tenant = QuarkusTransaction.requiringNew().call(() -> Server.<Server>findById(UUID.fromString(server)).tenantId);
      String racingSealed = box.seal(secret(secrets));
      assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
        Server twin = new Server();
        twin.id = UUID.randomUUID();
        twin.tenantId = tenant;
        twin.name = name;
        twin.iqn = "iqn.2026-11.example.cloud:twin-" + name;
        twin.chapUser = "twin";
        twin.chapSecretSealed = racingSealed;
        twin.createdAt = Instant.now();
        twin.persist();
      })).hasStackTraceContaining("server_tenant_id_name_key");

      List<String> sealed = new ArrayList<>(QuarkusTransaction.requiringNew().call(() -> storedSealedValues(servers)));
      assertThat(sealed).as("the sealed values as stored").hasSize(2).doesNotContainNull();
      sealed.add(racingSealed);
      String text = log.text();
      assertThat(text).as("the database's conflict was logged").contains("server_tenant_id_name_key");
      for (String s : secrets) {
        assertThat(text).as("a CHAP secret in the log").doesNotContain(s);
      }
      for (String s : sealed) {
        assertThat(text).as("a sealed CHAP secret in the log").doesNotContain(s)
            .doesNotContain(s.substring(s.indexOf(':') + 1));
      }
    }
  }

  /** The sealed values as stored in the servers' rows (the desired states carry the same values). */
  private static List<String> storedSealedValues(List<UUID> servers) {
    List<String> sealed = new ArrayList<>();
    for (UUID id : servers) {
      Server s = Server.findById(id);
      sealed.add(s.chapSecretSealed);
      sealed.add(s.mutualChapSecretSealed);
    }
    return sealed;
  }

  private static String secret(List<String> secrets) {
    String s = "chap-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    secrets.add(s);
    return s;
  }
}
