package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.OPS;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;

/**
 * No N+1 queries: the number of SQL statements a list request runs does not grow with the
 * number of items on the page (Hibernate statistics, enabled in the test profile).
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class StatementCountTest {
  @Inject SessionFactory sessionFactory;

  private long statementsFor(String path) {
    return statementsFor(ACME, path);
  }

  private long statementsFor(String user, String path) {
    as(user).get(path).then().statusCode(200); // warm: token check, tenant cache
    Statistics stats = sessionFactory.getStatistics();
    stats.clear();
    as(user).get(path).then().statusCode(200);
    return stats.getPrepareStatementCount();
  }

  @Test
  void theOperatorsFleetViewIsOneStatementPerPage() {
    Api.roomyQuota("acme");
    Api.roomyQuota("globex");
    Api.onlineNodes(8, 32, 4, 8);
    for (int i = 0; i < 2; i++) {
      String array = Api.createArray(ACME, unique("fleet"), 2, 1);
      Api.createVolume(ACME, Api.createPool(ACME, array, "p"), "v", 1);
    }
    long few = statementsFor(OPS, "/api/v1/admin/arrays?limit=500");
    for (int i = 0; i < 6; i++) {
      Api.createArray(Api.GLOBEX, unique("fleet"), 0, 1);
    }
    long many = statementsFor(OPS, "/api/v1/admin/arrays?limit=500");
    assertThat(few).isEqualTo(1);
    assertThat(many).isEqualTo(1);
  }

  @Test
  void listingVolumesAndAttachmentsCostsAFixedNumberOfStatements() {
    Api.onlineNodes(8, 32, 4, 0);
    String array = Api.createArray(ACME, unique("count"), 2, 0);
    String pool = Api.createPool(ACME, array, "p");
    String server = Api.createServer(ACME, unique("count"));
    for (int i = 0; i < 3; i++) {
      String v = Api.createVolume(ACME, pool, "few-" + i, 1);
      as(ACME).body(Map.of("volumeId", v, "serverId", server)).post("/api/v1/attachments").then().statusCode(201);
    }
    long volumesFew = statementsFor("/api/v1/volumes?poolId=" + pool);
    long attachmentsFew = statementsFor("/api/v1/attachments?serverId=" + server);
    for (int i = 0; i < 20; i++) {
      String v = Api.createVolume(ACME, pool, "many-" + i, 1);
      as(ACME).body(Map.of("volumeId", v, "serverId", server)).post("/api/v1/attachments").then().statusCode(201);
    }
    long volumesMany = statementsFor("/api/v1/volumes?poolId=" + pool);
    long attachmentsMany = statementsFor("/api/v1/attachments?serverId=" + server);

    assertThat(List.of(volumesFew, volumesMany)).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
    assertThat(volumesMany).isEqualTo(volumesFew);
    // attachments: the page, then arrays, servers and nodes in one query each
    assertThat(attachmentsMany).isEqualTo(attachmentsFew).isLessThanOrEqualTo(5);
  }

  /**
   * A create is on every tenant's hot path and runs under the tenant's quota lock, so every
   * statement in it is time other creates of that tenant wait: it stays a fixed, small number.
   */
  @Test
  void aVolumeCreateRunsAFixedNumberOfStatements() {
    Api.onlineNodes(8, 32, 4, 0);
    String pool = Api.createPool(ACME, Api.createArray(ACME, unique("create"), 2, 0), "p");
    Api.createVolume(ACME, pool, "warm", 1);
    Statistics stats = sessionFactory.getStatistics();
    stats.clear();
    Api.createVolume(ACME, pool, "measured", 1);
    long statements = stats.getPrepareStatementCount();
    System.out.println("a volume create prepared " + statements + " statements");
    // 12 (2026-12-07): the array's next desired generation and the database's clock for the
    // operation's start (one clock for every replica, docs/replicas.md U1) added two to ten;
    // 11 since the operation takes its start from the generation's update (one clock read)
    assertThat(statements).isLessThanOrEqualTo(11);
  }
}
