package io.strata.agent.commands;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.agent.inventory.Drive;
import io.strata.agent.inventory.DriveScanner;
import io.strata.agent.supervision.EngineLauncher;
import io.strata.agent.supervision.EngineSpec;
import io.strata.agent.supervision.EngineState;
import io.strata.agent.supervision.EngineSupervisor;
import io.strata.agent.supervision.Isolation;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.LunSpec;
import io.strata.contracts.command.ArrayDesiredState.ServerSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import io.strata.contracts.event.ObjectStatus.Kind;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Converges this node to the desired state of each array: volume files created, grown or
 * removed, the engine started, restarted with a new configuration, or stopped and its data
 * removed. Applying the same desired state twice changes nothing (the running engine keeps
 * serving). Each array's last applied desired state is kept in its folder so that the agent
 * re-converges after its own restart without waiting for the control plane.
 *
 * <p>Volumes are sparse files in the array's folder, each exposed as one LUN of the engine; the
 * pools' drives are checked and held for the array (no two arrays share a drive), but volumes are
 * not yet striped across them: that is the block stack's work.
 */
public final class Reconciler {

  private static final Logger LOG = Logger.getLogger(Reconciler.class);

  /** What the agent needs to run engines. */
  public record EngineSettings(
      EngineLauncher launcher, Isolation isolation, ScheduledExecutorService scheduler, Duration backoffMin,
      Duration backoffMax, Duration readyTimeout) {}

  /** The reason an array without attached volumes reports with ONLINE. */
  public static final String IDLE = "no volume attached yet: the engine starts with the first attachment";

  private final String nodeId;
  private final String address;
  private final Path arraysFolder;
  private final DriveScanner drives;
  private final SealedSecret secrets;
  private final EngineSettings engines;
  private final Consumer<ArrayStatus> statusSink;
  private final ObjectMapper json =
      new ObjectMapper().findAndRegisterModules().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private final Map<String, ArrayRuntime> arrays = new ConcurrentHashMap<>();

  /** One array on this node: what it should be, its objects' status and its engine. */
  private static final class ArrayRuntime {
    ArrayDesiredState desired;
    List<ObjectStatus> objects = List.of();
    EngineSupervisor engine;
    String configurationProblem;
  }

  public Reconciler(
      String nodeId, String address, Path arraysFolder, DriveScanner drives, SealedSecret secrets,
      EngineSettings engines, Consumer<ArrayStatus> statusSink) {
    this.nodeId = nodeId;
    this.address = address;
    this.arraysFolder = arraysFolder;
    this.drives = drives;
    this.secrets = secrets;
    this.engines = engines;
    this.statusSink = statusSink;
  }

  /** The outcome of one convergence. */
  public record Outcome(boolean superseded, ArrayStatus status, List<String> problems) {}

  /** Converges one array to {@code desired}. Never throws for bad desired state: problems are reported. */
  public synchronized Outcome apply(ArrayDesiredState desired) {
    ArrayRuntime runtime = arrays.get(desired.arrayId());
    if (runtime != null && runtime.desired != null && desired.generation() < runtime.desired.generation()) {
      return new Outcome(true, status(desired.arrayId(), runtime), List.of());
    }
    if (!desired.present()) {
      return new Outcome(false, delete(desired), List.of());
    }
    if (runtime == null) {
      runtime = new ArrayRuntime();
      arrays.put(desired.arrayId(), runtime);
    }
    List<String> problems = new ArrayList<>();
    List<ObjectStatus> objects = new ArrayList<>();
    Path folder = arrayFolder(desired.arrayId());
    try {
      Files.createDirectories(folder.resolve("volumes"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + folder, e);
    }
    checkDrives(desired, objects, problems);
    for (var pool : desired.pools()) {
      objects.add(ready(desired, Kind.POOL, pool.poolId()));
    }
    Map<String, EngineSpec.Lun> volumeFiles = convergeVolumes(desired, folder, objects, problems);
    List<EngineSpec.Lun> luns = mapLuns(desired, volumeFiles, objects, problems);
    List<EngineSpec.Initiator> initiators = initiators(desired, luns, objects, problems);

    EngineSpec spec = new EngineSpec(
        desired.arrayId(), address, desired.portalPort(), desired.targetIqn(), luns, null, initiators,
        mutualChap(desired, problems),
        desired.engine().vcpus(), desired.engine().memoryMib(), statsFile(desired.arrayId()));
    runtime.desired = desired;
    runtime.objects = List.copyOf(objects);
    save(desired, folder);
    if (luns.isEmpty()) {
      // The engine serves at least one LUN; until a volume is attached there is nothing to run.
      if (runtime.engine != null) {
        runtime.engine.stop();
        runtime.engine = null;
      }
    } else if (runtime.engine == null || !runtime.engine.spec().equals(spec)) {
      if (runtime.engine != null) {
        LOG.infof("array %s: configuration changed, restarting its engine", desired.arrayId());
        runtime.engine.stop();
      }
      runtime.engine = newSupervisor(spec, folder);
      runtime.engine.start();
    }
    return new Outcome(false, status(desired.arrayId(), runtime), List.copyOf(problems));
  }

  /** Re-applies the desired states saved by a previous run of the agent. */
  public synchronized List<ArrayStatus> restore() {
    List<ArrayStatus> restored = new ArrayList<>();
    if (!Files.isDirectory(arraysFolder)) {
      return restored;
    }
    try (Stream<Path> folders = Files.list(arraysFolder)) {
      for (Path folder : folders.sorted().toList()) {
        Path saved = folder.resolve("desired.json");
        if (Files.isRegularFile(saved)) {
          try {
            restored.add(apply(json.readValue(saved.toFile(), ArrayDesiredState.class)).status());
          } catch (IOException | RuntimeException e) {
            LOG.errorf("array folder %s: saved desired state unreadable (%s); waiting for the control plane", folder,
                e.getMessage());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + arraysFolder, e);
    }
    return restored;
  }

  /** The actual state of every array held. */
  public synchronized List<ArrayStatus> statuses() {
    return arrays.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> status(e.getKey(), e.getValue()))
        .toList();
  }

  public int enginesRunning() {
    return (int) arrays.values().stream()
        .filter(a -> a.engine != null && a.engine.state().phase() == EngineState.Phase.RUNNING)
        .count();
  }

  public int arrayCount() {
    return arrays.size();
  }

  /** Stops every engine (agent shutdown). Their desired state stays on disk. */
  public synchronized void stopAll() {
    arrays.values().forEach(a -> {
      if (a.engine != null) {
        a.engine.stop();
      }
    });
  }

  /** The engine process of an array, for tests and usage sampling. */
  public synchronized EngineState engineState(String arrayId) {
    ArrayRuntime runtime = arrays.get(arrayId);
    return runtime == null || runtime.engine == null ? null : runtime.engine.state();
  }

  /** The file the array's engine writes its I/O counters to. */
  public Path statsFile(String arrayId) {
    return arrayFolder(arrayId).resolve("engine-stats.json");
  }

  /** The last desired state applied for each array held (for usage samples). */
  public synchronized List<ArrayDesiredState> desiredStates() {
    return arrays.values().stream().map(a -> a.desired).filter(d -> d != null && d.present()).toList();
  }

  public Path arrayFolder(String arrayId) {
    if (!arrayId.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("array id " + arrayId + " is not usable as a folder name");
    }
    return arraysFolder.resolve(arrayId);
  }

  private ArrayStatus delete(ArrayDesiredState desired) {
    ArrayRuntime runtime = arrays.remove(desired.arrayId());
    if (runtime != null && runtime.engine != null) {
      runtime.engine.stop();
    }
    Path folder = arrayFolder(desired.arrayId());
    deleteTree(folder);
    LOG.infof("array %s deleted from node %s", desired.arrayId(), nodeId);
    ArrayStatus status = new ArrayStatus(desired.arrayId(), nodeId, desired.generation(), ArrayStatus.State.DELETED,
        null, null, desired.targetIqn(), null, 0, null, List.of());
    statusSink.accept(status);
    return status;
  }

  private void checkDrives(ArrayDesiredState desired, List<ObjectStatus> objects, List<String> problems) {
    Map<String, Drive> onNode = new HashMap<>();
    drives.scan().forEach(d -> onNode.put(d.serial(), d));
    Set<String> heldByOthers = new HashSet<>();
    arrays.forEach((id, other) -> {
      if (!id.equals(desired.arrayId()) && other.desired != null) {
        other.desired.drives().forEach(d -> heldByOthers.add(d.serial()));
      }
    });
    for (var drive : desired.drives()) {
      Drive found = onNode.get(drive.serial());
      String problem = null;
      if (found == null) {
        problem = "drive " + drive.serial() + " is not on node " + nodeId;
      } else if (found.type() != drive.type()) {
        problem = "drive " + drive.serial() + " is " + found.type() + ", not " + drive.type();
      } else if (heldByOthers.contains(drive.serial())) {
        problem = "drive " + drive.serial() + " already belongs to another array on this node";
      }
      objects.add(problem == null ? ready(desired, Kind.DRIVE, drive.driveId()) : failed(desired, Kind.DRIVE, drive.driveId(), problem));
      if (problem != null) {
        problems.add(problem);
      }
    }
  }

  private Map<String, EngineSpec.Lun> convergeVolumes(
      ArrayDesiredState desired, Path folder, List<ObjectStatus> objects, List<String> problems) {
    Map<String, EngineSpec.Lun> files = new LinkedHashMap<>();
    Set<String> wanted = new HashSet<>();
    // The engine keeps files beside a volume's (<id>.img.alloc, <id>.img.pr): they go with it.
    for (VolumeSpec volume : desired.volumes()) {
      Path file = volumeFile(folder, volume.volumeId());
      wanted.add(volume.volumeId());
      long size = volume.sizeGib() << 30;
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
        if (raf.length() > size) {
          String problem = "volume " + volume.volumeId() + " is " + (raf.length() >> 30) + " GiB; shrinking to "
              + volume.sizeGib() + " GiB would lose data";
          objects.add(failed(desired, Kind.VOLUME, volume.volumeId(), problem));
          problems.add(problem);
          files.put(volume.volumeId(), new EngineSpec.Lun(-1, file, raf.length()));
          continue;
        }
        if (raf.length() < size) {
          raf.setLength(size);
        }
      } catch (IOException e) {
        String problem = "volume " + volume.volumeId() + ": " + e.getMessage();
        objects.add(failed(desired, Kind.VOLUME, volume.volumeId(), problem));
        problems.add(problem);
        continue;
      }
      files.put(volume.volumeId(), new EngineSpec.Lun(-1, file, size));
      objects.add(ready(desired, Kind.VOLUME, volume.volumeId()));
      for (var snapshot : volume.snapshots()) {
        String problem = "snapshot " + snapshot.snapshotId() + ": snapshots need the block stack, not in this engine yet";
        objects.add(failed(desired, Kind.SNAPSHOT, snapshot.snapshotId(), problem));
        problems.add(problem);
      }
    }
    try (Stream<Path> present = Files.list(folder.resolve("volumes"))) {
      for (Path file : present.toList()) {
        String name = file.getFileName().toString();
        int dot = name.indexOf(".img");
        if (!wanted.contains(dot < 0 ? name : name.substring(0, dot))) {
          Files.deleteIfExists(file);
          LOG.infof("array %s: volume file %s removed", desired.arrayId(), file.getFileName());
        }
      }
    } catch (IOException e) {
      problems.add("cannot clean volumes of " + desired.arrayId() + ": " + e.getMessage());
    }
    return files;
  }

  /**
   * The servers admitted to the target, each with its own CHAP credentials (opened from their
   * sealed form) and the LUNs attached to it: the engine refuses any other initiator and shows
   * each server only its own LUNs. A server whose secret cannot be opened is left out (it cannot
   * log in) and reported.
   */
  private List<EngineSpec.Initiator> initiators(
      ArrayDesiredState desired, List<EngineSpec.Lun> exposed, List<ObjectStatus> objects, List<String> problems) {
    Set<Integer> servedLuns = new HashSet<>();
    exposed.forEach(l -> servedLuns.add(l.lun()));
    List<EngineSpec.Initiator> admitted = new ArrayList<>();
    List<ServerSpec> servers = new ArrayList<>(desired.servers());
    servers.sort(Comparator.comparing(ServerSpec::serverId));
    for (ServerSpec server : servers) {
      String problem = null;
      EngineSpec.Credentials credentials = null;
      if (server.chapUser() != null && server.chapSecretSealed() != null) {
        try {
          credentials = new EngineSpec.Credentials(server.chapUser(), secrets.open(server.chapSecretSealed()));
        } catch (IllegalArgumentException e) {
          problem = "server " + server.serverId() + " CHAP secret: " + e.getMessage();
        }
      }
      if (problem == null) {
        List<Integer> luns = desired.luns().stream()
            .filter(l -> l.serverId().equals(server.serverId()) && servedLuns.contains(l.lun()))
            .map(LunSpec::lun).distinct().sorted().toList();
        admitted.add(new EngineSpec.Initiator(server.iqn(), credentials, luns));
        objects.add(ready(desired, Kind.SERVER, server.serverId()));
      } else {
        objects.add(failed(desired, Kind.SERVER, server.serverId(), problem));
        problems.add(problem);
      }
    }
    return admitted;
  }

  /** The target's credentials for mutual CHAP: the first server that asks for it (the engine has one pair). */
  private EngineSpec.Credentials mutualChap(ArrayDesiredState desired, List<String> problems) {
    for (ServerSpec server : desired.servers()) {
      if (server.mutualChapUser() != null && server.mutualChapSecretSealed() != null) {
        try {
          return new EngineSpec.Credentials(server.mutualChapUser(), secrets.open(server.mutualChapSecretSealed()));
        } catch (IllegalArgumentException e) {
          problems.add("server " + server.serverId() + " mutual CHAP secret: " + e.getMessage());
        }
      }
    }
    return null;
  }

  /**
   * The engine has one LUN map per target and masks it per initiator, so a LUN number must name
   * the same volume for every server of the array; a clash is reported.
   */
  private List<EngineSpec.Lun> mapLuns(
      ArrayDesiredState desired, Map<String, EngineSpec.Lun> volumes, List<ObjectStatus> objects, List<String> problems) {
    Map<Integer, String> volumeOfLun = new java.util.TreeMap<>();
    List<EngineSpec.Lun> luns = new ArrayList<>();
    for (LunSpec lun : desired.luns()) {
      EngineSpec.Lun file = volumes.get(lun.volumeId());
      String problem = null;
      if (file == null) {
        problem = "LUN " + lun.lun() + ": volume " + lun.volumeId() + " is not available";
      } else if (volumeOfLun.containsKey(lun.lun()) && !volumeOfLun.get(lun.lun()).equals(lun.volumeId())) {
        problem = "LUN " + lun.lun() + " already shows volume " + volumeOfLun.get(lun.lun()) + " on this target";
      }
      if (problem != null) {
        objects.add(failed(desired, Kind.LUN, lun.attachmentId(), problem));
        problems.add(problem);
        continue;
      }
      if (volumeOfLun.putIfAbsent(lun.lun(), lun.volumeId()) == null) {
        luns.add(new EngineSpec.Lun(lun.lun(), file.path(), file.sizeBytes()));
      }
      objects.add(ready(desired, Kind.LUN, lun.attachmentId()));
    }
    luns.sort(Comparator.comparingInt(EngineSpec.Lun::lun));
    return luns;
  }

  private EngineSupervisor newSupervisor(EngineSpec spec, Path folder) {
    EngineSupervisor[] self = new EngineSupervisor[1];
    self[0] = new EngineSupervisor(spec, engines.launcher(), engines.isolation(), folder, engines.scheduler(),
        engines.backoffMin(), engines.backoffMax(), engines.readyTimeout(), state -> engineChanged(spec.arrayId(), self[0]));
    return self[0];
  }

  private void engineChanged(String arrayId, EngineSupervisor supervisor) {
    ArrayStatus status;
    synchronized (this) {
      ArrayRuntime runtime = arrays.get(arrayId);
      if (runtime == null || runtime.engine != supervisor) {
        return; // a replaced or deleted engine's last words
      }
      status = status(arrayId, runtime);
    }
    statusSink.accept(status);
  }

  private ArrayStatus status(String arrayId, ArrayRuntime runtime) {
    ArrayDesiredState desired = runtime.desired;
    EngineState engine = runtime.engine == null ? null : runtime.engine.state();
    ArrayStatus.State state;
    String reason = null;
    if (engine == null) {
      state = ArrayStatus.State.ONLINE;
      reason = IDLE;
    } else {
      switch (engine.phase()) {
        case RUNNING -> state = ArrayStatus.State.ONLINE;
        case RESTARTING -> {
          state = ArrayStatus.State.DEGRADED;
          reason = engine.reason();
        }
        case FAILED -> {
          state = ArrayStatus.State.FAILED;
          reason = engine.reason();
        }
        default -> state = ArrayStatus.State.PROVISIONING;
      }
    }
    return new ArrayStatus(arrayId, nodeId, desired == null ? 0 : desired.generation(), state, reason,
        address + ":" + desired.portalPort(), desired.targetIqn(), engine == null ? null : engine.pid(),
        engine == null ? 0 : engine.restarts(), engine == null ? null : engine.isolation(), runtime.objects);
  }

  private void save(ArrayDesiredState desired, Path folder) {
    try {
      Path temp = folder.resolve("desired.json.tmp");
      json.writeValue(temp.toFile(), desired);
      Files.move(temp, folder.resolve("desired.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save desired state of " + desired.arrayId(), e);
    }
  }

  static Path volumeFile(Path arrayFolder, String volumeId) {
    if (!volumeId.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("volume id " + volumeId + " is not usable as a file name");
    }
    return arrayFolder.resolve("volumes").resolve(volumeId + ".img");
  }

  private ObjectStatus ready(ArrayDesiredState desired, Kind kind, String id) {
    return new ObjectStatus(desired.arrayId(), kind, id, ObjectStatus.State.READY, null);
  }

  private ObjectStatus failed(ArrayDesiredState desired, Kind kind, String id, String reason) {
    return new ObjectStatus(desired.arrayId(), kind, id, ObjectStatus.State.FAILED, reason);
  }

  private static void deleteTree(Path folder) {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> all = Files.walk(folder)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + folder, e);
    }
  }
}
