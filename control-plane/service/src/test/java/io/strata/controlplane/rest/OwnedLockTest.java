package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.service.Owned;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A tenant's change that locks its array must not fail because a node's report changed the
 * array's row after the request read it (seen as a 409 "concurrent-modification" on a volume
 * create, right after the pool's READY report moved the array).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class OwnedLockTest {

  @Test
  void aRowChangedBetweenReadAndLockIsLockedAsItIsNow() {
    Api.onlineNodes(6, 24, 6, 5);
    UUID id = UUID.fromString(as(ACME).body(Map.of("name", unique("lock"), "engineSize", "E01", "ssdDrives", 2,
        "hddDrives", 0)).post("/api/v1/arrays").then().statusCode(201).extract().path("id"));
    UUID tenant = QuarkusTransaction.requiringNew().call(() -> StorageArray.<StorageArray>findById(id).tenantId);

    String seen = QuarkusTransaction.requiringNew().call(() -> {
      Owned.find(StorageArray.class, "array", tenant, id); // the request reads the array first
      // meanwhile a node's report changes the row, in its own transaction
      CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
        StorageArray reported = StorageArray.findById(id);
        reported.failureReason = "a report in between";
        reported.updatedAt = Instant.now();
      })).join();
      StorageArray locked = Owned.lock(StorageArray.class, "array", tenant, id);
      locked.updatedAt = Instant.now(); // the request's own change, flushed at commit
      return locked.failureReason;
    });

    assertThat(seen).as("the lock reads the row as the report left it").isEqualTo("a report in between");
  }
}
