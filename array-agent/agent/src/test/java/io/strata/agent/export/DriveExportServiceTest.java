package io.strata.agent.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.agent.commands.Reconciler;
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
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.DriveExportCredentials;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
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

/**
 * Node 2 lends its drives to arrays whose engine runs on node 1: no engine starts here, one
 * drive export service (the stand-in engine in --exports mode) serves every drive lent, and the
 * exports file, the reloads and the labels of drives no longer lent follow the desired states.
 */
class DriveExportServiceTest {

  static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

  @TempDir Path data;
  final List<ArrayStatus> reported = new CopyOnWriteArrayList<>();
  final DriveExportCredentials credentials = new DriveExportCredentials(KEY);
  ScheduledExecutorService scheduler;
  Reconciler reconciler;
  int port;

  @BeforeEach
  void start() throws Exception {
    DriveScanner drives = new DriveScanner("2", data.resolve("drives"));
    drives.createDemoDrivesIfEmpty();
    scheduler = Executors.newSingleThreadScheduledExecutor();
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    EngineLauncher launcher = new EngineLauncher(StandInEngine.class.getName(), Optional.empty(), List.of());
    reconciler = new Reconciler("2", "127.0.0.1", data.resolve("arrays"), drives, new SealedSecret(KEY, "k1"),
        new Reconciler.EngineSettings(launcher, Isolation.detect(false), scheduler, Duration.ofMillis(200),
            Duration.ofSeconds(2), Duration.ofSeconds(60)),
        new DriveExportService.Settings("127.0.0.1", port, credentials), reported::add);
  }

  @AfterEach
  void stop() {
    reconciler.stopAll();
    scheduler.shutdownNow();
  }

  /** An array whose engine runs on node 1, holding drive d-1 of node 1 and the given drives of node 2. */
  ArrayDesiredState lentTo(String arrayId, long generation, boolean present, List<DriveSpec> ofNode2) {
    List<DriveSpec> drives = new java.util.ArrayList<>();
    drives.add(new DriveSpec("d-1-" + arrayId, "n1-ssd-0-" + arrayId, DriveType.SSD, 4, "p1", "1", null));
    drives.addAll(ofNode2);
    return new ArrayDesiredState(arrayId, "2", "acme", generation, present, new EngineSpec("E01", 1, 4096), 3340,
        "iqn.2026-11.io.strata:acme." + arrayId, present ? drives : List.of(),
        present ? List.of(new PoolSpec("p1", "fast", DriveType.SSD, "RAID1", "NONE", false, 4)) : List.of(),
        List.of(), List.of(), List.of(), "1");
  }

  static DriveSpec ofNode2(String driveId, String serial) {
    return new DriveSpec(driveId, serial, DriveType.SSD, 4, "p1", "2", "127.0.0.2:3259");
  }

  JsonNode exportsFile() throws Exception {
    return new ObjectMapper().readTree(data.resolve("exports/exports.json").toFile());
  }

  long servicePid() {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      EngineState s = reconciler.exports().serviceState();
      return s != null && s.phase() == EngineState.Phase.RUNNING;
    });
    return reconciler.exports().serviceState().pid();
  }

  long appliedRevision() throws Exception {
    Path status = data.resolve("exports/exports-status.json");
    return Files.exists(status) ? new ObjectMapper().readTree(status.toFile()).path("revision").asLong() : 0;
  }

  @Test
  void aNodeLendsItsDrivesThroughOneExportServiceAndStartsNoEngine() throws Exception {
    var outcome = reconciler.apply(lentTo("a1", 1, true, List.of(ofNode2("d-2a", "n2-ssd-0"))));
    assertThat(outcome.problems()).isEmpty();
    assertThat(reconciler.engineState("a1")).as("no engine for an array whose engine runs on node 1").isNull();
    long pid = servicePid();
    Path exports = data.resolve("exports/exports.json");
    assertThat(ProcessCommandLine.of(pid)).containsSequence("--exports", exports.toString())
        .containsSequence("--portal", "127.0.0.1:" + port)
        .containsSequence("--layout-status", data.resolve("exports/exports-status.json").toString())
        .noneMatch(a -> a.equals("--layout") || a.equals("--iqn") || a.contains(credentials.secret("a1")));
    JsonNode file = exportsFile();
    assertThat(file.path("revision").asLong()).isEqualTo(1);
    assertThat(file.path("exports")).hasSize(1);
    JsonNode export = file.path("exports").get(0);
    assertThat(export.path("target").asText()).isEqualTo("iqn.2026-01.io.strata:drive.d-2a");
    assertThat(export.path("path").asText()).isEqualTo(data.resolve("drives/ssd-0.ssd.img").toAbsolutePath().toString());
    assertThat(export.path("media").asText()).isEqualTo("SSD");
    assertThat(export.path("initiator").asText()).isEqualTo("iqn.2026-01.io.strata:engine.a1");
    assertThat(export.path("chap").path("user").asText()).isEqualTo("a1");
    assertThat(export.path("chap").path("secret").asText()).isEqualTo(credentials.secret("a1"));
    assertThat(Files.getPosixFilePermissions(exports))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    await().atMost(Duration.ofSeconds(60)).until(() -> reported.stream().anyMatch(s -> s.arrayId().equals("a1")
        && s.nodeId().equals("2") && s.state() == ArrayStatus.State.ONLINE
        && s.objects().stream().anyMatch(o -> o.objectId().equals("d-2a") && o.state() == ObjectStatus.State.READY)));
    assertThat(reconciler.statuses()).extracting(ArrayStatus::arrayId).containsExactly("a1");

    // the same state again: nothing rewritten; a second array: same process, re-read on SIGHUP
    reconciler.apply(lentTo("a1", 1, true, List.of(ofNode2("d-2a", "n2-ssd-0"))));
    assertThat(exportsFile().path("revision").asLong()).isEqualTo(1);
    reconciler.apply(lentTo("a2", 1, true, List.of(ofNode2("d-2b", "n2-ssd-1"))));
    assertThat(exportsFile().path("revision").asLong()).isEqualTo(2);
    assertThat(exportsFile().path("exports")).extracting(e -> e.path("target").asText())
        .containsExactly("iqn.2026-01.io.strata:drive.d-2a", "iqn.2026-01.io.strata:drive.d-2b");
    await().atMost(Duration.ofSeconds(60)).until(() -> appliedRevision() == 2);
    assertThat(servicePid()).isEqualTo(pid);

    // a drive of node 2 taken out of a1: no longer lent, its label cleared; a2's drive stays
    Path drive = data.resolve("drives/ssd-0.ssd.img");
    try (RandomAccessFile f = new RandomAccessFile(drive.toFile(), "rw")) {
      f.write("STRATA-POOL-LABEL".getBytes());
    }
    reconciler.apply(lentTo("a1", 2, true, List.of()));
    assertThat(exportsFile().path("exports")).extracting(e -> e.path("target").asText())
        .containsExactly("iqn.2026-01.io.strata:drive.d-2b");
    byte[] head = new byte[17];
    try (RandomAccessFile f = new RandomAccessFile(drive.toFile(), "r")) {
      f.readFully(head);
    }
    assertThat(head).containsOnly((byte) 0);

    // a late command is superseded, not applied
    assertThat(reconciler.apply(lentTo("a1", 1, true, List.of(ofNode2("d-2a", "n2-ssd-0")))).superseded()).isTrue();
    // nor a late one that put the engine here: the newer loan stands, no engine starts
    ArrayDesiredState stale = lentTo("a1", 1, true, List.of(ofNode2("d-2a", "n2-ssd-0")));
    ArrayDesiredState engineHere = new ArrayDesiredState(stale.arrayId(), stale.nodeId(), stale.tenant(),
        stale.generation(), true, stale.engine(), stale.portalPort(), stale.targetIqn(), stale.drives(), stale.pools(),
        stale.volumes(), stale.servers(), stale.luns(), "2");
    assertThat(engineHere.runsEngineOn("2")).isTrue();
    assertThat(reconciler.apply(engineHere).superseded()).isTrue();
    assertThat(reconciler.exports().generationOf("a1")).isEqualTo(2);
    assertThat(reconciler.arrayFolder("a1").resolve("layout.json")).doesNotExist();

    // both arrays deleted: nothing lent, the service stops
    reconciler.apply(lentTo("a1", 3, false, List.of()));
    reconciler.apply(lentTo("a2", 2, false, List.of()));
    assertThat(reconciler.exports().serviceState()).isNull();
    assertThat(exportsFile().path("exports")).isEmpty();
    await().atMost(Duration.ofSeconds(60)).until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    assertThat(reconciler.statuses()).isEmpty();
  }

  @Test
  void aDriveMissingFromTheNodeOrHeldByAnotherArrayIsNotLentAndSaysWhy() {
    reconciler.apply(lentTo("a1", 1, true, List.of(ofNode2("d-2a", "n2-ssd-0"))));
    var outcome = reconciler.apply(lentTo("a2", 1, true,
        List.of(ofNode2("d-2x", "n2-ssd-0"), ofNode2("d-2y", "n2-ssd-9"))));
    assertThat(outcome.problems()).anySatisfy(p -> assertThat(p).contains("n2-ssd-0 already belongs to another array"))
        .anySatisfy(p -> assertThat(p).contains("n2-ssd-9 is not on node 2"));
    assertThat(outcome.status().objects()).filteredOn(o -> o.state() == ObjectStatus.State.FAILED)
        .extracting(ObjectStatus::objectId).containsExactlyInAnyOrder("d-2x", "d-2y");
  }
}
