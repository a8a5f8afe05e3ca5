package io.strata.agent.commands;

import static io.strata.agent.commands.RealEngineTest.freePort;
import static io.strata.agent.commands.RealEngineTest.host;
import static io.strata.agent.commands.RealEngineTest.iqn;
import static io.strata.agent.commands.RealEngineTest.run;
import static io.strata.agent.commands.RealEngineTest.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.strata.agent.supervision.EngineLauncher;
import io.strata.agent.supervision.EngineState;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.LunSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.ServerSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.event.ObjectStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * strata.agent.engine.mode=hosted: the reconciler runs two arrays' real engines inside this JVM.
 * Each has its own portal, folder and drive (a real initiator logs in to each), a layout change
 * reaches a running one without a restart, and deleting one array leaves the other serving.
 */
class HostedEnginesTest {

  @TempDir Path data;

  final SealedSecret secrets = new SealedSecret(RealEngineTest.KEY, "k1");
  ScheduledExecutorService scheduler;
  Reconciler reconciler;

  @BeforeEach
  void start() {
    assumeTrue(RealEngineTest.onPath("iscsi-ls"), "libiscsi-bin is not installed");
    scheduler = Executors.newSingleThreadScheduledExecutor();
    reconciler = RealEngineTest.realEngineReconciler(data, secrets, scheduler, Optional.empty(),
        EngineLauncher.Mode.HOSTED);
  }

  @AfterEach
  void stop() {
    if (reconciler != null) {
      reconciler.stopAll();
      scheduler.shutdownNow();
    }
  }

  @Test
  void twoHostedEnginesServeApartTakeALayoutChangeAndOneDeletedLeavesTheOtherServing() throws Exception {
    int portA = freePort();
    int portB = freePort();
    reconciler.apply(array("acme", "a1", "n1-ssd-0", portA, 1, true, false));
    reconciler.apply(array("globex", "b1", "n1-ssd-1", portB, 1, true, false));
    EngineState a = running("a1");
    EngineState b = running("b1");
    assertThat(a.pid()).as("a hosted engine has no pid of its own (signalling the agent's would hit every engine)").isNull();
    assertThat(b.pid()).isNull();
    assertThat(a.isolation()).contains("hosted");
    assertThat(data.resolve("arrays/a1/engine.pid")).doesNotExist();
    assertThat(Files.readString(data.resolve("arrays/a1/engine.log"))).contains("ready: " + iqn("acme", "a1"));
    assertThat(Files.readString(data.resolve("arrays/b1/engine.log"))).contains("ready: " + iqn("globex", "b1"))
        .doesNotContain("acme");
    assertThat(discover("acme", portA)).contains(iqn("acme", "a1")).contains("Lun:0").doesNotContain("globex");
    assertThat(discover("globex", portB)).contains(iqn("globex", "b1")).contains("Lun:0").doesNotContain("acme");

    // A second volume and LUN: the reload reaches the hosted engine (no SIGHUP here), no restart.
    reconciler.apply(array("acme", "a1", "n1-ssd-0", portA, 2, true, true));
    await().atMost(Duration.ofSeconds(40)).until(() -> reconciler.statuses().stream()
        .flatMap(s -> s.objects().stream())
        .anyMatch(o -> o.objectId().equals("a1-t2") && o.state() == ObjectStatus.State.READY));
    assertThat(discover("acme", portA)).contains("Lun:1");
    assertThat(reconciler.engineState("a1").restarts()).isZero();

    reconciler.apply(array("acme", "a1", "n1-ssd-0", portA, 3, false, true));
    await().atMost(Duration.ofSeconds(30)).until(() -> reconciler.engineState("a1") == null
        || reconciler.engineState("a1").phase() == EngineState.Phase.STOPPED);
    assertThat(discover("acme", portA)).doesNotContain(iqn("acme", "a1"));
    assertThat(reconciler.engineState("b1").phase()).isEqualTo(EngineState.Phase.RUNNING);
    assertThat(reconciler.engineState("b1").restarts()).isZero();
    assertThat(discover("globex", portB)).contains(iqn("globex", "b1")).contains("Lun:0");
  }

  private String discover(String tenant, int port) throws Exception {
    return run("iscsi-ls", "-s", "-i", host(tenant), url(tenant + "-host", tenant + "-secret-123", port, null)).output();
  }

  private EngineState running(String arrayId) {
    await().atMost(Duration.ofSeconds(40)).until(() -> {
      EngineState s = reconciler.engineState(arrayId);
      return s != null && s.phase() == EngineState.Phase.RUNNING;
    });
    return reconciler.engineState(arrayId);
  }

  private ArrayDesiredState array(String tenant, String arrayId, String drive, int port, long generation,
      boolean present, boolean secondVolume) {
    ServerSpec server = new ServerSpec("s-" + tenant, host(tenant), tenant + "-host", secrets.seal(tenant + "-secret-123"),
        null, null);
    List<VolumeSpec> volumes = secondVolume
        ? List.of(volume(arrayId + "-v1"), volume(arrayId + "-v2"))
        : List.of(volume(arrayId + "-v1"));
    List<LunSpec> luns = secondVolume
        ? List.of(lun(arrayId, 1, tenant), lun(arrayId, 2, tenant))
        : List.of(lun(arrayId, 1, tenant));
    return new ArrayDesiredState(arrayId, "1", tenant, generation, present, new EngineSpec("E01", 1, 1024), port,
        iqn(tenant, arrayId), List.of(new DriveSpec("d-" + arrayId, drive, DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "pool", DriveType.SSD, "NONE", "NONE", false, 4)), volumes, List.of(server), luns);
  }

  private static VolumeSpec volume(String id) {
    return new VolumeSpec(id, "p1", id, 1, true, null, null, List.of());
  }

  private static LunSpec lun(String arrayId, int n, String tenant) {
    return new LunSpec(arrayId + "-t" + n, arrayId + "-v" + n, "s-" + tenant, n - 1, false);
  }
}
