package io.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import csi.v1.ControllerGrpc;
import csi.v1.Csi;
import csi.v1.IdentityGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.strata.csi.CsiServer;
import io.strata.csi.DriverConfig;
import io.strata.testsupport.TestServers;
import io.strata.testsupport.Tokens;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The controller checks of csi-sanity (kubernetes-csi/csi-test, pkg/sanity/controller.go and
 * identity.go), ported to JUnit: the real csi-sanity is a Go program that cannot be built here.
 * The driver runs in this JVM and is called over its real Unix domain socket; it provisions on the
 * real stack of {@link RunningStack} (packaged control plane, two agents running real engines), as
 * the tenant acme with a Keycloak password grant. Each check names the csi-sanity case it ports.
 */
class CsiControllerSanityEndToEndIT extends RunningStack {

  static final long GIB = 1L << 30;
  static final String NODE = "iqn.2026-11.io.strata.csi:node-1";
  static final Csi.VolumeCapability MOUNT = Csi.VolumeCapability.newBuilder()
      .setMount(Csi.VolumeCapability.MountVolume.getDefaultInstance())
      .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder()
          .setMode(Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER))
      .build();

  static CsiServer driver;
  static ManagedChannel channel;
  static EpollEventLoopGroup clientLoop;
  static ControllerGrpc.ControllerBlockingStub controller;
  static IdentityGrpc.IdentityBlockingStub identity;
  static Map<String, String> parameters;

  @BeforeAll
  static void arrayPoolAndDriver() throws Exception {
    awaitBothNodesOnline();
    Api acme = new Api(controlPlaneUrl, Tokens.accessToken("acme-admin"));
    JsonNode array = acme.post("/api/v1/arrays", Map.of("name", "k8s", "engineSize", "E01", "ssdDrives", 2,
        "hddDrives", 0)).require(201);
    String arrayId = array.path("id").asText();
    awaitState(acme, "/api/v1/arrays/" + arrayId, "ONLINE");
    acme.post("/api/v1/pools", Map.of("arrayId", arrayId, "name", "gold", "driveType", "SSD",
        "protection", "RAID1", "driveCount", 2)).require(201);
    // the StorageClass's parameters: array and pool by name
    parameters = Map.of("array", "k8s", "pool", "gold", "thin", "true");

    Properties settings = new Properties();
    settings.setProperty("controlPlaneUrl", controlPlaneUrl);
    settings.setProperty("tokenUrl", TestServers.realmUrl() + "/protocol/openid-connect/token");
    settings.setProperty("clientId", "strata-cli");
    settings.setProperty("username", "acme-admin");
    settings.setProperty("password", Tokens.DEMO_PASSWORD);
    settings.setProperty("chapUser", "k8snode");
    settings.setProperty("chapSecret", "k8s-node-chap-secret");
    settings.setProperty("waitTimeout", "PT120S");
    DriverConfig config = DriverConfig.from(settings);
    Path socket = work.resolve("csi").resolve("csi.sock");
    driver = CsiServer.start(socket, CsiServer.controller(config));
    clientLoop = new EpollEventLoopGroup(1);
    channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
        .channelType(EpollDomainSocketChannel.class)
        .eventLoopGroup(clientLoop)
        .usePlaintext()
        .build();
    controller = ControllerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.MINUTES);
    identity = IdentityGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.MINUTES);
  }

  @AfterAll
  static void stopDriver() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    if (driver != null) {
      driver.close();
    }
  }

  static void assertCode(Status.Code code, String field, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
      if (field != null) {
        assertThat(e.getStatus().getDescription()).contains(field);
      }
    });
  }

  static Csi.CreateVolumeRequest.Builder volumeRequest(String name, long bytes) {
    return Csi.CreateVolumeRequest.newBuilder().setName(name).addVolumeCapabilities(MOUNT)
        .putAllParameters(parameters)
        .setCapacityRange(Csi.CapacityRange.newBuilder().setRequiredBytes(bytes));
  }

  @Test
  void identityAndCapabilities() {
    // Identity: GetPluginInfo returns a name and version; Probe is ready; the controller service is offered
    Csi.GetPluginInfoResponse info = identity.getPluginInfo(Csi.GetPluginInfoRequest.getDefaultInstance());
    assertThat(info.getName()).isEqualTo("csi.strata.io");
    assertThat(info.getVendorVersion()).isNotEmpty();
    assertThat(identity.probe(Csi.ProbeRequest.getDefaultInstance()).getReady().getValue()).isTrue();
    assertThat(identity.getPluginCapabilities(Csi.GetPluginCapabilitiesRequest.getDefaultInstance())
        .getCapabilitiesList()).anyMatch(c -> c.getService().getType()
            == Csi.PluginCapability.Service.Type.CONTROLLER_SERVICE);
    // Controller: ControllerGetCapabilities "should return appropriate capabilities"
    Set<Csi.ControllerServiceCapability.RPC.Type> types = new HashSet<>();
    controller.controllerGetCapabilities(Csi.ControllerGetCapabilitiesRequest.getDefaultInstance())
        .getCapabilitiesList().forEach(c -> types.add(c.getRpc().getType()));
    assertThat(types).contains(Csi.ControllerServiceCapability.RPC.Type.CREATE_DELETE_VOLUME,
        Csi.ControllerServiceCapability.RPC.Type.PUBLISH_UNPUBLISH_VOLUME,
        Csi.ControllerServiceCapability.RPC.Type.CREATE_DELETE_SNAPSHOT,
        Csi.ControllerServiceCapability.RPC.Type.EXPAND_VOLUME);
  }

  @Test
  void volumesCapacityValidationAndLists() {
    // CreateVolume "should fail when no name is provided" / "no volume capabilities"
    assertCode(Status.Code.INVALID_ARGUMENT, "name", () -> controller.createVolume(volumeRequest("", GIB).build()));
    assertCode(Status.Code.INVALID_ARGUMENT, "volume_capabilities", () -> controller.createVolume(
        volumeRequest("sanity-nocaps", GIB).clearVolumeCapabilities().build()));
    // a StorageClass mistake names the parameter
    assertCode(Status.Code.INVALID_ARGUMENT, "parameters.thin", () -> controller.createVolume(
        volumeRequest("sanity-badparam", GIB).putParameters("thin", "maybe").build()));
    assertCode(Status.Code.INVALID_ARGUMENT, "parameters.colour", () -> controller.createVolume(
        volumeRequest("sanity-badparam", GIB).putParameters("colour", "red").build()));

    // "should return appropriate values SingleNodeWriter WithCapacity 1Gi"
    Csi.Volume v = controller.createVolume(volumeRequest("sanity-vol-1", GIB).build()).getVolume();
    assertThat(v.getVolumeId()).isNotEmpty();
    assertThat(v.getCapacityBytes()).isEqualTo(GIB);
    // "should not fail when requesting to create a volume with already existing name and same capacity"
    Csi.Volume again = controller.createVolume(volumeRequest("sanity-vol-1", GIB).build()).getVolume();
    assertThat(again.getVolumeId()).isEqualTo(v.getVolumeId());
    // "should fail when requesting to create a volume with already existing name and different capacity"
    assertCode(Status.Code.ALREADY_EXISTS, "name", () -> controller.createVolume(volumeRequest("sanity-vol-1", 3 * GIB)
        .setCapacityRange(Csi.CapacityRange.newBuilder().setRequiredBytes(3 * GIB).setLimitBytes(3 * GIB)).build()));
    // "should not fail when creating volume with maximum-length name" (128 characters) and no capacity
    String longName = "x".repeat(128);
    Csi.Volume longOne = controller.createVolume(volumeRequest(longName, 0).clearCapacityRange().build()).getVolume();
    assertThat(longOne.getCapacityBytes()).isEqualTo(GIB);
    assertThat(controller.createVolume(volumeRequest(longName, 0).clearCapacityRange().build()).getVolume().getVolumeId())
        .isEqualTo(longOne.getVolumeId());

    // ValidateVolumeCapabilities: without id, without capabilities, unknown volume, confirmed
    assertCode(Status.Code.INVALID_ARGUMENT, "volume_id", () -> controller.validateVolumeCapabilities(
        Csi.ValidateVolumeCapabilitiesRequest.newBuilder().addVolumeCapabilities(MOUNT).build()));
    assertCode(Status.Code.INVALID_ARGUMENT, "volume_capabilities", () -> controller.validateVolumeCapabilities(
        Csi.ValidateVolumeCapabilitiesRequest.newBuilder().setVolumeId(v.getVolumeId()).build()));
    assertCode(Status.Code.NOT_FOUND, "volume_id", () -> controller.validateVolumeCapabilities(
        Csi.ValidateVolumeCapabilitiesRequest.newBuilder().setVolumeId("some-id")
            .addVolumeCapabilities(MOUNT).build()));
    assertThat(controller.validateVolumeCapabilities(Csi.ValidateVolumeCapabilitiesRequest.newBuilder()
        .setVolumeId(v.getVolumeId()).addVolumeCapabilities(MOUNT).build()).getConfirmed()
        .getVolumeCapabilitiesList()).containsExactly(MOUNT);

    // ListVolumes "should return appropriate values" and pages with max_entries / starting_token
    List<String> ids = controller.listVolumes(Csi.ListVolumesRequest.getDefaultInstance()).getEntriesList().stream()
        .map(e -> e.getVolume().getVolumeId()).toList();
    assertThat(ids).contains(v.getVolumeId(), longOne.getVolumeId());
    Csi.ListVolumesResponse first = controller.listVolumes(Csi.ListVolumesRequest.newBuilder().setMaxEntries(1).build());
    assertThat(first.getEntriesCount()).isEqualTo(1);
    assertThat(first.getNextToken()).isNotEmpty();
    Csi.ListVolumesResponse second = controller.listVolumes(Csi.ListVolumesRequest.newBuilder().setMaxEntries(1)
        .setStartingToken(first.getNextToken()).build());
    assertThat(second.getEntries(0).getVolume().getVolumeId()).isNotEqualTo(first.getEntries(0).getVolume().getVolumeId());
    // "should fail when an invalid starting_token is passed"
    assertCode(Status.Code.ABORTED, "starting_token", () -> controller.listVolumes(
        Csi.ListVolumesRequest.newBuilder().setStartingToken("invalid-token").build()));

    // GetCapacity "should return capacity (no optional values added)"; the pool's 2 thin volumes reserve nothing
    Csi.GetCapacityResponse capacity = controller.getCapacity(Csi.GetCapacityRequest.newBuilder()
        .putAllParameters(parameters).build());
    assertThat(capacity.getAvailableCapacity()).isPositive();

    // ControllerExpandVolume: without id, without capacity, grows the volume
    assertCode(Status.Code.INVALID_ARGUMENT, "volume_id", () -> controller.controllerExpandVolume(
        Csi.ControllerExpandVolumeRequest.newBuilder().setCapacityRange(Csi.CapacityRange.newBuilder()
            .setRequiredBytes(2 * GIB)).build()));
    assertCode(Status.Code.INVALID_ARGUMENT, "capacity_range", () -> controller.controllerExpandVolume(
        Csi.ControllerExpandVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).build()));
    Csi.ControllerExpandVolumeResponse grown = controller.controllerExpandVolume(Csi.ControllerExpandVolumeRequest
        .newBuilder().setVolumeId(v.getVolumeId()).setCapacityRange(Csi.CapacityRange.newBuilder()
            .setRequiredBytes(2 * GIB)).setVolumeCapability(MOUNT).build());
    assertThat(grown.getCapacityBytes()).isEqualTo(2 * GIB);
    assertThat(grown.getNodeExpansionRequired()).isTrue();

    // DeleteVolume: without id; an id that is not a volume succeeds; delete twice succeeds
    assertCode(Status.Code.INVALID_ARGUMENT, "volume_id", () -> controller.deleteVolume(
        Csi.DeleteVolumeRequest.getDefaultInstance()));
    controller.deleteVolume(Csi.DeleteVolumeRequest.newBuilder().setVolumeId("reallyfakevolumeid").build());
    for (Csi.Volume each : List.of(v, longOne, v)) {
      controller.deleteVolume(Csi.DeleteVolumeRequest.newBuilder().setVolumeId(each.getVolumeId()).build());
    }
    assertCode(Status.Code.NOT_FOUND, "volume_id", () -> controller.validateVolumeCapabilities(
        Csi.ValidateVolumeCapabilitiesRequest.newBuilder().setVolumeId(v.getVolumeId())
            .addVolumeCapabilities(MOUNT).build()));
  }

  @Test
  void publishAndUnpublish() {
    Csi.Volume v = controller.createVolume(volumeRequest("sanity-publish", GIB).build()).getVolume();
    // "should fail when no volume id / node id / volume capability is provided"
    assertCode(Status.Code.INVALID_ARGUMENT, "volume_id", () -> controller.controllerPublishVolume(
        Csi.ControllerPublishVolumeRequest.newBuilder().setNodeId(NODE).setVolumeCapability(MOUNT).build()));
    assertCode(Status.Code.INVALID_ARGUMENT, "node_id", () -> controller.controllerPublishVolume(
        Csi.ControllerPublishVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).setVolumeCapability(MOUNT).build()));
    assertCode(Status.Code.INVALID_ARGUMENT, "volume_capability", () -> controller.controllerPublishVolume(
        Csi.ControllerPublishVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).setNodeId(NODE).build()));
    // "should fail when publishing a volume that does not exist" / "on a node that does not exist"
    assertCode(Status.Code.NOT_FOUND, "volume_id", () -> controller.controllerPublishVolume(
        Csi.ControllerPublishVolumeRequest.newBuilder().setVolumeId("00000000-0000-0000-0000-000000000000")
            .setNodeId(NODE).setVolumeCapability(MOUNT).build()));
    assertCode(Status.Code.NOT_FOUND, "node_id", () -> controller.controllerPublishVolume(
        Csi.ControllerPublishVolumeRequest.newBuilder().setVolumeId(v.getVolumeId())
            .setNodeId("some-fake-node-id").setVolumeCapability(MOUNT).build()));

    // "should return appropriate values SingleNodeWriter NoCapacity": the connection for NodeStage
    Csi.ControllerPublishVolumeRequest publish = Csi.ControllerPublishVolumeRequest.newBuilder()
        .setVolumeId(v.getVolumeId()).setNodeId(NODE).setVolumeCapability(MOUNT).build();
    Map<String, String> context = controller.controllerPublishVolume(publish).getPublishContextMap();
    assertThat(context.get("targetIqn")).startsWith("iqn.2026-11.io.strata");
    assertThat(context.get("portals")).startsWith("127.0.0.");
    assertThat(context).containsEntry("authMethod", "CHAP").containsEntry("chapUser", "k8snode").containsKey("lun");
    // publishing again answers the same; read-only on top of read-write is ALREADY_EXISTS
    assertThat(controller.controllerPublishVolume(publish).getPublishContextMap()).isEqualTo(context);
    assertCode(Status.Code.ALREADY_EXISTS, "readonly", () -> controller.controllerPublishVolume(
        publish.toBuilder().setReadonly(true).build()));
    // the volume may not be deleted while published
    assertCode(Status.Code.FAILED_PRECONDITION, null, () -> controller.deleteVolume(
        Csi.DeleteVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).build()));

    // ControllerUnpublishVolume: without id; unpublish twice; then the volume deletes
    assertCode(Status.Code.INVALID_ARGUMENT, "volume_id", () -> controller.controllerUnpublishVolume(
        Csi.ControllerUnpublishVolumeRequest.newBuilder().setNodeId(NODE).build()));
    Csi.ControllerUnpublishVolumeRequest unpublish = Csi.ControllerUnpublishVolumeRequest.newBuilder()
        .setVolumeId(v.getVolumeId()).setNodeId(NODE).build();
    controller.controllerUnpublishVolume(unpublish);
    controller.controllerUnpublishVolume(unpublish);
    controller.deleteVolume(Csi.DeleteVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).build());
  }

  @Test
  void snapshotsAndVolumesFromThem() {
    Csi.Volume source = controller.createVolume(volumeRequest("sanity-snap-source", GIB).build()).getVolume();
    Csi.Volume other = controller.createVolume(volumeRequest("sanity-snap-other", GIB).build()).getVolume();
    // CreateSnapshot "should fail when no name / no source volume id is provided"
    assertCode(Status.Code.INVALID_ARGUMENT, "name", () -> controller.createSnapshot(
        Csi.CreateSnapshotRequest.newBuilder().setSourceVolumeId(source.getVolumeId()).build()));
    assertCode(Status.Code.INVALID_ARGUMENT, "source_volume_id", () -> controller.createSnapshot(
        Csi.CreateSnapshotRequest.newBuilder().setName("snap-1").build()));
    // "should succeed when requesting to create a snapshot with already existing name and same source volume ID"
    Csi.CreateSnapshotRequest take = Csi.CreateSnapshotRequest.newBuilder().setName("sanity-snap-1")
        .setSourceVolumeId(source.getVolumeId()).build();
    Csi.Snapshot snap = controller.createSnapshot(take).getSnapshot();
    assertThat(snap.getReadyToUse()).isTrue();
    assertThat(snap.getSourceVolumeId()).isEqualTo(source.getVolumeId());
    assertThat(controller.createSnapshot(take).getSnapshot().getSnapshotId()).isEqualTo(snap.getSnapshotId());
    // "should fail when requesting to create a snapshot with already existing name and different source volume ID"
    assertCode(Status.Code.ALREADY_EXISTS, "name", () -> controller.createSnapshot(
        take.toBuilder().setSourceVolumeId(other.getVolumeId()).build()));

    // ListSnapshots: all, by id, by source volume, an id that is not there
    assertThat(controller.listSnapshots(Csi.ListSnapshotsRequest.getDefaultInstance()).getEntriesList())
        .anyMatch(e -> e.getSnapshot().getSnapshotId().equals(snap.getSnapshotId()));
    assertThat(controller.listSnapshots(Csi.ListSnapshotsRequest.newBuilder().setSnapshotId(snap.getSnapshotId())
        .build()).getEntriesList()).singleElement()
        .satisfies(e -> assertThat(e.getSnapshot().getSnapshotId()).isEqualTo(snap.getSnapshotId()));
    assertThat(controller.listSnapshots(Csi.ListSnapshotsRequest.newBuilder()
        .setSourceVolumeId(source.getVolumeId()).build()).getEntriesCount()).isEqualTo(1);
    assertThat(controller.listSnapshots(Csi.ListSnapshotsRequest.newBuilder()
        .setSnapshotId("none-such").build()).getEntriesCount()).isZero();

    // CreateVolume from a snapshot (a clone of it); a snapshot that does not exist is NOT_FOUND
    Csi.Volume restored = controller.createVolume(volumeRequest("sanity-restored", GIB)
        .setVolumeContentSource(Csi.VolumeContentSource.newBuilder().setSnapshot(
            Csi.VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(snap.getSnapshotId()))).build()).getVolume();
    assertThat(restored.getContentSource().getSnapshot().getSnapshotId()).isEqualTo(snap.getSnapshotId());
    assertCode(Status.Code.NOT_FOUND, "snapshot_id", () -> controller.createVolume(volumeRequest("sanity-nosnap", GIB)
        .setVolumeContentSource(Csi.VolumeContentSource.newBuilder().setSnapshot(
            Csi.VolumeContentSource.SnapshotSource.newBuilder()
                .setSnapshotId("00000000-0000-0000-0000-000000000000"))).build()));

    // DeleteSnapshot: without id; an unknown id succeeds
    assertCode(Status.Code.INVALID_ARGUMENT, "snapshot_id", () -> controller.deleteSnapshot(
        Csi.DeleteSnapshotRequest.getDefaultInstance()));
    controller.deleteSnapshot(Csi.DeleteSnapshotRequest.newBuilder().setSnapshotId("reallyfakesnapshotid").build());
    controller.deleteVolume(Csi.DeleteVolumeRequest.newBuilder().setVolumeId(restored.getVolumeId()).build());
    controller.deleteSnapshot(Csi.DeleteSnapshotRequest.newBuilder().setSnapshotId(snap.getSnapshotId()).build());
    controller.deleteSnapshot(Csi.DeleteSnapshotRequest.newBuilder().setSnapshotId(snap.getSnapshotId()).build());
    assertThat(controller.listSnapshots(Csi.ListSnapshotsRequest.newBuilder()
        .setSnapshotId(snap.getSnapshotId()).build()).getEntriesCount()).isZero();
  }
}
