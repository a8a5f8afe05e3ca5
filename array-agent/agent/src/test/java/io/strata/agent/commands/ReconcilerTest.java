package io.strata.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.agent.inventory.DriveScanner;
import io.strata.agent.supervision.EngineLauncher;
import io.strata.agent.supervision.EngineState;
import io.strata.agent.supervision.Isolation;
import io.strata.agent.supervision.ProcessCommandLine;
import io.strata.agent.supervision.StandInEngine;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.LunSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.ServerSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import io.strata.contracts.command.SealedSecret;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconciler against real engine processes (the stand-in engine) on real ports. */
class ReconcilerTest {

  static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

  @TempDir Path data;

  final SealedSecret secrets = new SealedSecret(KEY, "k1");
  final List<ArrayStatus> reported = new CopyOnWriteArrayList<>();
  ScheduledExecutorService scheduler;
  Reconciler reconciler;

  @BeforeEach
  void start() {
    DriveScanner drives = new DriveScanner("1", data.resolve("drives"));
    drives.createDemoDrivesIfEmpty();
    scheduler = Executors.newSingleThreadScheduledExecutor();
    reconciler = newReconciler();
  }

  Reconciler newReconciler() {
    return standIn(data, secrets, scheduler, reported::add);
  }

  /** Node 1's reconciler over {@code data}, running stand-in engine processes. */
  static Reconciler standIn(Path data, SealedSecret secrets, ScheduledExecutorService scheduler,
      java.util.function.Consumer<ArrayStatus> sink) {
    EngineLauncher launcher = new EngineLauncher(StandInEngine.class.getName(), Optional.empty(), List.of());
    return new Reconciler("1", "127.0.0.1", data.resolve("arrays"), new DriveScanner("1", data.resolve("drives")),
        secrets, new Reconciler.EngineSettings(launcher, Isolation.detect(false), scheduler, Duration.ofMillis(200),
            Duration.ofSeconds(2), Duration.ofSeconds(60)),
        sink);
  }

  @AfterEach
  void stop() {
    reconciler.stopAll();
    scheduler.shutdownNow();
  }

  ArrayDesiredState array(String id, long generation, int port, List<VolumeSpec> volumes, List<LunSpec> luns) {
    return new ArrayDesiredState(id, "1", "acme", generation, true, new EngineSpec("E01", 1, 4096), port,
        "iqn.2026-11.io.strata:acme." + id,
        List.of(new DriveSpec("d-" + id, id.equals("a1") ? "n1-ssd-0" : "n1-ssd-1", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "pool", DriveType.SSD, "NONE", "NONE", false, 4)),
        volumes,
        List.of(new ServerSpec("s1", "iqn.2026-11.test:host", "host-user", secrets.seal("secret-of-16-bytes"), null, null)),
        luns);
  }

  static VolumeSpec volume(String id, long gib) {
    return new VolumeSpec(id, "p1", id, gib, true, null, null, List.of());
  }

  long onlinePid(String arrayId) {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      EngineState s = reconciler.engineState(arrayId);
      return s != null && s.phase() == EngineState.Phase.RUNNING;
    });
    return reconciler.engineState(arrayId).pid();
  }

  static List<String> argumentsOf(long pid) {
    return ProcessCommandLine.of(pid);
  }

  @Test
  void writesTheLayoutStartsTheEngineWithItAndReportsObjectsReadyOnceTheEngineAppliedThem() throws Exception {
    int port = freePort();
    var outcome = reconciler.apply(array("a1", 1, port, List.of(volume("v1", 1)), List.of(new LunSpec("t1", "v1", "s1", 0, false))));
    assertThat(outcome.problems()).isEmpty();
    long pid = onlinePid("a1");
    Path folder = data.resolve("arrays/a1");
    assertThat(argumentsOf(pid)).containsSequence("--portal", "127.0.0.1:" + port)
        .containsSequence("--iqn", "iqn.2026-11.io.strata:acme.a1")
        .containsSequence("--layout", folder.resolve("layout.json").toString())
        .containsSequence("--layout-status", folder.resolve("layout-status.json").toString())
        .containsSequence("--stats", folder.resolve("engine-stats.json").toString())
        .noneMatch(a -> a.equals("--lun") || a.equals("--initiator") || a.contains("secret-of-16-bytes"));
    JsonNode layout = layout("a1");
    assertThat(layout.path("revision").asLong()).isEqualTo(1);
    assertThat(layout.path("volumes").get(0).path("name").asText()).isEqualTo("v1");
    assertThat(layout.path("initiators").get(0).path("chap").path("secret").asText()).isEqualTo("secret-of-16-bytes");
    assertThat(Files.getPosixFilePermissions(folder.resolve("layout.json")))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(echo(port, "hello")).isEqualTo("hello");
    await().until(() -> reported.stream().anyMatch(s -> s.state() == ArrayStatus.State.ONLINE && s.enginePid() == pid
        && s.objects().stream().anyMatch(o -> o.objectId().equals("t1") && o.state() == ObjectStatus.State.READY)
        && s.objects().stream().anyMatch(o -> o.objectId().equals("v1") && o.state() == ObjectStatus.State.READY)));
  }

  JsonNode layout(String arrayId) throws IOException {
    return new ObjectMapper().readTree(data.resolve("arrays").resolve(arrayId).resolve("layout.json").toFile());
  }

  @Test
  void theSameDesiredStateTwiceLeavesTheRunningEngineAlone() {
    int port = freePort();
    ArrayDesiredState desired = array("a1", 1, port, List.of(volume("v1", 1)), List.of(new LunSpec("t1", "v1", "s1", 0, false)));
    reconciler.apply(desired);
    long pid = onlinePid("a1");
    reconciler.apply(desired);
    reconciler.apply(array("a1", 2, port, List.of(volume("v1", 1)), List.of(new LunSpec("t1", "v1", "s1", 0, false))));
    assertThat(onlinePid("a1")).isEqualTo(pid);
    assertThat(data.resolve("arrays/a1/layout.json")).content().contains("\"revision\" : 1");
  }

  /**
   * The control plane can hold a state no change corrects (its watchdog marks a silent node's
   * arrays DEGRADED; the engines, still serving, have nothing new to say when the node is heard
   * again): the agent restates every array's status though nothing changed.
   */
  @Test
  void everyArraysStatusIsRestatedThoughNothingChanged() {
    int port = freePort();
    reconciler.apply(array("a1", 1, port, List.of(volume("v1", 1)), List.of(new LunSpec("t1", "v1", "s1", 0, false))));
    onlinePid("a1");
    await().atMost(Duration.ofSeconds(60)).until(() -> reported.stream()
        .anyMatch(s -> s.arrayId().equals("a1") && s.state() == ArrayStatus.State.ONLINE));
    reported.clear();

    reconciler.restateAll();

    assertThat(reported).singleElement().satisfies(s -> {
      assertThat(s.arrayId()).isEqualTo("a1");
      assertThat(s.state()).isEqualTo(ArrayStatus.State.ONLINE);
    });
  }

  @Test
  void aNewVolumeAndAttachmentReachTheRunningEngineBySighupAndAnOlderGenerationIsIgnored() throws Exception {
    int port = freePort();
    reconciler.apply(array("a1", 1, port, List.of(volume("v1", 1)), List.of(new LunSpec("t1", "v1", "s1", 0, false))));
    long pid = onlinePid("a1");
    awaitObject("a1", "t1", ObjectStatus.State.READY);
    reconciler.apply(array("a1", 2, port, List.of(volume("v1", 2), volume("v2", 1)),
        List.of(new LunSpec("t1", "v1", "s1", 0, false), new LunSpec("t2", "v2", "s1", 1, false))));
    // READY once the engine said it applied the new revision, from the same process.
    awaitObject("a1", "t2", ObjectStatus.State.READY);
    awaitObject("a1", "v2", ObjectStatus.State.READY);
    assertThat(onlinePid("a1")).isEqualTo(pid);
    assertThat(data.resolve("arrays/a1/layout-status.json")).content().contains("\"revision\":2");
    assertThat(layout("a1").path("initiators").get(0).path("luns").toString()).isEqualTo("[0,1]");

    var late = reconciler.apply(array("a1", 1, port, List.of(volume("v1", 1)), List.of()));
    assertThat(late.superseded()).isTrue();
    assertThat(onlinePid("a1")).isEqualTo(pid);
  }

  @Test
  void aNewPoolAndADeletedOneReachTheRunningEngineBySighupAndOnlyAPoolChangedInPlaceRestartsIt() throws Exception {
    int port = freePort();
    ArrayDesiredState first = array("a1", 1, port, List.of(volume("v1", 1)), List.of());
    reconciler.apply(first);
    long pid = onlinePid("a1");
    List<DriveSpec> drives = new java.util.ArrayList<>(first.drives());
    drives.add(new DriveSpec("d-h", "n1-hdd-0", DriveType.HDD, 16, "p2"));
    reconciler.apply(new ArrayDesiredState("a1", "1", "acme", 2, true, first.engine(), port, first.targetIqn(), drives,
        List.of(first.pools().get(0), new PoolSpec("p2", "slow", DriveType.HDD, "NONE", "NONE", false, 16)),
        first.volumes(), first.servers(), first.luns()));
    awaitObject("a1", "p2", ObjectStatus.State.READY);
    assertThat(layout("a1").path("pools").toString()).contains("\"p2\"");
    assertThat(reconciler.engineState("a1").pid()).as("the same engine took the new pool").isEqualTo(pid);

    // The pool deleted again, its drive taken from the array: a reload too.
    reconciler.apply(array("a1", 3, port, List.of(volume("v1", 1)), List.of()));
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(data.resolve("arrays/a1/layout-status.json"))
        .contains("\"revision\":3"));
    assertThat(layout("a1").path("pools").toString()).doesNotContain("\"p2\"");
    assertThat(reconciler.engineState("a1").pid()).isEqualTo(pid);
    assertThat(reconciler.engineState("a1").restarts()).isZero();

    // A kept pool that changes in place (here: RAID1 over two drives) needs a new engine.
    reconciler.apply(new ArrayDesiredState("a1", "1", "acme", 4, true, first.engine(), port, first.targetIqn(),
        List.of(first.drives().get(0), new DriveSpec("d-2", "n1-ssd-1", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "pool", DriveType.SSD, "RAID1", "NONE", false, 4)),
        first.volumes(), first.servers(), first.luns()));
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      EngineState s = reconciler.engineState("a1");
      return s != null && s.phase() == EngineState.Phase.RUNNING && s.pid() != pid;
    });
  }

  void awaitObject(String arrayId, String objectId, ObjectStatus.State state) {
    await().atMost(Duration.ofSeconds(60)).until(() -> reconciler.statuses().stream()
        .filter(s -> s.arrayId().equals(arrayId)).flatMap(s -> s.objects().stream())
        .anyMatch(o -> o.objectId().equals(objectId) && o.state() == state));
  }

  @Test
  void deletingStopsTheEngineAndRemovesTheArraysData() {
    int port = freePort();
    reconciler.apply(array("a1", 1, port, List.of(volume("v1", 1)), List.of(new LunSpec("t1", "v1", "s1", 0, false))));
    long pid = onlinePid("a1");
    var deleted = reconciler.apply(new ArrayDesiredState("a1", "1", "acme", 2, false, null, 0, null,
        null, null, null, null, null));
    assertThat(deleted.status().state()).isEqualTo(ArrayStatus.State.DELETED);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(data.resolve("arrays/a1")).doesNotExist();
    assertThat(reconciler.statuses()).isEmpty();
    assertThat(reconciler.apply(new ArrayDesiredState("a1", "1", "acme", 2, false, null, 0, null,
        null, null, null, null, null)).status().state()).isEqualTo(ArrayStatus.State.DELETED);
  }

  @Test
  void problemsAreReportedPerObjectWithoutStoppingTheRest() {
    int port = freePort();
    ArrayDesiredState desired = new ArrayDesiredState("a1", "1", "acme", 1, true, new EngineSpec("E01", 1, 4096), port,
        "iqn.2026-11.io.strata:acme.a1",
        List.of(new DriveSpec("d1", "n2-ssd-0", DriveType.SSD, 4, null), new DriveSpec("d2", "n1-hdd-0", DriveType.SSD, 4, null),
            new DriveSpec("d3", "n1-ssd-0", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "pool", DriveType.SSD, "NONE", "NONE", false, 4)),
        List.of(volume("v1", 1), volume("v2", 1)),
        List.of(new ServerSpec("s1", "iqn.a", "u1", "dev1:garbage", null, null),
            new ServerSpec("s2", "iqn.b", "u2", secrets.seal("secret-of-16-bytes"), null, null),
            new ServerSpec("s3", "iqn.c", "u3", secrets.seal("another-secret-16"), null, null)),
        List.of(new LunSpec("t1", "v1", "s2", 0, false), new LunSpec("t2", "v2", "s2", 0, false)));
    var outcome = reconciler.apply(desired);
    assertThat(outcome.problems()).anyMatch(p -> p.contains("n2-ssd-0 is not on node 1"))
        .anyMatch(p -> p.contains("n1-hdd-0 is HDD, not SSD"))
        .anyMatch(p -> p.contains("server s1 CHAP secret"))
        .anyMatch(p -> p.contains("LUN 0 already shows volume v1"));
    assertThat(outcome.status().objects()).filteredOn(o -> o.state() == ObjectStatus.State.FAILED)
        .extracting(ObjectStatus::objectId).containsExactlyInAnyOrder("d1", "d2", "s1", "t2");
    onlinePid("a1");
    // The rest is served: the volumes, the first attachment, the servers whose secrets opened.
    awaitObject("a1", "t1", ObjectStatus.State.READY);
    awaitObject("a1", "s2", ObjectStatus.State.READY);
    awaitObject("a1", "s3", ObjectStatus.State.READY);
  }

  @Test
  void aCrashedEngineIsRestartedWhileAnotherTenantsEngineKeepsServing() throws Exception {
    int port1 = freePort();
    int port2 = freePort();
    reconciler.apply(array("a1", 1, port1, List.of(volume("v1", 1)), List.of(new LunSpec("t1", "v1", "s1", 0, false))));
    reconciler.apply(array("a2", 1, port2, List.of(volume("v1", 1)), List.of(new LunSpec("t1", "v1", "s1", 0, false))));
    long victim = onlinePid("a1");
    long bystander = onlinePid("a2");
    try (Socket other = new Socket("127.0.0.1", port2)) {
      other.setSoTimeout(5000);
      assertThat(roundTrip(other, "before")).isEqualTo("before");
      ProcessHandle.of(victim).orElseThrow().destroyForcibly();
      await().atMost(Duration.ofSeconds(60)).until(() -> reported.stream()
          .anyMatch(s -> s.arrayId().equals("a1") && s.state() == ArrayStatus.State.DEGRADED));
      assertThat(roundTrip(other, "during")).isEqualTo("during");
      long restarted = onlinePid("a1");
      assertThat(restarted).isNotEqualTo(victim);
      assertThat(reconciler.engineState("a1").restarts()).isEqualTo(1);
      assertThat(roundTrip(other, "after")).isEqualTo("after");
    }
    assertThat(onlinePid("a2")).isEqualTo(bystander);
    assertThat(echo(port1, "back")).isEqualTo("back");
  }

  @Test
  void aRestartedAgentAdoptsTheEngineStillServingTheSameState() {
    int port = freePort();
    reconciler.apply(array("a1", 1, port, List.of(volume("v1", 1)), List.of(new LunSpec("t1", "v1", "s1", 0, false))));
    long pid = onlinePid("a1");
    // The agent dies without stopping its engines: a new reconciler over the same folder.
    reconciler = newReconciler();
    List<ArrayStatus> restored = reconciler.restore();
    assertThat(restored).singleElement().satisfies(s -> assertThat(s.enginePid()).isEqualTo(pid));
    assertThat(onlinePid("a1")).isEqualTo(pid);
  }

  @Test
  void anArrayWithoutAttachedVolumesRunsItsEngineSoThatItsTargetAcceptsLogins() {
    int port = freePort();
    reconciler.apply(array("a1", 1, port, List.of(volume("v1", 1)), List.of()));
    long pid = onlinePid("a1");
    awaitObject("a1", "v1", ObjectStatus.State.READY);
    reconciler.apply(array("a1", 2, port, List.of(volume("v1", 1)), List.of(new LunSpec("t1", "v1", "s1", 0, false))));
    awaitObject("a1", "t1", ObjectStatus.State.READY);
    assertThat(onlinePid("a1")).isEqualTo(pid);
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String echo(int port, String text) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      return roundTrip(socket, text);
    }
  }

  static String roundTrip(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes());
    out.flush();
    InputStream in = socket.getInputStream();
    byte[] back = in.readNBytes(text.length());
    return new String(back);
  }
}
