package io.strata.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.agent.export.DriveExportService;
import io.strata.agent.inventory.DriveScanner;
import io.strata.agent.layout.LayoutFiles;
import io.strata.agent.supervision.EngineLauncher;
import io.strata.agent.supervision.EngineState;
import io.strata.agent.supervision.Isolation;
import io.strata.agent.supervision.ProcessCommandLine;
import io.strata.agent.supervision.StandInEngine;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveRole;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSlot;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.HaSpec;
import io.strata.contracts.command.ArrayDesiredState.LunSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.Role;
import io.strata.contracts.command.ArrayDesiredState.ServerSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import io.strata.contracts.command.DriveExportCredentials;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node 1 as one of the two engine nodes of a highly available array, against the stand-in engine
 * (which reports the layout's role and epoch as its own) and the stand-in drive export service.
 */
class HaReconcilerTest {

  @TempDir Path data;

  final SealedSecret secrets = new SealedSecret(ReconcilerTest.KEY, "k1");
  final List<ArrayStatus> reported = new CopyOnWriteArrayList<>();
  ScheduledExecutorService scheduler;
  Reconciler reconciler;
  int enginePort;
  int exportPort;

  @BeforeEach
  void start() {
    DriveScanner drives = new DriveScanner("1", data.resolve("drives"));
    drives.createDemoDrivesIfEmpty();
    scheduler = Executors.newSingleThreadScheduledExecutor();
    enginePort = ReconcilerTest.freePort();
    exportPort = ReconcilerTest.freePort();
    reconciler = newReconciler();
  }

  @AfterEach
  void stop() {
    reconciler.stopAll();
    scheduler.shutdownNow();
  }

  /** The array as the control plane sends it to node 1 at {@code epoch}, node 1 in {@code role}. */
  ArrayDesiredState ha(long generation, long epoch, Role roleOfNode1) {
    Role roleOfNode2 = roleOfNode1 == Role.ACTIVE ? Role.STANDBY : Role.ACTIVE;
    return new ArrayDesiredState("a1", "1", "acme", generation, true, new EngineSpec("E01", 1, 4096), enginePort,
        "iqn.2026-11.io.strata:acme.a1",
        List.of(new DriveSpec("d1", "n1-ssd-0", DriveType.SSD, 4, "p1", "1", "127.0.0.1:" + exportPort,
                DriveRole.MEMBER),
            new DriveSpec("d2", "n2-ssd-0", DriveType.SSD, 4, "p1", "2", "127.0.0.2:" + exportPort, DriveRole.MEMBER)),
        List.of(new PoolSpec("p1", "pool", DriveType.SSD, "RAID1", "NONE", false, 4)),
        List.of(new VolumeSpec("v1", "p1", "v1", 1, true, null, null, List.of())),
        List.of(new ServerSpec("s1", "iqn.2026-11.test:host", "host-user", secrets.seal("secret-of-16-bytes"), null,
            null)),
        List.of(new LunSpec("t1", "v1", "s1", 0, false)),
        roleOfNode1 == Role.ACTIVE ? "1" : "2",
        new HaSpec(epoch, List.of(new EngineSlot("1", roleOfNode1, "127.0.0.1", enginePort, 1),
            new EngineSlot("2", roleOfNode2, "127.0.0.2", enginePort, 2)), List.of()));
  }

  /** Applies a desired state and publishes the status it answers, as CommandConsumer does. */
  Reconciler.Outcome apply(ArrayDesiredState desired) {
    Reconciler.Outcome outcome = reconciler.apply(desired);
    reported.add(outcome.status());
    return outcome;
  }

  long enginePid() {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      EngineState s = reconciler.engineState("a1");
      return s != null && s.phase() == EngineState.Phase.RUNNING;
    });
    return reconciler.engineState("a1").pid();
  }

  JsonNode file(String path) throws Exception {
    return new ObjectMapper().readTree(data.resolve(path).toFile());
  }

  void awaitReported(String role, long epoch) {
    await().atMost(Duration.ofSeconds(60)).until(() -> reported.stream().anyMatch(s -> s.arrayId().equals("a1")
        && s.role() != null && role.equals(s.role().name()) && Long.valueOf(epoch).equals(s.haEpoch())
        && s.state() == ArrayStatus.State.ONLINE
        && s.objects().stream().anyMatch(o -> o.objectId().equals("v1") && o.state() == ObjectStatus.State.READY)
        && s.objects().stream().anyMatch(o -> o.objectId().equals("t1") && o.state() == ObjectStatus.State.READY)));
  }

  /**
   * The standby runs its engine too, on its slot's portal, and reports the array's objects READY
   * once its engine applied them (what the control plane expects: it fails nothing on a standby);
   * the node lends its own drive to the peer engine at the array's epoch, inside the engine's
   * status rather than as a second status of the array.
   */
  @Test
  void aStandbyRunsItsEngineOnItsSlotAndLendsItsDrivesToThePeerAtTheEpoch() throws Exception {
    var outcome = apply(ha(1, 1, Role.STANDBY));
    assertThat(outcome.problems()).isEmpty();
    long pid = enginePid();
    assertThat(ProcessCommandLine.of(pid)).containsSequence("--portal", "127.0.0.1:" + enginePort);

    JsonNode layout = file("arrays/a1/layout.json");
    assertThat(layout.path("ha").toString())
        .isEqualTo("{\"role\":\"STANDBY\",\"epoch\":1,\"portGroup\":1,\"peerPortGroup\":2,\"outdated\":[]}");
    assertThat(layout.path("drives").findValuesAsText("name")).containsExactly("n1-ssd-0", "n2-ssd-0");
    JsonNode exports = file("exports/exports.json").path("exports");
    assertThat(exports).hasSize(1);
    assertThat(exports.get(0).path("target").asText()).isEqualTo("iqn.2026-01.io.strata:drive.d1");
    assertThat(exports.get(0).path("epoch").asLong()).isEqualTo(1);

    awaitReported("STANDBY", 1);
    assertThat(reconciler.statuses()).singleElement().satisfies(s -> {
      assertThat(s.nodeId()).isEqualTo("1");
      assertThat(s.portal()).isEqualTo("127.0.0.1:" + enginePort);
    });
  }

  /**
   * A failover to this node: the new epoch goes to the export service first, and only once it
   * applied it (here held back, as by a slow service) does the engine get its new layout, as a
   * reload of the same process (no session dropped), after which it reports ACTIVE at the epoch.
   */
  @Test
  void aPromotionReachesTheEngineOnlyAfterTheExportServiceAppliedTheNewEpochAndIsAReload() throws Exception {
    apply(ha(1, 1, Role.STANDBY));
    long pid = enginePid();
    awaitReported("STANDBY", 1);

    Path hold = data.resolve("exports/hold-answers");
    Files.createFile(hold);
    apply(ha(2, 2, Role.ACTIVE));
    assertThat(file("exports/exports.json").path("exports").get(0).path("epoch").asLong()).isEqualTo(2);
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() ->
        file("arrays/a1/layout.json").path("ha").path("epoch").asLong() == 1
            && "STANDBY".equals(file("arrays/a1/layout.json").path("ha").path("role").asText()));

    Files.delete(hold);
    await().atMost(Duration.ofSeconds(60)).until(() ->
        file("arrays/a1/layout.json").path("ha").path("role").asText().equals("ACTIVE"));
    assertThat(file("arrays/a1/layout.json").path("ha").path("epoch").asLong()).isEqualTo(2);
    awaitReported("ACTIVE", 2);
    assertThat(enginePid()).as("a role change is a reload, not a restart").isEqualTo(pid);
    assertThat(reported.stream().filter(s -> s.role() == Role.ACTIVE).findFirst().orElseThrow().generation())
        .isEqualTo(2);
  }

  /** A demotion at the same epoch (a planned switchover's first step) is a reload too. */
  @Test
  void aDemotionIsAReloadOfTheSameEngine() {
    apply(ha(1, 3, Role.ACTIVE));
    long pid = enginePid();
    awaitReported("ACTIVE", 3);
    apply(ha(2, 3, Role.STANDBY));
    awaitReported("STANDBY", 3);
    assertThat(enginePid()).isEqualTo(pid);
  }

  /** Node 1's agent over the test's data folder (a new one: the agent restarted). */
  Reconciler newReconciler() {
    EngineLauncher launcher = new EngineLauncher(StandInEngine.class.getName(), Optional.empty(), List.of());
    return new Reconciler("1", "127.0.0.1", data.resolve("arrays"), new DriveScanner("1", data.resolve("drives")),
        secrets, new Reconciler.EngineSettings(launcher, Isolation.detect(false), scheduler, Duration.ofMillis(200),
            Duration.ofSeconds(2), Duration.ofSeconds(60)),
        new DriveExportService.Settings("127.0.0.1", exportPort, new DriveExportCredentials(ReconcilerTest.KEY)),
        reported::add);
  }

  /**
   * A node that was lost while its engine was active (nothing of it runs any more) must not come
   * back active on its own: the other engine was most likely promoted meanwhile. Its engine starts
   * as standby until the control plane's next desired state; an engine that survived an agent
   * restart keeps serving as it was.
   */
  @Test
  void aLostActiveNodeComesBackStandbyButAnAgentRestartLeavesAnActiveEngineActive() throws Exception {
    apply(ha(1, 1, Role.ACTIVE));
    enginePid();
    awaitReported("ACTIVE", 1);

    // the whole node goes (engine and agent): back as standby, at the epoch it knew
    reconciler.stopAll();
    reported.clear();
    reconciler = newReconciler();
    reconciler.restore();
    assertThat(file("arrays/a1/layout.json").path("ha").path("role").asText()).isEqualTo("STANDBY");
    awaitReported("STANDBY", 1);
    assertThat(reported).noneMatch(s -> s.role() == Role.ACTIVE);

    // the control plane says it is active again: a reload; then only the agent restarts, and its
    // engine, still running, is adopted as it is (active)
    apply(ha(2, 1, Role.ACTIVE));
    awaitReported("ACTIVE", 1);
    long pid = enginePid();
    reconciler = newReconciler();
    reconciler.restore();
    assertThat(enginePid()).isEqualTo(pid);
    assertThat(file("arrays/a1/layout.json").path("ha").path("role").asText()).isEqualTo("ACTIVE");
  }

  @Test
  void drivesAwaitingConsentAreReportedByDriveId() {
    ArrayDesiredState desired = ha(1, 1, Role.ACTIVE);
    var ha = new LayoutFiles.HaState("ACTIVE", 1, "ACTIVE", List.of("n2-ssd-0", "unknown"));
    assertThat(Reconciler.driveIds(desired, ha)).containsExactly("d2", "unknown");
    assertThat(Reconciler.driveIds(desired, null)).isEmpty();
  }
}
