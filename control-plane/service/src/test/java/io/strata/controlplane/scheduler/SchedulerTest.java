package io.strata.controlplane.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.controlplane.domain.DriveType;
import io.strata.controlplane.domain.EngineSize;
import io.strata.controlplane.domain.NodeState;
import io.strata.controlplane.domain.SpreadPolicy;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchedulerTest {
  private final Scheduler scheduler = Scheduler.standard();

  private static PlacementRequest request(EngineSize size, SpreadPolicy spread, int ssd, int hdd) {
    return new PlacementRequest(size, spread, Map.of(DriveType.SSD, ssd, DriveType.HDD, hdd));
  }

  private static Map<String, Long> drivesPerNode(Layout layout, Placement placement) {
    return placement.drives().stream()
        .collect(Collectors.groupingBy(d -> layout.nameOf(d.nodeId()), Collectors.counting()));
  }

  @Test
  void engineGoesToTheNodeWithMostRoomLeft() {
    Layout layout =
        new Layout()
            .node("a", "z1", NodeState.ONLINE, 16, 64, 12, 48, 2, 2)
            .node("b", "z1", NodeState.ONLINE, 16, 64, 2, 8, 2, 2)
            .node("c", "z2", NodeState.ONLINE, 16, 64, 8, 32, 2, 2);
    Placement p = scheduler.place(layout.build(), request(EngineSize.E02, SpreadPolicy.NODE, 2, 0));
    assertThat(layout.nameOf(p.nodeId())).isEqualTo("b");
  }

  @Test
  void offlineAndMaintenanceNodesNeverGetEnginesOrDrives() {
    Layout layout =
        new Layout()
            .node("a", "z1", NodeState.OFFLINE, 64, 256, 0, 0, 8, 8)
            .node("b", "z1", NodeState.MAINTENANCE, 64, 256, 0, 0, 8, 8)
            .node("c", "z1", NodeState.ONLINE, 4, 16, 0, 0, 1, 0)
            .node("d", "z2", NodeState.ONLINE, 4, 16, 0, 0, 1, 0);
    Placement p = scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NODE, 2, 0));
    assertThat(layout.nameOf(p.nodeId())).isIn("c", "d");
    assertThat(drivesPerNode(layout, p)).containsOnlyKeys("c", "d");
  }

  @Test
  void anHaArrayGetsItsStandbyOnAnotherNodeAndItsDrivesOnlyOnTheTwo() {
    Layout layout =
        new Layout()
            .node("a", "z1", NodeState.ONLINE, 16, 64, 0, 0, 4, 4)
            .node("b", "z1", NodeState.ONLINE, 16, 64, 2, 8, 4, 4)
            .node("c", "z2", NodeState.ONLINE, 16, 64, 4, 16, 4, 4);
    Placement p = scheduler.placeHighlyAvailable(layout.build(), request(EngineSize.E01, SpreadPolicy.NODE, 4, 2));
    assertThat(layout.nameOf(p.nodeId())).isEqualTo("a");
    assertThat(layout.nameOf(p.standbyNodeId())).isEqualTo("b");
    assertThat(drivesPerNode(layout, p)).containsOnly(Map.entry("a", 3L), Map.entry("b", 3L));
    // spread ZONE: the standby in another zone, even with less room
    Placement zoned = scheduler.placeHighlyAvailable(layout.build(), request(EngineSize.E01, SpreadPolicy.ZONE, 2, 0));
    assertThat(layout.nameOf(zoned.standbyNodeId())).isEqualTo("c");
  }

  @Test
  void anHaArrayWithoutASecondOnlineNodeOrZoneIsRefused() {
    Layout one = new Layout()
        .node("a", "z1", NodeState.ONLINE, 16, 64, 0, 0, 4, 4)
        .node("b", "z2", NodeState.MAINTENANCE, 16, 64, 0, 0, 4, 4);
    assertThatThrownBy(() -> scheduler.placeHighlyAvailable(one.build(), request(EngineSize.E01, SpreadPolicy.NODE, 2, 0)))
        .extracting(e -> ((PlacementException) e).shortResource()).isEqualTo("node");
    Layout oneZone = new Layout()
        .node("a", "z1", NodeState.ONLINE, 16, 64, 0, 0, 4, 4)
        .node("b", "z1", NodeState.ONLINE, 16, 64, 0, 0, 4, 4);
    assertThatThrownBy(() -> scheduler.placeHighlyAvailable(oneZone.build(), request(EngineSize.E01, SpreadPolicy.ZONE, 2, 0)))
        .extracting(e -> ((PlacementException) e).shortResource()).isEqualTo("fault domains");
    Layout busy = new Layout()
        .node("a", "z1", NodeState.ONLINE, 16, 64, 0, 0, 4, 4)
        .node("b", "z2", NodeState.ONLINE, 16, 64, 0, 62, 4, 4);
    assertThatThrownBy(() -> scheduler.placeHighlyAvailable(busy.build(), request(EngineSize.E01, SpreadPolicy.NODE, 2, 0)))
        .hasMessageContaining("standby engine cannot be placed")
        .extracting(e -> ((PlacementException) e).shortResource()).isEqualTo("memory");
  }

  @Test
  void noNodeEnrolledIsReportedAsShortOfNodes() {
    assertThatThrownBy(() -> scheduler.place(List.of(), request(EngineSize.E01, SpreadPolicy.NONE, 0, 0)))
        .isInstanceOf(PlacementException.class)
        .hasMessageContaining("no storage node")
        .extracting(e -> ((PlacementException) e).shortResource())
        .isEqualTo("node");
  }

  @Test
  void allNodesOfflineIsReportedAsShortOfNodes() {
    Layout layout = new Layout().node("a", "z1", NodeState.OFFLINE, 64, 256, 0, 0, 8, 8);
    assertThatThrownBy(() -> scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NONE, 1, 0)))
        .isInstanceOf(PlacementException.class)
        .hasMessageContaining("a is OFFLINE")
        .extracting(e -> ((PlacementException) e).shortResource())
        .isEqualTo("node");
  }

  @Test
  void cpuShortageNamesVcpu() {
    Layout layout =
        new Layout()
            .node("a", "z1", NodeState.ONLINE, 8, 256, 6, 0, 2, 0)
            .node("b", "z2", NodeState.ONLINE, 8, 256, 7, 0, 2, 0);
    assertThatThrownBy(() -> scheduler.place(layout.build(), request(EngineSize.E04, SpreadPolicy.NODE, 2, 0)))
        .isInstanceOf(PlacementException.class)
        .hasMessageContaining("a has 2 free vCPU, engine E04 needs 4")
        .hasMessageContaining("b has 1 free vCPU")
        .extracting(e -> ((PlacementException) e).shortResource())
        .isEqualTo("vcpu");
  }

  @Test
  void memoryShortageNamesMemory() {
    Layout layout = new Layout().node("a", "z1", NodeState.ONLINE, 64, 40, 0, 20, 2, 0);
    assertThatThrownBy(() -> scheduler.place(layout.build(), request(EngineSize.E08, SpreadPolicy.NONE, 1, 0)))
        .isInstanceOf(PlacementException.class)
        .hasMessageContaining("20 GiB free memory, engine E08 needs 32 GiB")
        .extracting(e -> ((PlacementException) e).shortResource())
        .isEqualTo("memory");
  }

  @Test
  void engineFitsExactlyIntoTheLastFreeShare() {
    Layout layout = new Layout().node("a", "z1", NodeState.ONLINE, 8, 32, 4, 16, 1, 0);
    Placement p = scheduler.place(layout.build(), request(EngineSize.E04, SpreadPolicy.NONE, 1, 0));
    assertThat(layout.nameOf(p.nodeId())).isEqualTo("a");
  }

  @ParameterizedTest(name = "{0}: {1} vCPU used of 8 → fits={2}")
  @CsvSource({"E01,7,true", "E01,8,false", "E02,6,true", "E02,7,false", "E04,4,true", "E04,5,false", "E08,0,true", "E08,1,false"})
  void everyEngineSizeReservesItsVcpus(EngineSize size, int usedCpu, boolean fits) {
    Layout layout = new Layout().node("a", "z1", NodeState.ONLINE, 8, 1024, usedCpu, 0, 0, 0);
    if (fits) {
      assertThat(scheduler.place(layout.build(), request(size, SpreadPolicy.NONE, 0, 0)).nodeId())
          .isEqualTo(Layout.idOf("a"));
    } else {
      assertThatThrownBy(() -> scheduler.place(layout.build(), request(size, SpreadPolicy.NONE, 0, 0)))
          .isInstanceOf(PlacementException.class);
    }
  }

  @Test
  void tooFewDrivesOfATypeNamesThatType() {
    Layout layout = new Layout().node("a", "z1", 16, 64, 4, 1).node("b", "z2", 16, 64, 0, 1);
    assertThatThrownBy(() -> scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NONE, 2, 3)))
        .isInstanceOf(PlacementException.class)
        .hasMessage("need 3 free HDD drives, 2 available")
        .extracting(e -> ((PlacementException) e).shortResource())
        .isEqualTo("HDD drives");
  }

  @Test
  void drivesOnOfflineNodesDoNotCount() {
    Layout layout =
        new Layout()
            .node("a", "z1", NodeState.ONLINE, 16, 64, 0, 0, 1, 0)
            .node("b", "z1", NodeState.OFFLINE, 16, 64, 0, 0, 5, 0);
    assertThatThrownBy(() -> scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NONE, 2, 0)))
        .hasMessage("need 2 free SSD drives, 1 available");
  }

  @Test
  void mirroredPairIsSplitAcrossTwoNodes() {
    Layout layout = new Layout().node("a", "z1", 16, 64, 4, 0).node("b", "z1", 16, 64, 4, 0);
    Placement p = scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NODE, 2, 0));
    assertThat(drivesPerNode(layout, p)).containsEntry("a", 1L).containsEntry("b", 1L);
  }

  @Test
  void drivesAreSpreadAsEvenlyAsTheNodesAllow() {
    Layout layout =
        new Layout().node("a", "z1", 16, 64, 0, 6).node("b", "z1", 16, 64, 0, 6).node("c", "z1", 16, 64, 0, 6);
    Placement p = scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NODE, 0, 6));
    assertThat(drivesPerNode(layout, p)).containsEntry("a", 2L).containsEntry("b", 2L).containsEntry("c", 2L);
  }

  @Test
  void unevenFreeDrivesStillSpreadBeforeStacking() {
    // c has only one free HDD: it gets one, a and b take the rest evenly
    Layout layout =
        new Layout().node("a", "z1", 16, 64, 0, 6).node("b", "z1", 16, 64, 0, 6).node("c", "z1", 16, 64, 0, 1);
    Placement p = scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NODE, 0, 5));
    assertThat(drivesPerNode(layout, p)).containsEntry("a", 2L).containsEntry("b", 2L).containsEntry("c", 1L);
  }

  @Test
  void nodeSpreadRefusesWhenAllFreeDrivesAreOnOneNode() {
    Layout layout = new Layout().node("a", "z1", 16, 64, 4, 0).node("b", "z1", 16, 64, 0, 4);
    assertThatThrownBy(() -> scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NODE, 2, 0)))
        .isInstanceOf(PlacementException.class)
        .hasMessageContaining("SSD drives must span at least 2 nodes")
        .extracting(e -> ((PlacementException) e).shortResource())
        .isEqualTo("fault domains");
  }

  @Test
  void zoneSpreadUsesTwoZonesEvenWhenOneZoneHasManyNodes() {
    Layout layout =
        new Layout()
            .node("a", "z1", 16, 64, 4, 0)
            .node("b", "z1", 16, 64, 4, 0)
            .node("c", "z1", 16, 64, 4, 0)
            .node("d", "z2", 16, 64, 4, 0);
    Placement p = scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.ZONE, 2, 0));
    Set<String> zones = p.drives().stream().map(DriveView::zone).collect(Collectors.toSet());
    assertThat(zones).containsExactlyInAnyOrder("z1", "z2");
  }

  @Test
  void zoneSpreadRefusesASingleZoneAndSaysZones() {
    Layout layout = new Layout().node("a", "z1", 16, 64, 4, 0).node("b", "z1", 16, 64, 4, 0);
    assertThatThrownBy(() -> scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.ZONE, 2, 0)))
        .hasMessageContaining("at least 2 zones")
        .hasMessageContaining("are on 1 zones");
  }

  @Test
  void spreadNoneAllowsASingleNodeDevelopmentSetup() {
    Layout layout = new Layout().node("solo", "z1", 8, 32, 3, 3);
    Placement p = scheduler.place(layout.build(), request(EngineSize.E02, SpreadPolicy.NONE, 3, 3));
    assertThat(p.drives()).hasSize(6);
    assertThat(drivesPerNode(layout, p)).containsOnlyKeys("solo");
  }

  @Test
  void aSingleDriveNeedsNoSecondDomain() {
    Layout layout = new Layout().node("a", "z1", 16, 64, 1, 0);
    assertThat(scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NODE, 1, 0)).drives())
        .hasSize(1);
  }

  @Test
  void noDriveIsPickedTwiceAndEachHasTheRequestedType() {
    Layout layout = new Layout();
    for (int i = 0; i < 7; i++) {
      layout.node("n" + i, "z" + (i % 3), 32, 128, 3, 5);
    }
    Placement p = scheduler.place(layout.build(), request(EngineSize.E08, SpreadPolicy.ZONE, 10, 20));
    Set<UUID> ids = new HashSet<>();
    p.drives().forEach(d -> assertThat(ids.add(d.id())).isTrue());
    assertThat(p.drives().stream().filter(d -> d.type() == DriveType.SSD)).hasSize(10);
    assertThat(p.drives().stream().filter(d -> d.type() == DriveType.HDD)).hasSize(20);
    // 7 nodes in 3 zones: 10 SSDs over zones of 9/6/6 free → 4/3/3 or 3/4/3 ...
    Map<String, Long> ssdPerZone =
        p.drives().stream()
            .filter(d -> d.type() == DriveType.SSD)
            .collect(Collectors.groupingBy(DriveView::zone, Collectors.counting()));
    assertThat(ssdPerZone.values()).allSatisfy(c -> assertThat(c).isBetween(3L, 4L));
  }

  @Test
  void engineNodeWithTheRequestedDrivesWinsATieOnCpuAndMemory() {
    Layout layout = new Layout().node("a", "z1", 16, 64, 0, 0).node("b", "z1", 16, 64, 2, 0);
    Placement p = scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NONE, 2, 0));
    assertThat(layout.nameOf(p.nodeId())).isEqualTo("b");
  }

  @Test
  void spreadNoneKeepsEveryDriveOnTheEnginesNodeEvenWhenAnotherNodeIsLessLoaded() {
    // a has more free CPU (the weighers prefer it) but only b holds 2 SSD + 2 HDD by itself.
    Layout layout = new Layout()
        .node("a", "z1", NodeState.ONLINE, 64, 256, 0, 0, 1, 1)
        .node("b", "z1", NodeState.ONLINE, 8, 32, 4, 0, 2, 2);
    Placement p = scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NONE, 2, 2));
    assertThat(layout.nameOf(p.nodeId())).isEqualTo("b");
    assertThat(drivesPerNode(layout, p)).containsOnlyKeys("b");
  }

  @Test
  void spreadNoneRefusesWhenNoSingleNodeHoldsTheDrives() {
    Layout layout = new Layout().node("a", "z1", 16, 64, 1, 0).node("b", "z1", 16, 64, 1, 0);
    assertThatThrownBy(() -> scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NONE, 2, 0)))
        .isInstanceOf(PlacementException.class)
        .hasMessageContaining("engine's node")
        .extracting(e -> ((PlacementException) e).shortResource())
        .isEqualTo("SSD drives");
  }

  @Test
  void addedDrivesOfASpreadNoneArrayComeFromItsEnginesNode() {
    Layout layout = new Layout().node("a", "z1", 16, 64, 3, 0).node("b", "z1", 16, 64, 1, 0);
    List<DriveView> picked = scheduler.addDrives(layout.build(), DriveType.SSD, 1, SpreadPolicy.NONE, List.of(),
        Layout.idOf("b"));
    assertThat(picked).singleElement().satisfies(d -> assertThat(d.nodeId()).isEqualTo(Layout.idOf("b")));
  }

  @Test
  void equalNodesAreChosenDeterministically() {
    Layout layout = new Layout().node("b", "z1", 16, 64, 1, 0).node("a", "z1", 16, 64, 1, 0);
    Placement p = scheduler.place(layout.build(), request(EngineSize.E01, SpreadPolicy.NONE, 0, 0));
    assertThat(layout.nameOf(p.nodeId())).isEqualTo("a");
  }

  @Test
  void addingDrivesLaterSpreadsAgainstWhatTheArrayAlreadyHolds() {
    Layout layout = new Layout().node("a", "z1", 16, 64, 4, 0).node("b", "z1", 16, 64, 4, 0);
    List<NodeView> nodes = layout.build();
    DriveView heldOnA = new DriveView(UUID.randomUUID(), Layout.idOf("a"), "z1", DriveType.SSD, 960);
    List<DriveView> added =
        scheduler.addDrives(nodes, DriveType.SSD, 1, SpreadPolicy.NODE, List.of(heldOnA), null);
    assertThat(layout.nameOf(added.get(0).nodeId())).isEqualTo("b");
  }

  @Test
  void largerDrivesArePickedFirst() {
    UUID n = Layout.idOf("a");
    NodeView node =
        new NodeView(
            n, "a", "z1", NodeState.ONLINE, 8, 32, 0, 0,
            List.of(
                new DriveView(Layout.idOf("small"), n, "z1", DriveType.HDD, 1000),
                new DriveView(Layout.idOf("big"), n, "z1", DriveType.HDD, 8000)));
    Placement p = scheduler.place(List.of(node), request(EngineSize.E01, SpreadPolicy.NONE, 0, 1));
    assertThat(p.drives()).extracting(DriveView::capacityGib).containsExactly(8000L);
  }

  @Test
  void negativeDriveCountsAreRefused() {
    assertThatThrownBy(() -> request(EngineSize.E01, SpreadPolicy.NONE, -1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
