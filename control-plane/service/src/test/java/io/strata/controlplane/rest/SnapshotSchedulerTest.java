package io.strata.controlplane.rest;

import static io.strata.controlplane.rest.Api.ACME;
import static io.strata.controlplane.rest.Api.as;
import static io.strata.controlplane.rest.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.controlplane.domain.AuditEntry;
import io.strata.controlplane.domain.Operation;
import io.strata.controlplane.domain.OutboxMessage;
import io.strata.controlplane.domain.Snapshot;
import io.strata.controlplane.domain.SnapshotPolicy;
import io.strata.controlplane.domain.SnapshotState;
import io.strata.controlplane.domain.VolumeState;
import io.strata.controlplane.service.ProvisioningEvents;
import io.strata.controlplane.service.SnapshotScheduler;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Snapshot policies are executed: due snapshots are taken through the user's path (state machine,
 * outbox command, operation, audit) as "system", snapshots beyond retention are deleted, and two
 * schedulers running at once take a due snapshot once. The clock is the {@code now} handed to
 * {@link SnapshotScheduler#runDue}; the automatic tick is off in tests.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KeycloakTestResource.class)
class SnapshotSchedulerTest {
  @Inject SnapshotScheduler scheduler;
  @Inject ProvisioningEvents events;

  private static String pool;

  @BeforeEach
  void arrayAndPool() {
    if (pool == null) {
      Api.onlineNodes(8, 32, 4, 0);
      pool = Api.createPool(ACME, Api.createArray(ACME, unique("sched"), 2, 0), "p");
    }
  }

  private UUID availableVolume(String name) {
    UUID volume = UUID.fromString(Api.createVolume(ACME, pool, name, 10));
    events.volumeReported(volume, VolumeState.AVAILABLE, null);
    return volume;
  }

  private UUID policy(UUID volume, String name, int intervalMinutes, int retain) {
    return UUID.fromString(as(ACME)
        .body(Map.of("volumeId", volume, "name", name, "intervalMinutes", intervalMinutes, "retain", retain))
        .post("/api/v1/snapshot-policies").then().statusCode(201).extract().path("id"));
  }

  private static Instant createdAt(UUID policy) {
    return QuarkusTransaction.requiringNew().call(() -> SnapshotPolicy.<SnapshotPolicy>findById(policy).createdAt);
  }

  private static List<Snapshot> snapshotsOf(UUID policy) {
    return QuarkusTransaction.requiringNew().call(() -> Snapshot.list("policyId = ?1 order by createdAt", policy));
  }

  private void settle(List<Snapshot> snapshots) {
    snapshots.stream().filter(s -> s.state == SnapshotState.CREATING)
        .forEach(s -> events.snapshotReported(s.id, SnapshotState.AVAILABLE, null));
  }

  @Test
  void takesDueSnapshotsAsSystemAndKeepsOnlyTheNewestRetained() {
    UUID volume = availableVolume(unique("sched"));
    UUID policy = policy(volume, "hourly", 60, 2);
    Instant t0 = createdAt(policy);

    scheduler.runDue(t0.plus(Duration.ofMinutes(59)));
    assertThat(snapshotsOf(policy)).as("not due before one interval").isEmpty();

    long outboxBefore = QuarkusTransaction.requiringNew().call(() -> OutboxMessage.count());
    scheduler.runDue(t0.plus(Duration.ofMinutes(60)));
    List<Snapshot> first = snapshotsOf(policy);
    assertThat(first).singleElement().satisfies(s -> {
      assertThat(s.volumeId).isEqualTo(volume);
      assertThat(s.state).isEqualTo(SnapshotState.CREATING);
      assertThat(s.name).startsWith("hourly-");
    });
    UUID firstId = first.get(0).id;
    QuarkusTransaction.requiringNew().run(() -> {
      assertThat(Operation.<Operation>list("targetId", firstId)).singleElement()
          .satisfies(op -> assertThat(op.requestedBy).isEqualTo("system"));
      assertThat(AuditEntry.<AuditEntry>list("targetId", firstId)).singleElement()
          .satisfies(a -> {
            assertThat(a.actor).isEqualTo("system");
            assertThat(a.action).isEqualTo("snapshot.create");
          });
      assertThat(OutboxMessage.count()).as("a desired-state command for the node").isGreaterThan(outboxBefore);
    });
    // the tenant sees it like any snapshot
    as(ACME).get("/api/v1/snapshots/" + firstId).then().statusCode(200);

    scheduler.runDue(t0.plus(Duration.ofMinutes(90)));
    assertThat(snapshotsOf(policy)).as("once per interval").hasSize(1);

    settle(snapshotsOf(policy));
    scheduler.runDue(t0.plus(Duration.ofMinutes(120)));
    settle(snapshotsOf(policy));
    scheduler.runDue(t0.plus(Duration.ofMinutes(180)));
    List<Snapshot> all = snapshotsOf(policy);
    assertThat(all).hasSize(3);
    assertThat(all.get(0).id).isEqualTo(firstId);
    assertThat(all.get(0).state).as("the oldest, beyond retain=2").isEqualTo(SnapshotState.DELETING);
    assertThat(all.subList(1, 3)).extracting(s -> s.state).doesNotContain(SnapshotState.DELETING, SnapshotState.DELETED);
    QuarkusTransaction.requiringNew().run(() ->
        assertThat(AuditEntry.<AuditEntry>list("targetId = ?1 and action = ?2", firstId, "snapshot.delete"))
            .singleElement().satisfies(a -> assertThat(a.actor).isEqualTo("system")));
  }

  @Test
  void aVolumeThatIsNotAvailableIsSkippedAndADisabledPolicyNeverRuns() {
    UUID busy = UUID.fromString(Api.createVolume(ACME, pool, unique("busy"), 10)); // still CREATING
    UUID waiting = policy(busy, "busy", 5, 3);
    UUID quiet = availableVolume(unique("quiet"));
    UUID disabled = UUID.fromString(as(ACME)
        .body(Map.of("volumeId", quiet, "name", "off", "intervalMinutes", 5, "retain", 3, "enabled", false))
        .post("/api/v1/snapshot-policies").then().statusCode(201).extract().path("id"));

    scheduler.runDue(createdAt(waiting).plus(Duration.ofMinutes(10)));

    assertThat(snapshotsOf(waiting)).isEmpty();
    assertThat(snapshotsOf(disabled)).isEmpty();
    Instant lastRun = QuarkusTransaction.requiringNew().call(() -> SnapshotPolicy.<SnapshotPolicy>findById(waiting).lastRunAt);
    assertThat(lastRun).as("the skipped run counts, so it is not retried in a loop").isNotNull();
  }

  @Test
  void twoSchedulersAtOnceTakeADueSnapshotOnce() throws Exception {
    UUID volume = availableVolume(unique("race"));
    UUID policy = policy(volume, "race", 5, 10);
    Instant due = createdAt(policy).plus(Duration.ofMinutes(5));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Callable<SnapshotScheduler.Round> run = () -> scheduler.runDue(due);
      List<Future<SnapshotScheduler.Round>> rounds = pool.invokeAll(List.of(run, run, run, run));
      for (Future<SnapshotScheduler.Round> round : rounds) {
        assertThat(round.get().failed()).isZero();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(snapshotsOf(policy)).hasSize(1);
  }
}
