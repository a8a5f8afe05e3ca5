package io.strata.agent.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.agent.inventory.Drive;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveRole;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.LunSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.RollbackSpec;
import io.strata.contracts.command.ArrayDesiredState.ServerSpec;
import io.strata.contracts.command.ArrayDesiredState.SnapshotSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.event.ObjectStatus.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Desired state → engine layout, without an engine: what the agent decides by itself. */
class LayoutPlannerTest {

  static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
  final SealedSecret secrets = new SealedSecret(KEY, "k1");
  final LayoutPlanner planner = new LayoutPlanner(secrets);
  final Map<String, Drive> node = new HashMap<>();

  DriveSpec drive(String id, String serial, DriveType type, long gib, String pool) {
    node.put(serial, new Drive(serial, type, gib << 30, Path.of("/drives/" + serial + ".img")));
    return new DriveSpec(id, serial, type, gib, pool);
  }

  ArrayDesiredState array(List<DriveSpec> drives, List<PoolSpec> pools, List<VolumeSpec> volumes,
      List<ServerSpec> servers, List<LunSpec> luns) {
    return new ArrayDesiredState("a1", "1", "acme", 1, true, new EngineSpec("E01", 1, 1024), 3260,
        "iqn.2026-11.io.strata:acme.a1", drives, pools, volumes, servers, luns);
  }

  static VolumeSpec volume(String id, String pool) {
    return new VolumeSpec(id, pool, id, 1, true, null, null, List.of());
  }

  static LayoutPlanner.Planned object(LayoutPlanner.Plan plan, Kind kind, String id) {
    return plan.objects().stream().filter(o -> o.kind() == kind && o.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void drivesAreTheNodesFilesBySerialAndPoolsGetTheEnginesProtectionOrFailWhenItHasNone() {
    var desired = array(
        List.of(drive("d1", "n1-ssd-0", DriveType.SSD, 4, "p1"), drive("d2", "n1-ssd-1", DriveType.SSD, 4, "p1"),
            drive("d3", "n1-hdd-0", DriveType.HDD, 16, "p2"), drive("d4", "n1-hdd-1", DriveType.HDD, 16, "p2"),
            drive("d5", "n1-hdd-2", DriveType.HDD, 16, "p2"), drive("d6", "n1-hdd-3", DriveType.HDD, 16, "p2")),
        List.of(new PoolSpec("p1", "fast", DriveType.SSD, "RAID1", "NONE", false, 4),
            new PoolSpec("p2", "big", DriveType.HDD, "RAID10", "NONE", false, 32)),
        List.of(volume("v1", "p1"), volume("v2", "p2")), List.of(), List.of());
    var plan = planner.plan(desired, node, Set.of());

    assertThat(plan.layout().drives()).extracting(EngineLayout.Drive::name)
        .containsExactly("n1-hdd-0", "n1-hdd-1", "n1-hdd-2", "n1-hdd-3", "n1-ssd-0", "n1-ssd-1");
    assertThat(plan.layout().drives()).anySatisfy(d -> {
      assertThat(d.name()).isEqualTo("n1-ssd-0");
      assertThat(d.path()).isEqualTo("/drives/n1-ssd-0.img");
      assertThat(d.media()).isEqualTo("SSD");
    });
    assertThat(plan.layout().pools()).singleElement().satisfies(p -> {
      assertThat(p.name()).isEqualTo("p1");
      assertThat(p.protection()).isEqualTo("mirror");
      assertThat(p.drives()).containsExactly("n1-ssd-0", "n1-ssd-1");
    });
    assertThat(object(plan, Kind.POOL, "p2").reason()).contains("RAID10 (striped mirrors) is not in this engine yet");
    assertThat(object(plan, Kind.VOLUME, "v2").reason()).contains("pool p2 is not available").contains("RAID10");
    assertThat(plan.layout().volumes()).extracting(EngineLayout.Volume::name).containsExactly("v1");
    assertThat(LayoutPlanner.protection("RAID5", 3)).isEqualTo("parity");
    assertThat(LayoutPlanner.protection("RAID6", 4)).isEqualTo("parity2");
    assertThatThrownBy(() -> LayoutPlanner.protection("RAID6", 3)).hasMessageContaining("RAID6 takes 4 to 16 drives");
  }

  @Test
  void aPoolsScrubRequestReachesTheEngineLayoutWithItsRateAndNotOnAPoolWithoutRedundancy() throws Exception {
    var desired = array(
        List.of(drive("d1", "n1-ssd-0", DriveType.SSD, 4, "p1"), drive("d2", "n1-ssd-1", DriveType.SSD, 4, "p1"),
            drive("d3", "n1-hdd-0", DriveType.HDD, 16, "p2")),
        List.of(new PoolSpec("p1", "fast", DriveType.SSD, "RAID1", "NONE", false, 4,
                new ArrayDesiredState.ScrubSpec("scrub-7", 40)),
            new PoolSpec("p2", "plain", DriveType.HDD, "NONE", "NONE", false, 16,
                new ArrayDesiredState.ScrubSpec("scrub-8", 0))),
        List.of(), List.of(), List.of());
    var plan = planner.plan(desired, node, Set.of());
    assertThat(plan.layout().pools()).filteredOn(p -> p.name().equals("p1")).singleElement()
        .satisfies(p -> assertThat(p.scrub()).isEqualTo(new EngineLayout.Scrub("scrub-7", "40M")));
    assertThat(plan.layout().pools()).filteredOn(p -> p.name().equals("p2")).singleElement()
        .satisfies(p -> assertThat(p.scrub()).isNull());
    // The engine's layout JSON names it as the engine reads it.
    String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(plan.layout());
    assertThat(json).contains("\"scrub\":{\"request\":\"scrub-7\",\"rate\":\"40M\"}");
  }

  @Test
  void aParityPoolsRestripeRateReachesTheEngineLayoutAsARateItReadsAndNoOtherPoolGetsOne() throws Exception {
    var desired = array(
        List.of(drive("d1", "n1-ssd-0", DriveType.SSD, 4, "p1"), drive("d2", "n1-ssd-1", DriveType.SSD, 4, "p1"),
            drive("d3", "n1-ssd-2", DriveType.SSD, 4, "p1"), drive("d4", "n1-hdd-0", DriveType.HDD, 16, "p2"),
            drive("d5", "n1-hdd-1", DriveType.HDD, 16, "p2"), drive("d6", "n1-hdd-2", DriveType.HDD, 16, "p3"),
            drive("d7", "n1-hdd-3", DriveType.HDD, 16, "p3"), drive("d8", "n1-hdd-4", DriveType.HDD, 16, "p3")),
        List.of(new PoolSpec("p1", "wide", DriveType.SSD, "RAID5", "NONE", false, 8, null, 40),
            new PoolSpec("p2", "mirror", DriveType.HDD, "RAID1", "NONE", false, 16, null, 40),
            new PoolSpec("p3", "unlimited", DriveType.HDD, "RAID5", "NONE", false, 32, null, 0)),
        List.of(), List.of(), List.of());
    var pools = planner.plan(desired, node, Set.of()).layout().pools();
    assertThat(pools).filteredOn(p -> p.name().equals("p1")).singleElement()
        .satisfies(p -> assertThat(p.restripe()).isEqualTo(new EngineLayout.Restripe("40M")));
    assertThat(pools).filteredOn(p -> !p.name().equals("p1")).hasSize(2).allSatisfy(p -> assertThat(p.restripe())
        .as("a mirror never restripes; 0 is no limit").isNull());
    String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(pools.get(0));
    var read = new com.fasterxml.jackson.databind.ObjectMapper()
        .readValue(json, io.strata.engine.layout.ArrayLayout.PoolSpec.class);
    assertThat(read.restripeBytesPerSecond()).as("the engine's reading of %s", json).isEqualTo(40L << 20);
  }

  @Test
  void aScrubWithoutRateLimitIsARateTheEngineReads() {
    // found by the scrub end-to-end test (PoolOperationsEndToEndIT): "0M" made the engine refuse the whole layout
    var desired = array(
        List.of(drive("d1", "n1-ssd-0", DriveType.SSD, 4, "p1"), drive("d2", "n1-ssd-1", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "fast", DriveType.SSD, "RAID1", "NONE", false, 4,
            new ArrayDesiredState.ScrubSpec("scrub-9", 0))),
        List.of(), List.of(), List.of());
    EngineLayout.Scrub scrub = planner.plan(desired, node, Set.of()).layout().pools().get(0).scrub();
    assertThat(new io.strata.engine.layout.ArrayLayout.ScrubSpec(scrub.request(), scrub.rate()).bytesPerSecond())
        .as("the engine's reading of rate '%s'", scrub.rate()).isZero();
  }

  @Test
  void aDriveMissingOfTheWrongTypeOrHeldByAnotherArrayFailsAndSoDoesItsPool() {
    var desired = array(
        List.of(drive("d1", "n1-ssd-0", DriveType.SSD, 4, "p1"), new DriveSpec("d2", "n1-ssd-9", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "fast", DriveType.SSD, "RAID1", "NONE", false, 4)), List.of(), List.of(), List.of());
    var plan = planner.plan(desired, node, Set.of("n1-ssd-0"));
    assertThat(object(plan, Kind.DRIVE, "d1").reason()).contains("already belongs to another array");
    assertThat(object(plan, Kind.DRIVE, "d2").reason()).contains("n1-ssd-9 is not on node 1");
    assertThat(object(plan, Kind.POOL, "p1").reason()).contains("no usable drive");
    assertThat(plan.layout().drives()).isEmpty();
  }

  @Test
  void anHddPoolsCacheAndTierAreTheArraysUnpooledSsdsLargestFirstAndAPoolLeftWithoutFails() {
    var desired = array(
        List.of(drive("d1", "n1-hdd-0", DriveType.HDD, 16, "p1"), drive("d2", "n1-hdd-1", DriveType.HDD, 16, "p2"),
            drive("d3", "n1-ssd-small", DriveType.SSD, 4, null), drive("d4", "n1-ssd-big", DriveType.SSD, 8, null),
            drive("d5", "n1-ssd-pooled", DriveType.SSD, 8, "p3")),
        List.of(new PoolSpec("p1", "cached", DriveType.HDD, "NONE", "WRITE_BACK", true, 16),
            new PoolSpec("p2", "also-cached", DriveType.HDD, "NONE", "WRITE_THROUGH", false, 16),
            new PoolSpec("p3", "ssd", DriveType.SSD, "NONE", "NONE", false, 8)),
        List.of(), List.of(), List.of());
    var plan = planner.plan(desired, node, Set.of());
    EngineLayout.Pool p1 = plan.layout().pools().stream().filter(p -> p.name().equals("p1")).findFirst().orElseThrow();
    assertThat(p1.cache()).isEqualTo(new EngineLayout.Cache("n1-ssd-big", "write-back"));
    assertThat(p1.tiering()).isEqualTo(new EngineLayout.Tiering("n1-ssd-small"));
    assertThat(object(plan, Kind.POOL, "p2").reason()).contains("flash cache needs an SSD of the array on the engine's node that is in no pool");
    assertThat(plan.layout().pools()).extracting(EngineLayout.Pool::name).containsExactly("p1", "p3");
  }

  DriveSpec owned(String id, String serial, DriveType type, long gib, String pool, DriveRole role) {
    node.put(serial, new Drive(serial, type, gib << 30, Path.of("/drives/" + serial + ".img")));
    return new DriveSpec(id, serial, type, gib, pool, null, null, role);
  }

  /**
   * Issue 16: the control plane names each pool's cache and tier SSDs. The planner uses exactly
   * those (not the largest spare SSD), never gives a pool's cache or tier to another pool as a
   * member, and a pool whose named SSD is gone fails saying which.
   */
  @Test
  void namedCacheAndTierSsdsServeOnlyTheirPool() {
    var desired = array(
        List.of(owned("d1", "n1-hdd-0", DriveType.HDD, 16, "p1", DriveRole.MEMBER),
            owned("d2", "n1-hdd-1", DriveType.HDD, 16, "p1", DriveRole.MEMBER),
            owned("d3", "n1-ssd-small", DriveType.SSD, 4, "p1", DriveRole.CACHE),
            owned("d4", "n1-ssd-tier", DriveType.SSD, 4, "p1", DriveRole.TIER),
            owned("d5", "n1-ssd-big", DriveType.SSD, 8, null, null),
            owned("d6", "n1-hdd-2", DriveType.HDD, 16, "p2", DriveRole.MEMBER),
            new DriveSpec("d7", "n1-ssd-gone", DriveType.SSD, 4, "p2", null, null, DriveRole.CACHE)),
        List.of(new PoolSpec("p1", "cached", DriveType.HDD, "NONE", "WRITE_BACK", true, 16),
            new PoolSpec("p2", "lost-cache", DriveType.HDD, "NONE", "WRITE_BACK", false, 16)),
        List.of(), List.of(), List.of());
    var plan = planner.plan(desired, node, Set.of());
    EngineLayout.Pool p1 = plan.layout().pools().stream().filter(p -> p.name().equals("p1")).findFirst().orElseThrow();
    assertThat(p1.drives()).containsExactly("n1-hdd-0", "n1-hdd-1");
    assertThat(p1.cache()).isEqualTo(new EngineLayout.Cache("n1-ssd-small", "write-back"));
    assertThat(p1.tiering()).isEqualTo(new EngineLayout.Tiering("n1-ssd-tier"));
    assertThat(object(plan, Kind.POOL, "p2").reason()).contains("its flash cache SSD n1-ssd-gone is not usable");
    assertThat(plan.layout().pools()).extracting(EngineLayout.Pool::name).containsExactly("p1");
  }

  @Test
  void anEncryptedVolumeCarriesItsKekToTheEngineAndAPlainOneNothing() {
    var secret = new VolumeSpec("v1", "p1", "secret", 1, true, null, null, List.of(), null, null, null, false, null,
        "kek-17");
    var desired = array(List.of(drive("d1", "n1-ssd-0", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "fast", DriveType.SSD, "NONE", "NONE", false, 4)),
        List.of(secret, volume("v2", "p1")), List.of(), List.of());
    var plan = planner.plan(desired, node, Set.of());

    assertThat(plan.layout().volumes()).filteredOn(v -> v.name().equals("v1")).singleElement()
        .satisfies(v -> assertThat(v.encryption()).isEqualTo(new EngineLayout.Encryption("kek-17")));
    assertThat(object(plan, Kind.VOLUME, "v1").form()).contains("\"encryption\":{\"kek\":\"kek-17\"}");
    assertThat(object(plan, Kind.VOLUME, "v2").form()).doesNotContain("encryption");
  }

  @Test
  void aMovingVolumeNamesItsOldPoolAndFailsAloneWhenThatPoolIsUnusableOrItIsAClone() {
    var moving = new VolumeSpec("v1", "p2", "moving", 1, true, null, null, List.of(), null, null, null, false, "p1");
    var fromNowhere = new VolumeSpec("v2", "p2", "lost", 1, true, null, null, List.of(), null, null, null, false,
        "p-gone");
    var clone = new VolumeSpec("c1", "p2", "copy", 1, true, null, null, List.of(), "s1", null, null, false, "p1");
    var source = new VolumeSpec("v3", "p1", "source", 1, true, null, null, List.of(new SnapshotSpec("s1", "snap")));
    var desired = array(
        List.of(drive("d1", "n1-hdd-0", DriveType.HDD, 16, "p1"), drive("d2", "n1-ssd-0", DriveType.SSD, 4, "p2")),
        List.of(new PoolSpec("p1", "slow", DriveType.HDD, "NONE", "NONE", false, 16),
            new PoolSpec("p2", "fast", DriveType.SSD, "NONE", "NONE", false, 4)),
        List.of(moving, fromNowhere, clone, source), List.of(), List.of());
    var plan = planner.plan(desired, node, Set.of());

    assertThat(plan.layout().volumes()).filteredOn(v -> v.name().equals("v1")).singleElement()
        .satisfies(v -> {
          assertThat(v.pool()).isEqualTo("p2");
          assertThat(v.moveFrom()).isEqualTo("p1");
        });
    assertThat(object(plan, Kind.VOLUME, "v1").form()).contains("\"moveFrom\":\"p1\"");
    assertThat(object(plan, Kind.VOLUME, "v3").form()).doesNotContain("moveFrom");
    assertThat(object(plan, Kind.VOLUME, "v2").reason())
        .startsWith("volume v2: it moves from pool p-gone, which is not available");
    assertThat(object(plan, Kind.VOLUME, "c1").reason())
        .isEqualTo("volume c1: a clone cannot move to another pool (it shares its extents with snapshot s1)");
    assertThat(plan.layout().volumes()).extracting(EngineLayout.Volume::name).containsExactlyInAnyOrder("v1", "v3");
  }

  @Test
  void aTierPinLandsInTheLayoutOnATieredPoolAndFailsOnlyItsVolumeOnAPoolWithoutTiers() {
    var onSsd = new VolumeSpec("v1", "p1", "hot", 1, true, null, null, List.of(), null, null, DriveType.SSD);
    var onHdd = new VolumeSpec("v2", "p1", "cold", 1, true, null, null, List.of(), null, null, DriveType.HDD);
    var unpinned = volume("v3", "p1");
    var notTiered = new VolumeSpec("v4", "p2", "wrong", 1, true, null, null, List.of(), null, null, DriveType.SSD);
    var desired = array(
        List.of(drive("d1", "n1-hdd-0", DriveType.HDD, 16, "p1"), drive("d2", "n1-ssd-0", DriveType.SSD, 4, null),
            drive("d3", "n1-hdd-1", DriveType.HDD, 16, "p2")),
        List.of(new PoolSpec("p1", "tiered", DriveType.HDD, "NONE", "NONE", true, 16),
            new PoolSpec("p2", "plain", DriveType.HDD, "NONE", "NONE", false, 16)),
        List.of(onSsd, onHdd, unpinned, notTiered), List.of(), List.of());
    var plan = planner.plan(desired, node, Set.of());

    Map<String, String> tierOf = new HashMap<>();
    plan.layout().volumes().forEach(v -> tierOf.put(v.name(), String.valueOf(v.tier())));
    assertThat(tierOf).containsEntry("v1", "SSD").containsEntry("v2", "HDD").containsEntry("v3", "null")
        .doesNotContainKey("v4");
    assertThat(object(plan, Kind.VOLUME, "v1").form()).contains("\"tier\":\"SSD\"");
    assertThat(object(plan, Kind.VOLUME, "v3").form()).doesNotContain("tier");
    assertThat(object(plan, Kind.VOLUME, "v4").reason())
        .isEqualTo("volume v4: tierPin SSD needs a pool with tiering; pool p2 has none");
  }

  @Test
  void snapshotsClonesAndRollbacksAreNamedByTheirIdsAndOnlyAVolumesOwnSnapshotRollsItBack() {
    var v1 = new VolumeSpec("v1", "p1", "data", 2, false, 500, 100,
        List.of(new SnapshotSpec("s1", "monday"), new SnapshotSpec("s2", "tuesday")), null, new RollbackSpec("r1", "s1"));
    var clone = new VolumeSpec("c1", "p1", "copy", 2, true, null, null, List.of(new SnapshotSpec("s3", "of-copy")), "s1", null);
    var wrongRollback = new VolumeSpec("v2", "p1", "other", 1, true, null, null, List.of(), null, new RollbackSpec("r2", "s1"));
    var orphanClone = new VolumeSpec("c2", "p1", "lost", 1, true, null, null, List.of(), "s-gone", null);
    var desired = array(List.of(drive("d1", "n1-ssd-0", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "fast", DriveType.SSD, "NONE", "NONE", false, 4)),
        List.of(v1, clone, wrongRollback, orphanClone), List.of(), List.of());
    var plan = planner.plan(desired, node, Set.of());

    EngineLayout.Volume planned = plan.layout().volumes().stream().filter(v -> v.name().equals("v1")).findFirst().orElseThrow();
    assertThat(planned.size()).isEqualTo(String.valueOf(2L << 30));
    assertThat(planned.thick()).isTrue();
    assertThat(planned.qos()).isEqualTo(new EngineLayout.Qos(500L, "100M"));
    assertThat(planned.rollback()).isEqualTo(new EngineLayout.Rollback("r1", "s1"));
    assertThat(plan.layout().volumes()).filteredOn(v -> v.name().equals("c1")).singleElement()
        .satisfies(c -> assertThat(c.cloneOf()).isEqualTo("s1"));
    assertThat(plan.layout().snapshots()).containsExactlyInAnyOrder(new EngineLayout.Snapshot("s1", "v1"),
        new EngineLayout.Snapshot("s2", "v1"), new EngineLayout.Snapshot("s3", "c1"));
    assertThat(object(plan, Kind.ROLLBACK, "r1").failed()).isFalse();
    assertThat(object(plan, Kind.ROLLBACK, "r2").reason()).contains("snapshot s1 is not one of its snapshots");
    assertThat(plan.layout().volumes()).filteredOn(v -> v.name().equals("v2")).singleElement()
        .satisfies(v -> assertThat(v.rollback()).isNull());
    assertThat(object(plan, Kind.VOLUME, "c2").reason()).contains("snapshot s-gone is not in this array");
  }

  @Test
  void eachServerSeesOnlyItsLunsAVolumeHasOneLunNumberAndNoLunIsServedWithoutAnAdmittedServer() {
    List<ServerSpec> servers = List.of(
        new ServerSpec("s1", "iqn.test:web1", "web1", secrets.seal("web1-secret-123"), null, null),
        new ServerSpec("s2", "iqn.test:web2", "web2", secrets.seal("web2-secret-123"), "target", secrets.seal("target-secret-1")),
        new ServerSpec("s3", "iqn.test:broken", "x", "dev1:garbage", null, null));
    List<LunSpec> luns = new ArrayList<>(List.of(
        new LunSpec("t1", "v1", "s1", 3, false), new LunSpec("t2", "v1", "s2", 3, false),
        new LunSpec("t3", "v2", "s1", 4, false), new LunSpec("t4", "v2", "s2", 5, false),
        new LunSpec("t5", "v3", "s3", 6, false), new LunSpec("t6", "v3", "s1", 6, true)));
    var desired = array(List.of(drive("d1", "n1-ssd-0", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "fast", DriveType.SSD, "NONE", "NONE", false, 4)),
        List.of(volume("v1", "p1"), volume("v2", "p1"), volume("v3", "p1")), servers, luns);
    var plan = planner.plan(desired, node, Set.of());

    assertThat(plan.layout().luns()).containsExactly(new EngineLayout.Lun(3, "v1"), new EngineLayout.Lun(4, "v2"));
    assertThat(object(plan, Kind.LUN, "t4").reason()).contains("volume v2 is LUN 4").contains("asks LUN 5")
        .contains("one LUN number per array");
    assertThat(object(plan, Kind.LUN, "t5").reason()).contains("server s3 is not admitted");
    assertThat(object(plan, Kind.LUN, "t6").reason()).contains("read-only");
    assertThat(object(plan, Kind.SERVER, "s3").reason()).contains("CHAP secret");
    assertThat(plan.layout().initiators()).containsExactly(
        new EngineLayout.Initiator("iqn.test:web1", new EngineLayout.Credentials("web1", "web1-secret-123"), List.of(3, 4)),
        new EngineLayout.Initiator("iqn.test:web2", new EngineLayout.Credentials("web2", "web2-secret-123"), List.of(3)));
    assertThat(plan.layout().mutualChap()).isEqualTo(new EngineLayout.Credentials("target", "target-secret-1"));
  }

  @Test
  void theWriterKeepsTheRevisionForTheSameLayoutAndBumpsItOnAChange(@org.junit.jupiter.api.io.TempDir Path dir) {
    var desired = array(List.of(drive("d1", "n1-ssd-0", DriveType.SSD, 4, "p1")),
        List.of(new PoolSpec("p1", "fast", DriveType.SSD, "NONE", "NONE", false, 4)),
        List.of(volume("v1", "p1")), List.of(), List.of());
    LayoutFiles files = new LayoutFiles(dir);
    assertThat(files.write(planner.plan(desired, node, Set.of()).layout()).revision()).isEqualTo(1);
    assertThat(files.write(planner.plan(desired, node, Set.of()).layout()).revision()).isEqualTo(1);
    var grown = array(desired.drives(), desired.pools(), List.of(new VolumeSpec("v1", "p1", "v1", 2, true, null, null, List.of())),
        List.of(), List.of());
    assertThat(files.write(planner.plan(grown, node, Set.of()).layout()).revision()).isEqualTo(2);
    assertThat(files.read().volumes().get(0).size()).isEqualTo(String.valueOf(2L << 30));
  }

  @Test
  void drivesOfOtherNodesBecomeRemoteDrivesWithTheDerivedChapAndTheMirrorSpansBothNodes() throws Exception {
    var credentials = new io.strata.contracts.command.DriveExportCredentials(KEY);
    var spreadPlanner = new LayoutPlanner(secrets, credentials);
    DriveSpec local = new DriveSpec("d1", "n1-ssd-0", DriveType.SSD, 4, "p1", "1", null);
    node.put("n1-ssd-0", new Drive("n1-ssd-0", DriveType.SSD, 4L << 30, Path.of("/drives/n1-ssd-0.img")));
    DriveSpec remote = new DriveSpec("d2", "n2-ssd-0", DriveType.SSD, 4, "p1", "2", "127.0.0.2:3259");
    DriveSpec unexported = new DriveSpec("d3", "n3-ssd-0", DriveType.SSD, 4, null, "3", null);
    var desired = new ArrayDesiredState("a1", "1", "acme", 1, true, new EngineSpec("E01", 1, 1024), 3260,
        "iqn.2026-11.io.strata:acme.a1", List.of(local, remote, unexported),
        List.of(new PoolSpec("p1", "fast", DriveType.SSD, "RAID1", "NONE", false, 4)),
        List.of(volume("v1", "p1")), List.of(), List.of(), "1");
    var plan = spreadPlanner.plan(desired, node, Set.of());

    EngineLayout.Drive written = plan.layout().drives().stream().filter(d -> d.name().equals("n2-ssd-0"))
        .findFirst().orElseThrow();
    assertThat(written.path()).isNull();
    assertThat(written.size()).isNull();
    assertThat(written.media()).isEqualTo("SSD");
    assertThat(written.remote().portal()).isEqualTo("127.0.0.2:3259");
    assertThat(written.remote().target()).isEqualTo("iqn.2026-01.io.strata:drive.d2");
    assertThat(written.remote().lun()).isZero();
    assertThat(written.remote().initiator()).isEqualTo("iqn.2026-01.io.strata:engine.a1");
    assertThat(written.remote().chap().user()).isEqualTo("a1");
    assertThat(written.remote().chap().secret()).isEqualTo(credentials.secret("a1"));
    assertThat(plan.layout().pools()).singleElement().satisfies(p -> {
      assertThat(p.protection()).isEqualTo("mirror");
      assertThat(p.drives()).containsExactly("n1-ssd-0", "n2-ssd-0");
    });
    assertThat(object(plan, Kind.DRIVE, "d2").failed()).isFalse();
    assertThat(object(plan, Kind.DRIVE, "d3").reason()).contains("is on node 3, which exports no drives");
    assertThat(object(plan, Kind.VOLUME, "v1").failed()).isFalse();

    // the layout file the engine reads: the remote drive as REMOTE-DRIVES.md fixes it, no path
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(plan.layout()));
    var entry = json.path("drives").get(1);
    assertThat(entry.path("name").asText()).isEqualTo("n2-ssd-0");
    assertThat(entry.has("path")).isFalse();
    assertThat(entry.path("remote").path("chap").path("user").asText()).isEqualTo("a1");
    assertThat(entry.path("remote").path("lun").asInt()).isZero();
  }

  @Test
  void withoutTheKeyAnAgentCannotOpenOtherNodesDrivesAndSaysWhy() {
    DriveSpec remote = new DriveSpec("d2", "n2-ssd-0", DriveType.SSD, 4, null, "2", "127.0.0.2:3259");
    var desired = new ArrayDesiredState("a1", "1", "acme", 1, true, new EngineSpec("E01", 1, 1024), 3260,
        "iqn.2026-11.io.strata:acme.a1", List.of(remote), List.of(), List.of(), List.of(), List.of(), "1");
    assertThat(object(planner.plan(desired, node, Set.of()), Kind.DRIVE, "d2").reason())
        .contains("no key to log in to other nodes' drives");
  }
}
