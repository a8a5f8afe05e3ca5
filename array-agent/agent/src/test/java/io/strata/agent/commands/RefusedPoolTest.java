package io.strata.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.agent.supervision.EngineState;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.LunSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.ServerSpec;
import io.strata.contracts.command.ArrayDesiredState.SnapshotSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.event.ObjectStatus;
import io.strata.engine.pool.DriveLabel;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool the real engine refuses because its drive belongs to another pool: the agent reports
 * that pool and what lives in it FAILED with the engine's reason, and everything else of the
 * same layout revision READY. Needs only the engine in the build (no initiator tools).
 */
class RefusedPoolTest {

  static final String KEY = RealEngineTest.KEY;

  @TempDir Path data;

  final SealedSecret secrets = new SealedSecret(KEY, "k1");
  ScheduledExecutorService scheduler;
  Reconciler reconciler;

  @BeforeEach
  void start() {
    Optional<String> classpath = RealEngineTest.engineClasspath();
    scheduler = Executors.newSingleThreadScheduledExecutor();
    reconciler = RealEngineTest.realEngineReconciler(data, secrets, scheduler, classpath);
  }

  @AfterEach
  void stop() {
    if (reconciler != null) {
      reconciler.stopAll();
      scheduler.shutdownNow();
    }
  }

  static final VolumeSpec V1 = new VolumeSpec("v1", "p1", "data", 1, true, null, null, List.of());
  static final LunSpec T1 = new LunSpec("t1", "v1", "s-acme", 0, false);

  ArrayDesiredState array(long generation, int port, String poolOfSsd1, List<PoolSpec> morePools,
      List<VolumeSpec> volumes, List<LunSpec> luns) {
    List<PoolSpec> pools = new ArrayList<>(List.of(new PoolSpec("p1", "pool", DriveType.SSD, "NONE", "NONE", false, 4)));
    pools.addAll(morePools);
    return new ArrayDesiredState("a1", "1", "acme", generation, true, new EngineSpec("E01", 1, 1024), port,
        RealEngineTest.iqn("acme", "a1"),
        List.of(new DriveSpec("d1", "n1-ssd-0", DriveType.SSD, 4, "p1"),
            new DriveSpec("d2", "n1-ssd-1", DriveType.SSD, 4, poolOfSsd1)),
        pools, volumes,
        List.of(new ServerSpec("s-acme", RealEngineTest.host("acme"), "acme-host", secrets.seal("acme-secret-123"),
            null, null)),
        luns);
  }

  Map<String, ObjectStatus> objects() {
    return reconciler.statuses().get(0).objects().stream()
        .collect(Collectors.toMap(ObjectStatus::objectId, Function.identity()));
  }

  void awaitObject(String objectId, ObjectStatus.State state) {
    await().atMost(Duration.ofSeconds(40)).until(() -> {
      ObjectStatus o = objects().get(objectId);
      return o != null && o.state() == state;
    });
  }

  /** Writes a flash cache label on a drive file, as a pool's write-back cache SSD carries it. */
  void labelAsFlashCache(Path driveFile) throws Exception {
    try (RandomAccessFile file = new RandomAccessFile(driveFile.toFile(), "rw")) {
      file.seek(0);
      file.writeLong(DriveLabel.CACHE_MAGIC);
    }
  }

  @Test
  void aRefusedPoolAndWhatLivesInItAreFailedWithTheEnginesReasonWhileANewVolumeOnAHealthyPoolIsReady() throws Exception {
    int port = RealEngineTest.freePort();
    reconciler.apply(array(1, port, null, List.of(), List.of(V1), List.of(T1)));
    awaitObject("t1", ObjectStatus.State.READY);
    long pid = reconciler.engineState("a1").pid();
    // n1-ssd-1 is some pool's flash cache: a pool must not write its label over it.
    labelAsFlashCache(data.resolve("drives/ssd-1.ssd.img"));

    // One revision: a pool on that drive, with a volume, its snapshot and its attachment; and a
    // new volume with an attachment on the healthy pool p1.
    VolumeSpec v2 = new VolumeSpec("v2", "p1", "more", 1, true, null, null, List.of());
    VolumeSpec v3 = new VolumeSpec("v3", "fast", "quick", 1, true, null, null,
        List.of(new SnapshotSpec("sn3", "first")));
    reconciler.apply(array(2, port, "fast", List.of(new PoolSpec("fast", "fast", DriveType.SSD, "NONE", "NONE", false, 4)),
        List.of(V1, v2, v3), List.of(T1, new LunSpec("t2", "v2", "s-acme", 1, false),
            new LunSpec("t3", "v3", "s-acme", 2, false))));

    awaitObject("fast", ObjectStatus.State.FAILED);
    awaitObject("t2", ObjectStatus.State.READY);
    Map<String, ObjectStatus> objects = objects();
    String reason = "pool fast refused: drive 'n1-ssd-1'";
    assertThat(objects.get("fast").reason()).startsWith(reason);
    assertThat(List.of("v3", "sn3", "t3")).allSatisfy(id -> {
      assertThat(objects.get(id).state()).as(id).isEqualTo(ObjectStatus.State.FAILED);
      assertThat(objects.get(id).reason()).as(id).contains(reason);
    });
    assertThat(objects.get("v3").reason()).startsWith("volume v3: ");
    assertThat(objects.get("t3").reason()).startsWith("attachment t3: ");
    assertThat(List.of("d1", "d2", "p1", "v1", "t1", "v2", "t2", "s-acme")).allSatisfy(id ->
        assertThat(objects.get(id).state()).as(id).isEqualTo(ObjectStatus.State.READY));
    String status = Files.readString(data.resolve("arrays/a1/layout-status.json"));
    assertThat(status).contains("\"revision\" : 2").contains("\"ok\" : false").contains("refusedPools");

    // The refused pool taken out of the desired state: nothing is FAILED any more.
    reconciler.apply(array(3, port, null, List.of(), List.of(V1, v2),
        List.of(T1, new LunSpec("t2", "v2", "s-acme", 1, false))));
    await().atMost(Duration.ofSeconds(40)).until(() -> Files.readString(data.resolve("arrays/a1/layout-status.json"))
        .contains("\"revision\" : 3"));
    await().atMost(Duration.ofSeconds(60)).until(() -> !objects().containsKey("fast")
        && objects().values().stream().allMatch(o -> o.state() == ObjectStatus.State.READY));
    assertThat(reconciler.engineState("a1").pid()).as("no restart").isEqualTo(pid);
    assertThat(reconciler.engineState("a1").phase()).isEqualTo(EngineState.Phase.RUNNING);
  }

  @Test
  void aRevisionTheEngineCouldNotApplyAtAllStillFailsEveryNewObjectEvenWithARefusedPoolInIt() throws Exception {
    int port = RealEngineTest.freePort();
    reconciler.apply(array(1, port, null, List.of(), List.of(V1), List.of(T1)));
    awaitObject("t1", ObjectStatus.State.READY);
    labelAsFlashCache(data.resolve("drives/ssd-1.ssd.img"));

    // Besides the refused pool, a thick volume larger than p1: the engine stops converging with
    // an error of its own, so nothing of the revision counts as applied.
    VolumeSpec huge = new VolumeSpec("huge", "p1", "huge", 64, false, null, null, List.of());
    reconciler.apply(array(2, port, "fast", List.of(new PoolSpec("fast", "fast", DriveType.SSD, "NONE", "NONE", false, 4)),
        List.of(V1, huge), List.of(T1)));

    awaitObject("huge", ObjectStatus.State.FAILED);
    // the status names the refused pool too, but its error is not (only) that refusal
    assertThat(Files.readString(data.resolve("arrays/a1/layout-status.json"))).contains("\"revision\" : 2")
        .contains("refusedPools");
    Map<String, ObjectStatus> objects = objects();
    assertThat(objects.get("huge").reason()).startsWith("the engine refused layout revision 2: ")
        .doesNotContain("pool fast refused");
    assertThat(objects.get("fast").state()).isEqualTo(ObjectStatus.State.FAILED);
    assertThat(objects.get("fast").reason()).startsWith("the engine refused layout revision 2: ");
    assertThat(List.of("p1", "v1", "t1")).allSatisfy(id ->
        assertThat(objects.get(id).state()).as(id).isEqualTo(ObjectStatus.State.READY));
  }
}
