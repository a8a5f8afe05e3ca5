package io.strata.csi.node;

import static io.strata.csi.GrpcErrors.answer;
import static io.strata.csi.GrpcErrors.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import csi.v1.Csi;
import csi.v1.Csi.NodeServiceCapability.RPC.Type;
import csi.v1.NodeGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.strata.csi.VolumeCapabilities;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * CSI Node: logs the node's kernel initiator in to the array's target (iscsiadm, CHAP), finds the
 * LUN's device (the dm-multipath map over all portals when multipathd made one), makes a file
 * system on first use, mounts it at the staging path, and bind-mounts it (or the raw device, in
 * block mode) into the pod's path.
 *
 * <p>What a volume was staged with (target, portals, LUN, device) is kept in {@code stateDir} as
 * {@code <volume id>.json}: NodeUnstage and NodeExpand get no publish context, and the session to a
 * target is logged out only when no other staged volume uses that target (every volume of an array
 * shares its target's session).
 */
public final class NodeService extends NodeGrpc.NodeImplBase {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** iscsiadm's exit codes: a session that exists already, and no session to log out of. */
  static final int ISCSI_ERR_SESS_EXISTS = 15;
  static final int ISCSI_ERR_NO_OBJS_FOUND = 21;

  private final HostCommands host;
  private final String nodeId;
  private final Optional<String> chapUser;
  private final Optional<String> chapSecret;
  private final Duration deviceTimeout;
  private final Path stateDir;

  public NodeService(HostCommands host, String nodeId, Optional<String> chapUser, Optional<String> chapSecret,
      Duration deviceTimeout) {
    this(host, nodeId, chapUser, chapSecret, deviceTimeout, Path.of("/var/lib/strata-csi/staged"));
  }

  public NodeService(HostCommands host, String nodeId, Optional<String> chapUser, Optional<String> chapSecret,
      Duration deviceTimeout, Path stateDir) {
    this.host = host;
    this.nodeId = nodeId;
    this.chapUser = chapUser;
    this.chapSecret = chapSecret;
    this.deviceTimeout = deviceTimeout;
    this.stateDir = stateDir;
  }

  /** The host's initiator name, from open-iscsi's /etc/iscsi/initiatorname.iscsi. */
  public static String initiatorName(HostCommands host) {
    Path file = Path.of("/etc/iscsi/initiatorname.iscsi");
    for (String line : host.read(file).split("\n")) {
      String l = line.trim();
      if (l.startsWith("InitiatorName=")) {
        return l.substring("InitiatorName=".length()).trim();
      }
    }
    throw new IllegalStateException(file + " names no InitiatorName; set nodeId in the driver's settings");
  }

  @Override
  public void nodeGetInfo(Csi.NodeGetInfoRequest r, StreamObserver<Csi.NodeGetInfoResponse> out) {
    answer(out, () -> Csi.NodeGetInfoResponse.newBuilder().setNodeId(nodeId).build());
  }

  @Override
  public void nodeGetCapabilities(Csi.NodeGetCapabilitiesRequest r, StreamObserver<Csi.NodeGetCapabilitiesResponse> out) {
    Csi.NodeGetCapabilitiesResponse.Builder b = Csi.NodeGetCapabilitiesResponse.newBuilder();
    for (Type t : List.of(Type.STAGE_UNSTAGE_VOLUME, Type.EXPAND_VOLUME, Type.GET_VOLUME_STATS)) {
      b.addCapabilities(Csi.NodeServiceCapability.newBuilder()
          .setRpc(Csi.NodeServiceCapability.RPC.newBuilder().setType(t)));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  // ---- stage

  @Override
  public void nodeStageVolume(Csi.NodeStageVolumeRequest r, StreamObserver<Csi.NodeStageVolumeResponse> out) {
    answer(out, () -> {
      String volumeId = required(r.getVolumeId(), "volume_id");
      Path staging = Path.of(required(r.getStagingTargetPath(), "staging_target_path"));
      if (!r.hasVolumeCapability()) {
        throw invalid("volume_capability", "is required");
      }
      VolumeCapabilities.unsupported(r.getVolumeCapability(), "volume_capability").ifPresent(why -> {
        throw Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException();
      });
      String iqn = required(r.getPublishContextMap().get("targetIqn"), "publish_context.targetIqn");
      List<String> portals = Arrays.stream(required(r.getPublishContextMap().get("portals"), "publish_context.portals")
          .split(",")).filter(p -> !p.isBlank()).toList();
      String lun = required(r.getPublishContextMap().get("lun"), "publish_context.lun");
      boolean chap = "CHAP".equalsIgnoreCase(r.getPublishContextMap().getOrDefault("authMethod", ""));
      if (chap && (chapUser.isEmpty() || chapSecret.isEmpty())) {
        throw Status.FAILED_PRECONDITION.withDescription("the target asks for CHAP and this node has no "
            + "chapUser/chapSecret in its settings").asRuntimeException();
      }

      List<String> paths = new ArrayList<>();
      for (String portal : portals) {
        login(iqn, portal, chap);
        paths.add("/dev/disk/by-path/ip-" + portal + "-iscsi-" + iqn + "-lun-" + lun);
      }
      for (String path : paths) {
        awaitDevice(Path.of(path));
      }
      String device = multipathDevice(paths.get(0)).orElse(paths.get(0));
      ObjectNode state = JSON.createObjectNode()
          .put("targetIqn", iqn).put("lun", lun).put("device", device)
          .put("block", r.getVolumeCapability().hasBlock());
      portals.forEach(state.putArray("portals")::add);
      host.write(stateFile(volumeId), state.toString());

      if (r.getVolumeCapability().hasMount() && !mounted(staging)) {
        Csi.VolumeCapability.MountVolume mount = r.getVolumeCapability().getMount();
        String fs = mount.getFsType().isEmpty() ? VolumeCapabilities.DEFAULT_FILE_SYSTEM : mount.getFsType();
        ensureFileSystem(device, fs);
        host.createDirectories(staging);
        List<String> command = new ArrayList<>(List.of("mount", "-t", fs));
        if (mount.getMountFlagsCount() > 0) {
          command.addAll(List.of("-o", String.join(",", mount.getMountFlagsList())));
        }
        command.addAll(List.of(device, staging.toString()));
        must(command);
      }
      return Csi.NodeStageVolumeResponse.getDefaultInstance();
    });
  }

  private void login(String iqn, String portal, boolean chap) {
    must(List.of("iscsiadm", "-m", "discovery", "-t", "sendtargets", "-p", portal));
    List<String> node = List.of("iscsiadm", "-m", "node", "-T", iqn, "-p", portal);
    if (chap) {
      update(node, "node.session.auth.authmethod", "CHAP");
      update(node, "node.session.auth.username", chapUser.get());
      update(node, "node.session.auth.password", chapSecret.get());
    }
    HostCommands.Result login = host.run(concat(node, "--login"));
    if (!login.ok() && login.exit() != ISCSI_ERR_SESS_EXISTS) {
      throw failed(concat(node, "--login"), login);
    }
  }

  private void update(List<String> node, String name, String value) {
    must(concat(node, "-o", "update", "-n", name, "-v", value));
  }

  private void awaitDevice(Path device) {
    long deadline = System.nanoTime() + deviceTimeout.toNanos();
    while (!host.exists(device)) {
      if (System.nanoTime() > deadline) {
        throw Status.DEADLINE_EXCEEDED.withDescription(device + " did not appear within " + deviceTimeout)
            .asRuntimeException();
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.asRuntimeException();
      }
    }
  }

  /** The dm-multipath map over the LUN's paths, when multipathd made one (named by the LUN's WWID). */
  private Optional<String> multipathDevice(String path) {
    HostCommands.Result wwid = host.run(List.of("/lib/udev/scsi_id", "-g", "-u", "-d", path));
    if (!wwid.ok() || wwid.stdout().isBlank()) {
      return Optional.empty();
    }
    Path map = Path.of("/dev/mapper", wwid.stdout().trim());
    return host.exists(map) ? Optional.of(map.toString()) : Optional.empty();
  }

  /** mkfs on first use only: a device with any file system on it is never formatted again. */
  private void ensureFileSystem(String device, String fs) {
    HostCommands.Result probe = host.run(List.of("blkid", "-p", "-s", "TYPE", "-o", "value", device));
    if (probe.ok()) {
      String found = probe.stdout().trim();
      if (!found.equals(fs)) {
        throw Status.FAILED_PRECONDITION.withDescription(device + " holds a " + found
            + " file system, not the " + fs + " asked for; it is not formatted again").asRuntimeException();
      }
      return;
    }
    if (probe.exit() != 2) { // blkid -p: 2 is "nothing found"
      throw failed(List.of("blkid", "-p", device), probe);
    }
    must(fs.equals("xfs") ? List.of("mkfs.xfs", device) : List.of("mkfs.ext4", "-F", device));
  }

  @Override
  public void nodeUnstageVolume(Csi.NodeUnstageVolumeRequest r, StreamObserver<Csi.NodeUnstageVolumeResponse> out) {
    answer(out, () -> {
      String volumeId = required(r.getVolumeId(), "volume_id");
      Path staging = Path.of(required(r.getStagingTargetPath(), "staging_target_path"));
      if (mounted(staging)) {
        must(List.of("umount", staging.toString()));
      }
      Optional<JsonNode> state = staged(volumeId);
      if (state.isEmpty()) {
        return Csi.NodeUnstageVolumeResponse.getDefaultInstance();
      }
      JsonNode s = state.get();
      String device = s.path("device").asText();
      if (device.startsWith("/dev/mapper/")) {
        HostCommands.Result flush = host.run(List.of("multipath", "-f", device.substring("/dev/mapper/".length())));
        if (!flush.ok()) {
          throw failed(List.of("multipath", "-f", device), flush);
        }
      }
      host.deleteIfExists(stateFile(volumeId));
      String iqn = s.path("targetIqn").asText();
      if (!targetStillUsed(iqn)) {
        for (JsonNode portal : s.path("portals")) {
          List<String> node = List.of("iscsiadm", "-m", "node", "-T", iqn, "-p", portal.asText());
          HostCommands.Result logout = host.run(concat(node, "--logout"));
          if (!logout.ok() && logout.exit() != ISCSI_ERR_NO_OBJS_FOUND) {
            throw failed(concat(node, "--logout"), logout);
          }
          host.run(concat(node, "-o", "delete"));
        }
      }
      return Csi.NodeUnstageVolumeResponse.getDefaultInstance();
    });
  }

  private boolean targetStillUsed(String iqn) {
    HostCommands.Result list = host.run(List.of("ls", stateDir.toString()));
    if (!list.ok()) {
      return false;
    }
    for (String name : list.stdout().split("\n")) {
      if (name.endsWith(".json")) {
        try {
          if (JSON.readTree(host.read(stateDir.resolve(name))).path("targetIqn").asText().equals(iqn)) {
            return true;
          }
        } catch (Exception e) {
          return true; // unreadable: keep the session rather than cut another volume off
        }
      }
    }
    return false;
  }

  // ---- publish

  @Override
  public void nodePublishVolume(Csi.NodePublishVolumeRequest r, StreamObserver<Csi.NodePublishVolumeResponse> out) {
    answer(out, () -> {
      String volumeId = required(r.getVolumeId(), "volume_id");
      Path target = Path.of(required(r.getTargetPath(), "target_path"));
      String staging = required(r.getStagingTargetPath(), "staging_target_path");
      if (!r.hasVolumeCapability()) {
        throw invalid("volume_capability", "is required");
      }
      VolumeCapabilities.unsupported(r.getVolumeCapability(), "volume_capability").ifPresent(why -> {
        throw Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException();
      });
      if (mounted(target)) {
        return Csi.NodePublishVolumeResponse.getDefaultInstance();
      }
      String source;
      if (r.getVolumeCapability().hasBlock()) {
        source = staged(volumeId).orElseThrow(() -> Status.FAILED_PRECONDITION
            .withDescription("volume " + volumeId + " is not staged on this node").asRuntimeException())
            .path("device").asText();
        host.createFile(target);
      } else {
        source = staging;
        host.createDirectories(target);
      }
      must(List.of("mount", "--bind", source, target.toString()));
      if (r.getReadonly()) {
        must(List.of("mount", "-o", "remount,bind,ro", target.toString()));
      }
      return Csi.NodePublishVolumeResponse.getDefaultInstance();
    });
  }

  @Override
  public void nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest r,
      StreamObserver<Csi.NodeUnpublishVolumeResponse> out) {
    answer(out, () -> {
      required(r.getVolumeId(), "volume_id");
      Path target = Path.of(required(r.getTargetPath(), "target_path"));
      if (mounted(target)) {
        must(List.of("umount", target.toString()));
      }
      host.deleteIfExists(target);
      return Csi.NodeUnpublishVolumeResponse.getDefaultInstance();
    });
  }

  // ---- expansion and stats

  @Override
  public void nodeExpandVolume(Csi.NodeExpandVolumeRequest r, StreamObserver<Csi.NodeExpandVolumeResponse> out) {
    answer(out, () -> {
      String volumeId = required(r.getVolumeId(), "volume_id");
      String volumePath = required(r.getVolumePath(), "volume_path");
      JsonNode s = staged(volumeId).orElseThrow(() -> Status.NOT_FOUND
          .withDescription("volume_id: volume " + volumeId + " is not staged on this node").asRuntimeException());
      String iqn = s.path("targetIqn").asText();
      for (JsonNode portal : s.path("portals")) {
        must(List.of("iscsiadm", "-m", "node", "-T", iqn, "-p", portal.asText(), "--rescan"));
      }
      String device = s.path("device").asText();
      if (device.startsWith("/dev/mapper/")) {
        must(List.of("multipathd", "resize", "map", device.substring("/dev/mapper/".length())));
      }
      boolean block = s.path("block").asBoolean() || (r.hasVolumeCapability() && r.getVolumeCapability().hasBlock());
      if (!block) {
        HostCommands.Result type = host.run(List.of("blkid", "-p", "-s", "TYPE", "-o", "value", device));
        String fs = type.stdout().trim();
        if (fs.equals("xfs")) {
          must(List.of("xfs_growfs", volumePath));
        } else {
          must(List.of("resize2fs", device));
        }
      }
      long bytes = Long.parseLong(must(List.of("blockdev", "--getsize64", device)).stdout().trim());
      return Csi.NodeExpandVolumeResponse.newBuilder().setCapacityBytes(bytes).build();
    });
  }

  @Override
  public void nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest r, StreamObserver<Csi.NodeGetVolumeStatsResponse> out) {
    answer(out, () -> {
      String volumeId = required(r.getVolumeId(), "volume_id");
      String path = required(r.getVolumePath(), "volume_path");
      if (!host.exists(Path.of(path))) {
        throw Status.NOT_FOUND.withDescription("volume_path: " + path + " does not exist").asRuntimeException();
      }
      Optional<JsonNode> s = staged(volumeId);
      if (s.isPresent() && s.get().path("block").asBoolean()) {
        long bytes = Long.parseLong(must(List.of("blockdev", "--getsize64", s.get().path("device").asText()))
            .stdout().trim());
        return Csi.NodeGetVolumeStatsResponse.newBuilder()
            .addUsage(Csi.VolumeUsage.newBuilder().setUnit(Csi.VolumeUsage.Unit.BYTES).setTotal(bytes))
            .build();
      }
      // df's second line: size used avail itotal iused iavail
      String[] line = must(List.of("df", "-B1", "--output=size,used,avail,itotal,iused,iavail", path))
          .stdout().trim().split("\n")[1].trim().split("\\s+");
      return Csi.NodeGetVolumeStatsResponse.newBuilder()
          .addUsage(Csi.VolumeUsage.newBuilder().setUnit(Csi.VolumeUsage.Unit.BYTES)
              .setTotal(Long.parseLong(line[0])).setUsed(Long.parseLong(line[1])).setAvailable(Long.parseLong(line[2])))
          .addUsage(Csi.VolumeUsage.newBuilder().setUnit(Csi.VolumeUsage.Unit.INODES)
              .setTotal(Long.parseLong(line[3])).setUsed(Long.parseLong(line[4])).setAvailable(Long.parseLong(line[5])))
          .build();
    });
  }

  // ---- helpers

  private boolean mounted(Path path) {
    return host.exists(path) && host.run(List.of("mountpoint", "-q", path.toString())).ok();
  }

  private Path stateFile(String volumeId) {
    if (!volumeId.matches("[A-Za-z0-9-]{1,128}")) {
      throw invalid("volume_id", "'" + volumeId + "' is not a volume id of this driver");
    }
    return stateDir.resolve(volumeId + ".json");
  }

  private Optional<JsonNode> staged(String volumeId) {
    Path file = stateFile(volumeId);
    if (!host.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(host.read(file)));
    } catch (UncheckedIOException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw Status.INTERNAL.withDescription("reading " + file + ": " + e.getMessage()).asRuntimeException();
    }
  }

  private HostCommands.Result must(List<String> command) {
    HostCommands.Result result = host.run(command);
    if (!result.ok()) {
      throw failed(command, result);
    }
    return result;
  }

  private static StatusRuntimeException failed(List<String> command, HostCommands.Result result) {
    // never echo a CHAP secret back: the command line of an update may carry it
    String shown = command.contains("node.session.auth.password") ? String.join(" ", command.subList(0, 7)) + " ..."
        : String.join(" ", command);
    return Status.INTERNAL.withDescription(shown + " exited " + result.exit() + ": " + result.stderr().trim())
        .asRuntimeException();
  }

  private static String required(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw invalid(field, "is required");
    }
    return value;
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }
}
