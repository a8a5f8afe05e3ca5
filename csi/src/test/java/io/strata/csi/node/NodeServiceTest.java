package io.strata.csi.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.Csi;
import csi.v1.NodeGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node plugin over its real Unix socket, on a host that records the exact command lines. */
class NodeServiceTest {

  static final String NODE = "iqn.2026-11.io.strata.csi:node-1";
  static final String TARGET = "iqn.2026-11.io.strata:array-1";
  static final String VOLUME = "0b6c7b2e-6f5a-4f0e-9a43-2d3f0c1b9a77";
  static final String PATH_A = "/dev/disk/by-path/ip-127.0.0.1:3340-iscsi-" + TARGET + "-lun-3";
  static final String PATH_B = "/dev/disk/by-path/ip-127.0.0.2:3341-iscsi-" + TARGET + "-lun-3";
  static final Path STATE = Path.of("/var/lib/strata-csi/staged");
  static final String STAGING = "/var/lib/kubelet/plugins/kubernetes.io/csi/csi.strata.io/abc/globalmount";
  static final String TARGET_PATH = "/var/lib/kubelet/pods/p1/volumes/kubernetes.io~csi/pvc-1/mount";
  static final Map<String, String> CONTEXT = Map.of("targetIqn", TARGET, "portals", "127.0.0.1:3340,127.0.0.2:3341",
      "lun", "3", "authMethod", "CHAP", "chapUser", "k8snode");

  @TempDir
  Path dir;
  RecordingHost host;
  SocketChannel socket;
  NodeGrpc.NodeBlockingStub node;

  @BeforeEach
  void start() throws Exception {
    host = new RecordingHost();
    host.existing.add(Path.of(PATH_A));
    host.existing.add(Path.of(PATH_B));
    socket = new SocketChannel(dir, List.of(new NodeService(host, NODE, Optional.of("k8snode"),
        Optional.of("k8s-node-chap-secret"), Duration.ofSeconds(2), STATE)));
    node = NodeGrpc.newBlockingStub(socket.channel);
  }

  @AfterEach
  void stop() throws Exception {
    socket.close();
  }

  static Csi.VolumeCapability mount(String fs) {
    return Csi.VolumeCapability.newBuilder()
        .setMount(Csi.VolumeCapability.MountVolume.newBuilder().setFsType(fs))
        .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder()
            .setMode(Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER))
        .build();
  }

  static Csi.VolumeCapability block() {
    return Csi.VolumeCapability.newBuilder()
        .setBlock(Csi.VolumeCapability.BlockVolume.getDefaultInstance())
        .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder()
            .setMode(Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER))
        .build();
  }

  Csi.NodeStageVolumeRequest stage(Csi.VolumeCapability capability) {
    return Csi.NodeStageVolumeRequest.newBuilder().setVolumeId(VOLUME).setStagingTargetPath(STAGING)
        .setVolumeCapability(capability).putAllPublishContext(CONTEXT).build();
  }

  static List<String> login(String portal) {
    String node = "iscsiadm -m node -T " + TARGET + " -p " + portal;
    return List.of(
        "iscsiadm -m discovery -t sendtargets -p " + portal,
        node + " -o update -n node.session.auth.authmethod -v CHAP",
        node + " -o update -n node.session.auth.username -v k8snode",
        node + " -o update -n node.session.auth.password -v k8s-node-chap-secret",
        node + " --login");
  }

  @Test
  void nodeIdIsTheInitiatorNameAndCapabilitiesAreStageExpandStats() {
    assertThat(node.nodeGetInfo(Csi.NodeGetInfoRequest.getDefaultInstance()).getNodeId()).isEqualTo(NODE);
    assertThat(node.nodeGetCapabilities(Csi.NodeGetCapabilitiesRequest.getDefaultInstance()).getCapabilitiesList())
        .extracting(c -> c.getRpc().getType())
        .containsExactly(Csi.NodeServiceCapability.RPC.Type.STAGE_UNSTAGE_VOLUME,
            Csi.NodeServiceCapability.RPC.Type.EXPAND_VOLUME, Csi.NodeServiceCapability.RPC.Type.GET_VOLUME_STATS);
    RecordingHost file = new RecordingHost();
    file.files.put(Path.of("/etc/iscsi/initiatorname.iscsi"), "## generated\nInitiatorName=iqn.1993-08.org.debian:01:abc\n");
    assertThat(NodeService.initiatorName(file)).isEqualTo("iqn.1993-08.org.debian:01:abc");
  }

  @Test
  void firstStageLogsInOnEveryPortalWithChapMakesExt4OnTheMultipathMapAndMountsIt() {
    host.answer("/lib/udev/scsi_id -g -u -d " + PATH_A, 0, "36001405abcdef\n");
    host.existing.add(Path.of("/dev/mapper/36001405abcdef"));
    host.answer("blkid -p -s TYPE -o value /dev/mapper/36001405abcdef", 2, "");
    node.nodeStageVolume(stage(mount("")));
    List<String> expected = new java.util.ArrayList<>();
    expected.addAll(login("127.0.0.1:3340"));
    expected.addAll(login("127.0.0.2:3341"));
    expected.addAll(List.of(
        "/lib/udev/scsi_id -g -u -d " + PATH_A,
        "mountpoint -q " + STAGING,
        "blkid -p -s TYPE -o value /dev/mapper/36001405abcdef",
        "mkfs.ext4 -F /dev/mapper/36001405abcdef",
        "mount -t ext4 /dev/mapper/36001405abcdef " + STAGING));
    // mountpoint is only asked for a path that exists: the staging folder did not
    expected.remove("mountpoint -q " + STAGING);
    assertThat(host.commands).containsExactlyElementsOf(expected);
  }

  @Test
  void aDeviceWithAFileSystemIsNeverFormattedAgainAndAMountedStagingPathIsLeftAlone() {
    host.answer("blkid -p -s TYPE -o value " + PATH_A, 0, "ext4\n");
    host.answer("/lib/udev/scsi_id", 1, "");
    node.nodeStageVolume(stage(mount("ext4")));
    assertThat(host.commands).noneMatch(c -> c.startsWith("mkfs"))
        .contains("mount -t ext4 " + PATH_A + " " + STAGING);
    host.commands.clear();
    node.nodeStageVolume(stage(mount("ext4")));
    assertThat(host.commands).contains("mountpoint -q " + STAGING).noneMatch(c -> c.startsWith("mount -t"));
    // asked for xfs on an ext4 device: refused, not formatted
    host.answer("mountpoint", 1, "");
    assertThatThrownBy(() -> node.nodeStageVolume(stage(mount("xfs"))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("ext4");
        });
    assertThat(host.commands).noneMatch(c -> c.startsWith("mkfs"));
  }

  @Test
  void aFailedLoginNamesTheCommandButNeverTheChapSecret() {
    host.answer("iscsiadm -m node -T " + TARGET + " -p 127.0.0.1:3340 -o update -n node.session.auth.password", 7, "");
    assertThatThrownBy(() -> node.nodeStageVolume(stage(mount(""))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).contains("iscsiadm").doesNotContain("k8s-node-chap-secret");
        });
  }

  @Test
  void blockVolumesBindMountTheDeviceAndUnstageLogsOutOnlyWhenNoOtherVolumeUsesTheTarget() {
    host.answer("/lib/udev/scsi_id", 1, "");
    node.nodeStageVolume(stage(block()));
    assertThat(host.commands).noneMatch(c -> c.startsWith("mkfs") || c.startsWith("mount"));
    host.commands.clear();
    node.nodePublishVolume(Csi.NodePublishVolumeRequest.newBuilder().setVolumeId(VOLUME).setStagingTargetPath(STAGING)
        .setTargetPath(TARGET_PATH).setVolumeCapability(block()).build());
    assertThat(host.commands).containsExactly("mount --bind " + PATH_A + " " + TARGET_PATH);
    host.commands.clear();
    node.nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId(VOLUME)
        .setTargetPath(TARGET_PATH).build());
    assertThat(host.commands).containsExactly("mountpoint -q " + TARGET_PATH, "umount " + TARGET_PATH);
    assertThat(host.exists(Path.of(TARGET_PATH))).isFalse();

    // another volume of the same array staged: unstaging this one keeps the target's session
    host.files.put(STATE.resolve("11111111-2222-3333-4444-555555555555.json"), "{\"targetIqn\":\"" + TARGET + "\"}");
    host.commands.clear();
    node.nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId(VOLUME)
        .setStagingTargetPath(STAGING).build());
    assertThat(host.commands).noneMatch(c -> c.contains("--logout"));
    // the last one logs out of both portals
    host.files.clear();
    node.nodeStageVolume(stage(block()));
    host.files.remove(STATE.resolve("11111111-2222-3333-4444-555555555555.json"));
    host.commands.clear();
    node.nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId(VOLUME)
        .setStagingTargetPath(STAGING).build());
    assertThat(host.commands).containsExactly(
        "ls " + STATE,
        "iscsiadm -m node -T " + TARGET + " -p 127.0.0.1:3340 --logout",
        "iscsiadm -m node -T " + TARGET + " -p 127.0.0.1:3340 -o delete",
        "iscsiadm -m node -T " + TARGET + " -p 127.0.0.2:3341 --logout",
        "iscsiadm -m node -T " + TARGET + " -p 127.0.0.2:3341 -o delete");
    // unstaging again is a no-op
    host.commands.clear();
    node.nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId(VOLUME)
        .setStagingTargetPath(STAGING).build());
    assertThat(host.commands).isEmpty();
  }

  @Test
  void aFileSystemVolumeIsBindMountedReadOnlyWhenAskedAndExpandsOnline() {
    host.answer("/lib/udev/scsi_id", 1, "");
    host.answer("blkid -p -s TYPE -o value " + PATH_A, 2, "");
    node.nodeStageVolume(stage(mount("")));
    host.existing.add(Path.of(STAGING));
    host.commands.clear();
    node.nodePublishVolume(Csi.NodePublishVolumeRequest.newBuilder().setVolumeId(VOLUME).setStagingTargetPath(STAGING)
        .setTargetPath(TARGET_PATH).setVolumeCapability(mount("")).setReadonly(true).build());
    assertThat(host.commands).containsExactly(
        "mount --bind " + STAGING + " " + TARGET_PATH,
        "mount -o remount,bind,ro " + TARGET_PATH);

    host.answers.clear();
    host.answer("blkid -p -s TYPE -o value " + PATH_A, 0, "ext4\n");
    host.answer("blockdev --getsize64 " + PATH_A, 0, "2147483648\n");
    host.commands.clear();
    Csi.NodeExpandVolumeResponse grown = node.nodeExpandVolume(Csi.NodeExpandVolumeRequest.newBuilder()
        .setVolumeId(VOLUME).setVolumePath(TARGET_PATH).build());
    assertThat(grown.getCapacityBytes()).isEqualTo(2147483648L);
    assertThat(host.commands).containsExactly(
        "iscsiadm -m node -T " + TARGET + " -p 127.0.0.1:3340 --rescan",
        "iscsiadm -m node -T " + TARGET + " -p 127.0.0.2:3341 --rescan",
        "blkid -p -s TYPE -o value " + PATH_A,
        "resize2fs " + PATH_A,
        "blockdev --getsize64 " + PATH_A);
  }

  @Test
  void volumeStatsComeFromDfAndAMissingPathIsNotFound() {
    host.existing.add(Path.of(TARGET_PATH));
    host.answer("df -B1", 0, "     1B-blocks      Used     Avail  Inodes IUsed  IFree\n"
        + "1023303680 2424832 1004101632 65536 11 65525\n");
    Csi.NodeGetVolumeStatsResponse stats = node.nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest.newBuilder()
        .setVolumeId(VOLUME).setVolumePath(TARGET_PATH).build());
    assertThat(host.commands).containsExactly("df -B1 --output=size,used,avail,itotal,iused,iavail " + TARGET_PATH);
    assertThat(stats.getUsage(0).getTotal()).isEqualTo(1023303680L);
    assertThat(stats.getUsage(0).getAvailable()).isEqualTo(1004101632L);
    assertThat(stats.getUsage(1).getUnit()).isEqualTo(Csi.VolumeUsage.Unit.INODES);
    assertThat(stats.getUsage(1).getUsed()).isEqualTo(11);
    assertThatThrownBy(() -> node.nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest.newBuilder()
        .setVolumeId(VOLUME).setVolumePath("/nowhere").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void missingFieldsAreNamed() {
    assertThatThrownBy(() -> node.nodeStageVolume(stage(mount("")).toBuilder().clearStagingTargetPath().build()))
        .hasMessageContaining("staging_target_path");
    assertThatThrownBy(() -> node.nodeStageVolume(stage(mount("")).toBuilder().clearPublishContext().build()))
        .hasMessageContaining("publish_context.targetIqn");
    assertThatThrownBy(() -> node.nodeStageVolume(stage(mount("btrfs"))))
        .hasMessageContaining("fs_type");
    assertThatThrownBy(() -> node.nodePublishVolume(Csi.NodePublishVolumeRequest.newBuilder().setVolumeId(VOLUME)
        .setStagingTargetPath(STAGING).setVolumeCapability(block()).build()))
        .hasMessageContaining("target_path");
    assertThat(host.commands).isEmpty();
  }
}
