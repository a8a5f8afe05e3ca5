package io.strata.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.strata.agent.inventory.DriveScanner;
import io.strata.agent.supervision.EngineLauncher;
import io.strata.agent.supervision.EngineState;
import io.strata.agent.supervision.Isolation;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.LunSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.ServerSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.command.ArrayDesiredState.RollbackSpec;
import io.strata.contracts.command.ArrayDesiredState.SnapshotSpec;
import io.strata.contracts.event.ObjectStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's reconciler driving the real array engine ({@code io.strata.engine.cli.EngineMain},
 * one OS process per array), checked with real initiators: libiscsi's {@code iscsi-ls} and
 * {@code qemu-img} with {@code iscsi://} URLs and CHAP. Runs when the engine main class is in the
 * build (or {@code -Dstrata.test.engine.classpath} points at an engine build) and the initiator
 * tools are installed (infra/bin/test installs them).
 */
class RealEngineTest {

  static final String MAIN = "io.strata.engine.cli.EngineMain";
  static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

  @TempDir Path data;

  final SealedSecret secrets = new SealedSecret(KEY, "k1");
  ScheduledExecutorService scheduler;
  Reconciler reconciler;

  @BeforeEach
  void start() {
    Optional<String> classpath = engineClasspath();
    assumeTrue(onPath("iscsi-ls") && onPath("qemu-img"), "libiscsi-bin and qemu-utils are not installed");
    scheduler = Executors.newSingleThreadScheduledExecutor();
    reconciler = realEngineReconciler(data, secrets, scheduler, classpath);
  }

  /**
   * Where the engine's classes are: {@code -Dstrata.test.engine.classpath}, or empty for this
   * build's classpath; the calling test is skipped when the engine is in neither.
   */
  static Optional<String> engineClasspath() {
    Optional<String> classpath = Optional.ofNullable(System.getProperty("strata.test.engine.classpath")).filter(s -> !s.isBlank());
    assumeTrue(classpath.isPresent() || onClasspath(MAIN), "the engine main class is not in this build");
    return classpath;
  }

  /** A reconciler of node 1 running the real engine, with the demo drives in {@code data/drives}. */
  static Reconciler realEngineReconciler(Path data, SealedSecret secrets, ScheduledExecutorService scheduler,
      Optional<String> classpath) {
    return realEngineReconciler(data, secrets, scheduler, classpath, EngineLauncher.Mode.PROCESS);
  }

  /** The same, its engines run as {@code mode} says (HostedEnginesTest: inside this JVM). */
  static Reconciler realEngineReconciler(Path data, SealedSecret secrets, ScheduledExecutorService scheduler,
      Optional<String> classpath, EngineLauncher.Mode mode) {
    DriveScanner drives = new DriveScanner("1", data.resolve("drives"));
    drives.createDemoDrivesIfEmpty();
    return new Reconciler("1", "127.0.0.1", data.resolve("arrays"), drives, secrets,
        new Reconciler.EngineSettings(new EngineLauncher(MAIN, classpath, List.of(), mode), Isolation.detect(true), scheduler,
            Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(60)),
        status -> {});
  }

  @AfterEach
  void stop() {
    if (reconciler != null) {
      reconciler.stopAll();
      scheduler.shutdownNow();
    }
  }

  ArrayDesiredState tenantArray(String tenant, String arrayId, String drive, int port, String chapUser, String secret) {
    return new ArrayDesiredState(arrayId, "1", tenant, 1, true, new EngineSpec("E01", 1, 1024), port,
        iqn(tenant, arrayId),
        List.of(new DriveSpec("d-" + arrayId, drive, DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "pool", DriveType.SSD, "NONE", "NONE", false, 4)),
        List.of(new VolumeSpec("v1", "p1", "vol", 1, true, null, null, List.of())),
        List.of(new ServerSpec("s-" + tenant, "iqn.2026-11.test:" + tenant, chapUser, secrets.seal(secret), null, null)),
        List.of(new LunSpec("t1", "v1", "s-" + tenant, 0, false)));
  }

  static String iqn(String tenant, String arrayId) {
    return "iqn.2026-11.io.strata:" + tenant + "." + arrayId;
  }

  /** The initiator name of a tenant's server in these tests. */
  static String host(String tenant) {
    return "iqn.2026-11.test:" + tenant;
  }

  /** qemu-img's options for a LUN, as the tenant's server (its initiator name) with CHAP. */
  static String imageOpts(String tenant, String user, String secret, int port, String iqn) {
    return imageOpts(tenant, user, secret, port, iqn, 0);
  }

  static String imageOpts(String tenant, String user, String secret, int port, String iqn, int lun) {
    return "driver=iscsi,transport=tcp,portal=127.0.0.1:" + port + ",target=" + iqn + ",lun=" + lun + ",user=" + user
        + ",password=" + secret + ",initiator-name=" + host(tenant);
  }

  static String url(String user, String secret, int port, String iqn) {
    return "iscsi://" + user + "%" + secret + "@127.0.0.1:" + port + (iqn == null ? "" : "/" + iqn + "/0");
  }

  long online(String arrayId) {
    await().atMost(Duration.ofSeconds(40)).until(() -> {
      EngineState s = reconciler.engineState(arrayId);
      return s != null && s.phase() == EngineState.Phase.RUNNING;
    });
    return reconciler.engineState(arrayId).pid();
  }

  @Test
  void eachTenantLogsInToItsOwnEngineWithItsOwnChapAndReadsBackWhatItWrote() throws Exception {
    int portA = freePort();
    int portB = freePort();
    reconciler.apply(tenantArray("acme", "a1", "n1-ssd-0", portA, "acme-host", "acme-secret-123"));
    reconciler.apply(tenantArray("globex", "b1", "n1-ssd-1", portB, "globex-host", "globex-secret-12"));
    online("a1");
    online("b1");

    Result discovery = run("iscsi-ls", "-s", "-i", host("acme"), url("acme-host", "acme-secret-123", portA, null));
    assertThat(discovery.output()).contains(iqn("acme", "a1")).contains("Lun:0").doesNotContain("globex");
    Result refused = run("iscsi-ls", "-s", "-i", host("globex"), url("globex-host", "globex-secret-12", portA, null));
    assertThat(refused.output()).doesNotContain("Lun:0").doesNotContain(iqn("acme", "a1"));

    byte[] written = new byte[1 << 20];
    new Random(42).nextBytes(written);
    Path in = Files.write(data.resolve("in.img"), written);
    Path out = data.resolve("out.img");
    String acme = imageOpts("acme", "acme-host", "acme-secret-123", portA, iqn("acme", "a1"));
    assertThat(run("qemu-img", "convert", "-n", "-f", "raw", "--target-image-opts", in.toString(), acme).exit()).isZero();
    assertThat(run("qemu-img", "dd", "--image-opts", "-O", "raw", "bs=1M", "count=1", "if=" + acme,
        "of=" + out).exit()).isZero();
    byte[] back = new byte[written.length];
    try (var stream = Files.newInputStream(out)) {
      assertThat(stream.readNBytes(back, 0, back.length)).isEqualTo(back.length);
    }
    assertThat(back).isEqualTo(written);
  }

  @Test
  void killingOneTenantsEngineUnderLoadLeavesTheOtherTenantsIoUndisturbed() throws Exception {
    int portA = freePort();
    int portB = freePort();
    reconciler.apply(tenantArray("acme", "a1", "n1-ssd-0", portA, "acme-host", "acme-secret-123"));
    reconciler.apply(tenantArray("globex", "b1", "n1-ssd-1", portB, "globex-host", "globex-secret-12"));
    long victim = online("a1");
    long bystander = online("b1");

    byte[] block = new byte[8 << 20];
    new Random(7).nextBytes(block);
    Path in = Files.write(data.resolve("load.img"), block);
    String target = imageOpts("globex", "globex-host", "globex-secret-12", portB, iqn("globex", "b1"));
    List<Integer> exits = new ArrayList<>();
    Thread load = new Thread(() -> {
      for (int i = 0; i < 6; i++) {
        try {
          exits.add(run("qemu-img", "convert", "-n", "-f", "raw", "--target-image-opts", in.toString(), target).exit());
        } catch (Exception e) {
          exits.add(-1);
        }
      }
    });
    load.start();
    Thread.sleep(300);
    ProcessHandle.of(victim).orElseThrow().destroyForcibly();
    await().atMost(Duration.ofSeconds(60)).until(() -> reconciler.engineState("a1").restarts() == 1);
    long restarted = online("a1");
    load.join(120_000);

    assertThat(restarted).isNotEqualTo(victim);
    assertThat(reconciler.engineState("a1").restarts()).isEqualTo(1);
    assertThat(exits).hasSize(6).containsOnly(0);
    assertThat(reconciler.engineState("b1").pid()).isEqualTo(bystander);
    assertThat(reconciler.engineState("b1").restarts()).isZero();
    Path out = data.resolve("load-back.img");
    assertThat(run("qemu-img", "dd", "--image-opts", "-O", "raw", "bs=1M", "count=8", "if=" + target,
        "of=" + out).exit()).isZero();
    byte[] back = new byte[block.length];
    try (var stream = Files.newInputStream(out)) {
      stream.readNBytes(back, 0, back.length);
    }
    assertThat(back).isEqualTo(block);
    assertThat(run("iscsi-ls", "-s", "-i", host("acme"), url("acme-host", "acme-secret-123", portA, null)).output())
        .contains("Lun:0");
  }

  // ---- the block stack through the layout: snapshots, clones, rollback, access, QoS ----

  static final String USER = "acme-host";
  static final String SECRET = "acme-secret-123";

  ArrayDesiredState acmeArray(long generation, int port, List<VolumeSpec> volumes, List<ServerSpec> servers,
      List<LunSpec> luns) {
    return new ArrayDesiredState("a1", "1", "acme", generation, true, new EngineSpec("E01", 1, 1024), port, iqn("acme", "a1"),
        List.of(new DriveSpec("d1", "n1-ssd-0", DriveType.SSD, 4, "p1"), new DriveSpec("d2", "n1-ssd-1", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "pool", DriveType.SSD, "RAID1", "NONE", false, 4)), volumes, servers, luns);
  }

  ServerSpec acmeServer() {
    return new ServerSpec("s-acme", host("acme"), USER, secrets.seal(SECRET), null, null);
  }

  void awaitObject(String objectId, ObjectStatus.State state) {
    await().atMost(Duration.ofSeconds(40)).until(() -> reconciler.statuses().stream()
        .flatMap(s -> s.objects().stream())
        .anyMatch(o -> o.objectId().equals(objectId) && o.state() == state));
  }

  void writeBlock(int port, int lun, byte[] block) throws Exception {
    Path in = Files.write(data.resolve("in-" + lun + ".img"), block);
    String target = imageOpts("acme", USER, SECRET, port, iqn("acme", "a1"), lun);
    assertThat(run("qemu-img", "convert", "-n", "-f", "raw", "--target-image-opts", in.toString(), target).exit()).isZero();
  }

  byte[] readBlock(int port, int lun, int length) throws Exception {
    Path out = data.resolve("out-" + lun + ".img");
    Files.deleteIfExists(out);
    String source = imageOpts("acme", USER, SECRET, port, iqn("acme", "a1"), lun);
    Result read = run("qemu-img", "dd", "--image-opts", "-O", "raw", "bs=" + length, "count=1", "if=" + source, "of=" + out);
    assertThat(read.exit()).as(read.output()).isZero();
    return Files.readAllBytes(out);
  }

  static byte[] block(int seed) {
    byte[] b = new byte[1 << 20];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void aSnapshotGoesOnlineACloneServesItsDataAndARollbackAppliesOnce() throws Exception {
    int port = freePort();
    List<LunSpec> luns = List.of(new LunSpec("t1", "v1", "s-acme", 0, false));
    reconciler.apply(acmeArray(1, port, List.of(new VolumeSpec("v1", "p1", "data", 1, true, null, null, List.of())),
        List.of(acmeServer()), luns));
    long pid = online("a1");
    awaitObject("t1", ObjectStatus.State.READY);
    byte[] monday = block(1);
    writeBlock(port, 0, monday);

    List<SnapshotSpec> snapshots = List.of(new SnapshotSpec("snap1", "monday"));
    reconciler.apply(acmeArray(2, port, List.of(new VolumeSpec("v1", "p1", "data", 1, true, null, null, snapshots)),
        List.of(acmeServer()), luns));
    awaitObject("snap1", ObjectStatus.State.READY);
    byte[] tuesday = block(2);
    writeBlock(port, 0, tuesday);

    // A clone of the snapshot, attached as LUN 1, serves Monday's data; the volume keeps Tuesday's.
    VolumeSpec clone = new VolumeSpec("c1", "p1", "copy", 1, true, null, null, List.of(), "snap1", null);
    List<LunSpec> withClone = List.of(luns.get(0), new LunSpec("t2", "c1", "s-acme", 1, false));
    reconciler.apply(acmeArray(3, port, List.of(new VolumeSpec("v1", "p1", "data", 1, true, null, null, snapshots), clone),
        List.of(acmeServer()), withClone));
    awaitObject("t2", ObjectStatus.State.READY);
    assertThat(readBlock(port, 1, monday.length)).isEqualTo(monday);
    assertThat(readBlock(port, 0, tuesday.length)).isEqualTo(tuesday);

    // Roll the volume back to Monday: reported done only once the engine applied it.
    VolumeSpec rolledBack = new VolumeSpec("v1", "p1", "data", 1, true, null, null, snapshots, null,
        new RollbackSpec("r1", "snap1"));
    reconciler.apply(acmeArray(4, port, List.of(rolledBack, clone), List.of(acmeServer()), withClone));
    awaitObject("r1", ObjectStatus.State.READY);
    assertThat(readBlock(port, 0, monday.length)).isEqualTo(monday);

    // Writes after the rollback survive the same rollback request arriving again.
    byte[] wednesday = block(3);
    writeBlock(port, 0, wednesday);
    VolumeSpec grown = new VolumeSpec("v1", "p1", "data", 2, true, null, null, snapshots, null, new RollbackSpec("r1", "snap1"));
    reconciler.apply(acmeArray(5, port, List.of(grown, clone), List.of(acmeServer()), withClone));
    await().atMost(Duration.ofSeconds(40)).until(() -> reconciler.statuses().get(0).objects().stream()
        .anyMatch(o -> o.objectId().equals("v1") && o.state() == ObjectStatus.State.READY)
        && Files.readString(data.resolve("arrays/a1/layout-status.json")).contains("\"revision\" : 5"));
    assertThat(readBlock(port, 0, wednesday.length)).isEqualTo(wednesday);
    assertThat(online("a1")).isEqualTo(pid);
  }

  @Test
  void attachingAndDetachingChangesWhoSeesWhatWithoutRestartingTheEngineAndQosLandsInTheLayout() throws Exception {
    int port = freePort();
    ServerSpec other = new ServerSpec("s-other", host("other"), "other-host", secrets.seal("other-secret-12"), null, null);
    VolumeSpec limited = new VolumeSpec("v1", "p1", "data", 1, true, 800, 40, List.of());
    reconciler.apply(acmeArray(1, port, List.of(limited), List.of(acmeServer(), other),
        List.of(new LunSpec("t1", "v1", "s-acme", 0, false))));
    long pid = online("a1");
    awaitObject("t1", ObjectStatus.State.READY);
    awaitObject("v1", ObjectStatus.State.READY);
    JsonNode qos = new ObjectMapper().readTree(data.resolve("arrays/a1/layout.json").toFile()).path("volumes").get(0).path("qos");
    assertThat(qos.path("iops").asLong()).isEqualTo(800);
    assertThat(qos.path("bandwidth").asText()).isEqualTo("40M");
    String otherUrl = url("other-host", "other-secret-12", port, null);
    assertThat(run("iscsi-ls", "-s", "-i", host("other"), otherUrl).output()).doesNotContain("Lun:0");

    reconciler.apply(acmeArray(2, port, List.of(limited), List.of(acmeServer(), other),
        List.of(new LunSpec("t1", "v1", "s-acme", 0, false), new LunSpec("t2", "v1", "s-other", 0, false))));
    awaitObject("t2", ObjectStatus.State.READY);
    assertThat(run("iscsi-ls", "-s", "-i", host("other"), otherUrl).output()).contains("Lun:0");

    reconciler.apply(acmeArray(3, port, List.of(limited), List.of(acmeServer(), other),
        List.of(new LunSpec("t1", "v1", "s-acme", 0, false))));
    await().atMost(Duration.ofSeconds(40)).until(() -> reconciler.statuses().get(0).objects().stream()
        .noneMatch(o -> o.objectId().equals("t2")) && Files.readString(data.resolve("arrays/a1/layout-status.json"))
        .contains("\"revision\" : 3"));
    assertThat(run("iscsi-ls", "-s", "-i", host("other"), otherUrl).output()).doesNotContain("Lun:0");
    assertThat(run("iscsi-ls", "-s", "-i", host("acme"), url(USER, SECRET, port, null)).output()).contains("Lun:0");
    assertThat(reconciler.engineState("a1").pid()).isEqualTo(pid);
    assertThat(reconciler.engineState("a1").restarts()).isZero();
  }

  @Test
  void aUsageSampleCarriesWhatTheEngineHoldsByTierItsCacheAndItsIo() throws Exception {
    int port = freePort();
    VolumeSpec pinned = new VolumeSpec("v1", "p1", "hot", 1, true, null, null, List.of(), null, null, DriveType.SSD);
    VolumeSpec free = new VolumeSpec("v2", "p1", "any", 2, true, null, null, List.of());
    reconciler.apply(new ArrayDesiredState("a1", "1", "acme", 1, true, new EngineSpec("E01", 1, 1024), port,
        iqn("acme", "a1"),
        List.of(new DriveSpec("d1", "n1-hdd-0", DriveType.HDD, 16, "p1"), new DriveSpec("d2", "n1-ssd-0", DriveType.SSD, 4, null),
            new DriveSpec("d3", "n1-ssd-1", DriveType.SSD, 4, null)),
        List.of(new PoolSpec("p1", "tiered", DriveType.HDD, "NONE", "WRITE_THROUGH", true, 16)),
        List.of(pinned, free), List.of(acmeServer()),
        List.of(new LunSpec("t1", "v1", "s-acme", 0, false), new LunSpec("t2", "v2", "s-acme", 1, false))));
    online("a1");
    awaitObject("t2", ObjectStatus.State.READY);
    java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2026-11-26T06:00:00Z"));
    java.time.Clock clock = new java.time.Clock() {
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      public java.time.Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      public java.time.Instant instant() {
        return now.get();
      }
    };
    List<io.strata.contracts.usage.ArrayUsageSample> sent = new ArrayList<>();
    var sampler = new io.strata.agent.usage.UsageSampler("1", reconciler, sent::add, clock);
    sampler.sampleAll(); // starts the interval
    writeBlock(port, 0, block(11));
    writeBlock(port, 1, block(12));
    // The engine rewrites its stats file every second.
    Path stats = reconciler.statsFile("a1");
    await().atMost(Duration.ofSeconds(60)).until(() ->
        io.strata.agent.usage.EngineSpace.read(stats).usedBytes(true) + io.strata.agent.usage.EngineSpace.read(stats).usedBytes(false)
            == 2L << 20);
    now.set(now.get().plusSeconds(60));
    var sample = sampler.sampleAll().get(0);

    var bySsd = sample.tiers().stream().collect(java.util.stream.Collectors.toMap(t -> t.tier().name(), t -> t));
    assertThat(bySsd.get("SSD").poolUsedBytes()).as("the pinned volume's written MiB is on SSD at once")
        .isGreaterThanOrEqualTo(1L << 20);
    assertThat(bySsd.get("SSD").poolUsedBytes() + bySsd.get("HDD").poolUsedBytes()).isEqualTo(2L << 20);
    assertThat(bySsd.get("SSD").volumeProvisionedBytes()).as("pinned to SSD").isEqualTo(1L << 30);
    assertThat(bySsd.get("HDD").volumeProvisionedBytes()).isEqualTo(2L << 30);
    assertThat(bySsd.get("HDD").poolProvisionedBytes()).isEqualTo(16L << 30);
    assertThat(sample.cacheBytes()).as("the write-through cache's SSD").isEqualTo(4L << 30);
    assertThat(sample.snapshotBytes()).isZero();
    assertThat(sample.writeOps()).isPositive();
    assertThat(sample.writeBytes()).isGreaterThanOrEqualTo(2L << 20);
    assertThat(new ObjectMapper().readTree(data.resolve("arrays/a1/layout.json").toFile()).path("volumes"))
        .anySatisfy(v -> assertThat(v.path("tier").asText()).isEqualTo("SSD"));
  }

  @Test
  void aPoolAddedAndAnotherDeletedReachTheRunningEngineBySighupAndTheAttachedVolumeKeepsServing() throws Exception {
    int port = freePort();
    VolumeSpec v1 = new VolumeSpec("v1", "p1", "data", 1, true, null, null, List.of());
    LunSpec t1 = new LunSpec("t1", "v1", "s-acme", 0, false);
    reconciler.apply(acmeArray(1, port, List.of(v1), List.of(acmeServer()), List.of(t1)));
    long pid = online("a1");
    awaitObject("t1", ObjectStatus.State.READY);
    byte[] first = block(11);
    writeBlock(port, 0, first);

    // A new HDD pool on a new drive, with a volume attached as LUN 1.
    ArrayDesiredState base = acmeArray(2, port, List.of(v1), List.of(acmeServer()), List.of(t1));
    List<DriveSpec> withHdd = new ArrayList<>(base.drives());
    withHdd.add(new DriveSpec("d3", "n1-hdd-0", DriveType.HDD, 16, "p2"));
    reconciler.apply(new ArrayDesiredState("a1", "1", "acme", 2, true, base.engine(), port, base.targetIqn(), withHdd,
        List.of(base.pools().get(0), new PoolSpec("p2", "slow", DriveType.HDD, "NONE", "NONE", false, 16)),
        List.of(v1, new VolumeSpec("v2", "p2", "archive", 1, true, null, null, List.of())), List.of(acmeServer()),
        List.of(t1, new LunSpec("t2", "v2", "s-acme", 1, false))));
    awaitObject("p2", ObjectStatus.State.READY);
    awaitObject("t2", ObjectStatus.State.READY);
    byte[] second = block(12);
    writeBlock(port, 1, second);
    assertThat(readBlock(port, 1, second.length)).isEqualTo(second);
    assertThat(readBlock(port, 0, first.length)).isEqualTo(first);

    // The pool deleted together with its volume and attachment, and its drive taken from the array.
    reconciler.apply(acmeArray(3, port, List.of(v1), List.of(acmeServer()), List.of(t1)));
    await().atMost(Duration.ofSeconds(40)).until(() -> Files.readString(data.resolve("arrays/a1/layout-status.json"))
        .contains("\"revision\" : 3") && reconciler.statuses().get(0).objects().stream()
        .noneMatch(o -> o.objectId().equals("p2")));
    assertThat(Files.readString(data.resolve("arrays/a1/layout-status.json"))).contains("\"ok\" : true");
    assertThat(readBlock(port, 0, first.length)).isEqualTo(first);
    assertThat(reconciler.engineState("a1").pid()).as("no restart").isEqualTo(pid);
    assertThat(reconciler.engineState("a1").restarts()).isZero();
  }

  @Test
  void aPoolDeletedAndMadeAgainOnTheSameDrivesComesUpWithoutARestartSinceItsLabelsWereCleared() throws Exception {
    int port = freePort();
    reconciler.apply(acmeArray(1, port, List.of(new VolumeSpec("v1", "p1", "data", 1, true, null, null, List.of())),
        List.of(), List.of()));
    awaitObject("v1", ObjectStatus.State.READY);
    long pid = online("a1");
    ArrayDesiredState emptied = new ArrayDesiredState("a1", "1", "acme", 2, true, new EngineSpec("E01", 1, 1024), port,
        iqn("acme", "a1"), List.of(new DriveSpec("d1", "n1-ssd-0", DriveType.SSD, 4, null),
            new DriveSpec("d2", "n1-ssd-1", DriveType.SSD, 4, null)), List.of(), List.of(), List.of(), List.of());
    reconciler.apply(emptied);
    ArrayDesiredState remade = new ArrayDesiredState("a1", "1", "acme", 3, true, new EngineSpec("E01", 1, 1024), port,
        iqn("acme", "a1"), List.of(new DriveSpec("d1", "n1-ssd-0", DriveType.SSD, 4, "p2"),
            new DriveSpec("d2", "n1-ssd-1", DriveType.SSD, 4, "p2")),
        List.of(new PoolSpec("p2", "again", DriveType.SSD, "RAID1", "NONE", false, 4)),
        List.of(new VolumeSpec("v2", "p2", "data", 1, true, null, null, List.of())), List.of(), List.of());
    reconciler.apply(remade);
    awaitObject("p2", ObjectStatus.State.READY);
    awaitObject("v2", ObjectStatus.State.READY);
    assertThat(reconciler.engineState("a1").pid()).isEqualTo(pid);
    assertThat(reconciler.engineState("a1").restarts()).isZero();
  }

  /** Two single-drive pools, p1 (n1-ssd-0) and p2 (n1-ssd-1), and volume v1 in {@code pool}. */
  ArrayDesiredState twoPools(long generation, int port, String pool, String moveFrom) {
    return new ArrayDesiredState("a1", "1", "acme", generation, true, new EngineSpec("E01", 1, 1024), port,
        iqn("acme", "a1"),
        List.of(new DriveSpec("d1", "n1-ssd-0", DriveType.SSD, 4, "p1"), new DriveSpec("d2", "n1-ssd-1", DriveType.SSD, 4, "p2")),
        List.of(new PoolSpec("p1", "one", DriveType.SSD, "NONE", "NONE", false, 4),
            new PoolSpec("p2", "two", DriveType.SSD, "NONE", "NONE", false, 4)),
        List.of(new VolumeSpec("v1", pool, "data", 1, true, null, null, List.of(), null, null, null, false, moveFrom)),
        List.of(acmeServer()), List.of(new LunSpec("t1", "v1", "s-acme", 0, false)));
  }

  @Test
  void aVolumeMovesToAnotherPoolWhileItServesAndItsProgressReachesTheArraysStatus() throws Exception {
    int port = freePort();
    reconciler.apply(twoPools(1, port, "p1", null));
    long pid = online("a1");
    awaitObject("t1", ObjectStatus.State.READY);
    byte[] first = new byte[4 << 20];
    new Random(4).nextBytes(first);
    writeBlock(port, 0, first);
    assertThat(reconciler.statuses().get(0).moves()).isEmpty();

    reconciler.apply(twoPools(2, port, "p2", "p1"));
    byte[] during = block(5); // the first MiB again, while (or just after) it is copied
    writeBlock(port, 0, during);
    await().atMost(Duration.ofSeconds(60)).until(() -> reconciler.statuses().get(0).moves().stream()
        .anyMatch(m -> m.state() == io.strata.contracts.event.VolumeMoveStatus.State.DONE));
    io.strata.contracts.event.VolumeMoveStatus done = reconciler.statuses().get(0).moves().get(0);
    assertThat(done.volumeId()).isEqualTo("v1");
    assertThat(done.fromPoolId()).isEqualTo("p1");
    assertThat(done.toPoolId()).isEqualTo("p2");
    assertThat(done.totalExtents()).isEqualTo(1024);
    assertThat(done.copiedExtents()).isEqualTo(1024);
    byte[] back = readBlock(port, 0, 4 << 20);
    assertThat(java.util.Arrays.copyOf(back, 1 << 20)).isEqualTo(during);
    assertThat(java.util.Arrays.copyOfRange(back, 1 << 20, 4 << 20))
        .isEqualTo(java.util.Arrays.copyOfRange(first, 1 << 20, 4 << 20));

    // the control plane drops the move: the engine serves the new pool's copy, reports no move
    reconciler.apply(twoPools(3, port, "p2", null));
    await().atMost(Duration.ofSeconds(40)).until(() -> reconciler.statuses().get(0).moves().isEmpty());
    assertThat(readBlock(port, 0, 4 << 20)).isEqualTo(back);
    assertThat(reconciler.engineState("a1").pid()).as("moved without a restart").isEqualTo(pid);
  }

  record Result(int exit, String output) {}

  static Result run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish");
    }
    return new Result(process.exitValue(), output);
  }

  static boolean onClasspath(String name) {
    try {
      Class.forName(name, false, RealEngineTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
