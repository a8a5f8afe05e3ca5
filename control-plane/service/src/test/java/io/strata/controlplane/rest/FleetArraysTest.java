package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.GLOBEX;
import static io.strata.controlplane.rest.Api.OPS;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The operator's fleet view of every tenant's arrays: figures, filters, pages, and who may see it. */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class FleetArraysTest {
  @Inject ProvisioningEvents events;

  @Test
  void operatorsSeeEveryTenantsArraysWithTheirFiguresAndFilterAndPageThem() {
    Api.roomyQuota("acme");
    Api.roomyQuota("globex");
    String[] nodes = Api.onlineNodes(8, 32, 4, 4);
    String acmeArray = Api.createArray(ACME, unique("fleet"), 2, 1);
    events.arrayReported(UUID.fromString(acmeArray), ArrayState.ONLINE, null);
    String pool = Api.createPool(ACME, acmeArray, "p");
    Api.createVolume(ACME, pool, "a", 1);
    Api.createVolume(ACME, pool, "b", 1);
    String globexArray = Api.createArray(GLOBEX, unique("fleet"), 0, 1);

    JsonPath acme = as(OPS).queryParam("tenant", "acme").queryParam("limit", 500).get("/api/v1/admin/arrays")
        .then().statusCode(200).extract().jsonPath();
    Map<String, Object> row = acme.getMap("items.find { it.id == '" + acmeArray + "' }");
    assertThat(row).containsEntry("tenantAlias", "acme").containsEntry("state", "ONLINE")
        .containsEntry("engineSize", "E01").containsEntry("ssdDrives", 2).containsEntry("hddDrives", 1)
        .containsEntry("capacityGib", 2 * 960 + 4000).containsEntry("volumes", 2);
    assertThat(List.of(nodes)).contains((String) row.get("nodeId"));
    assertThat(row.get("nodeName")).isNotNull();
    assertThat(acme.getList("items.tenantAlias", String.class)).containsOnly("acme").hasSizeGreaterThanOrEqualTo(1);
    assertThat(acme.getList("items.id", String.class)).doesNotContain(globexArray);

    // both tenants are in the unfiltered view; state and node filter
    List<String> all = pageThrough("/api/v1/admin/arrays", 1);
    assertThat(all).contains(acmeArray, globexArray).doesNotHaveDuplicates();
    as(OPS).queryParam("state", "PROVISIONING").queryParam("limit", 500).get("/api/v1/admin/arrays").then()
        .statusCode(200).body("items.state", org.hamcrest.Matchers.everyItem(equalTo("PROVISIONING")))
        .body("items.id", org.hamcrest.Matchers.hasItem(globexArray))
        .body("items.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(acmeArray)));
    as(OPS).queryParam("nodeId", row.get("nodeId")).queryParam("limit", 500).get("/api/v1/admin/arrays").then()
        .statusCode(200).body("items.nodeId", org.hamcrest.Matchers.everyItem(equalTo(row.get("nodeId"))));
    as(OPS).queryParam("limit", 0).get("/api/v1/admin/arrays").then().statusCode(400);

    // tenants, admins or members, are not operators
    for (String user : List.of(ACME, Api.ACME_VIEWER, GLOBEX)) {
      as(user).get("/api/v1/admin/arrays").then().statusCode(403);
    }
  }

  /** Follows nextCursor with pages of {@code limit}; returns every id seen. */
  private static List<String> pageThrough(String path, int limit) {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    do {
      var spec = as(OPS).queryParam("limit", limit);
      if (cursor != null) {
        spec.queryParam("cursor", cursor);
      }
      JsonPath page = spec.get(path).then().statusCode(200).extract().jsonPath();
      assertThat(page.getList("items")).hasSizeLessThanOrEqualTo(limit);
      ids.addAll(page.getList("items.id", String.class));
      cursor = page.getString("nextCursor");
    } while (cursor != null);
    return ids;
  }
}
