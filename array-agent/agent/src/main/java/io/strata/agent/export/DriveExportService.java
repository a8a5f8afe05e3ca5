package io.strata.agent.export;

import io.strata.agent.inventory.Drive;
import io.strata.agent.layout.EngineLayout;
import io.strata.agent.layout.HaSlots;
import io.strata.agent.layout.LayoutFiles;
import io.strata.agent.layout.RetiredDrives;
import io.strata.agent.supervision.EngineLauncher;
import io.strata.agent.supervision.EngineSpec;
import io.strata.agent.supervision.EngineState;
import io.strata.agent.supervision.EngineSupervisor;
import io.strata.agent.supervision.Isolation;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.DriveExportCredentials;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Lends this node's drives to arrays whose engine runs on another node (the array spread over
 * nodes). One drive export service per node, the engine in {@code --exports} mode, serves every
 * drive lent, each as its own iSCSI target whose LUN 0 is the whole drive, to that array's
 * engine only (its initiator name and the CHAP both agents derive, {@link DriveExportCredentials}).
 * The agent keeps the service's exports file equal to the union of what the arrays' desired
 * states lend, signals the service (SIGHUP) to re-read it, and reads back from its status file
 * which revision it applied; the service runs only while something is lent, supervised like an
 * engine (restart with back-off). A drive that the desired state no longer lends to an array
 * has its label area cleared, as the engine's own node does for drives leaving a deleted pool.
 *
 * <p>A highly available array's engine nodes lend too: each node's drives to the engine on the
 * other (its exports carry the array's epoch, which fences engines of lower epochs). Such a loan
 * is reported inside the status of the engine here ({@link #statuses()} leaves it out), and
 * {@link #fencedAt} tells the engine's reconciler when a raised epoch is in force.
 */
public final class DriveExportService {

  private static final Logger LOG = Logger.getLogger(DriveExportService.class);
  /** The name under which the service is supervised (logs, pid file, cgroup). */
  public static final String SERVICE_NAME = "drive-exports";
  private static final Duration STATUS_POLL = Duration.ofMillis(200);
  private static final Duration RESIGNAL_AFTER = Duration.ofSeconds(2);
  /** A small share: the service only moves blocks between a drive and the network. */
  private static final int SERVICE_VCPUS = 1;
  private static final int SERVICE_MEMORY_MIB = 1024;

  /**
   * @param address where the service's portal listens (the node's address)
   * @param port its port; 0: this node lends no drives
   * @param credentials derives the engines' CHAP; null: this node lends no drives
   */
  public record Settings(String address, int port, DriveExportCredentials credentials) {
    public boolean enabled() {
      return port > 0 && credentials != null;
    }

    public String portal() {
      return address + ":" + port;
    }
  }

  /** How the service process is run: the same launcher, isolation and back-off as engines. */
  public record Supervision(
      EngineLauncher launcher, Isolation isolation, ScheduledExecutorService scheduler, Duration backoffMin,
      Duration backoffMax, Duration readyTimeout) {}

  /** What applying one array's desired state gave: its status and what could not be lent. */
  public record Applied(ArrayStatus status, List<String> problems) {}

  /** One array's loan: its desired state, its exports and the drives that could not be lent. */
  private static final class Loan {
    ArrayDesiredState desired;
    List<ExportsFile.Export> exports = List.of();
    /** The drive id of each export, by target. */
    Map<String, String> driveOfTarget = Map.of();
    /** Local drives lent, by serial (to clear their labels when they are no longer lent). */
    Map<String, EngineLayout.Drive> lentDrives = Map.of();
    List<ObjectStatus> refused = List.of();
    /** The file revision from which on the service serves this loan as it is now. */
    long revision;
    /** An engine of the array runs on this node too (an HA array), which reports the array's status. */
    boolean engineHere;
  }

  private final String nodeId;
  private final Settings settings;
  private final Path folder;
  private final ExportsFile files;
  private final Supervision supervision;
  private final Consumer<ArrayStatus> statusSink;
  private final Map<String, Loan> loans = new TreeMap<>();
  private final ScheduledFuture<?> statusPoll;
  private EngineSupervisor service;
  private long writtenRevision;
  private LayoutFiles.Status said;
  private long signalledRevision;
  private long signalledAtNanos;

  public DriveExportService(
      String nodeId, Settings settings, Path folder, Supervision supervision, Consumer<ArrayStatus> statusSink) {
    this.nodeId = nodeId;
    this.settings = settings;
    this.folder = folder;
    this.files = new ExportsFile(folder);
    this.supervision = supervision;
    this.statusSink = statusSink;
    this.statusPoll = supervision.scheduler().scheduleWithFixedDelay(
        this::pollStatus, STATUS_POLL.toMillis(), STATUS_POLL.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The generation of the array's desired state last applied here, or -1 when nothing is lent to it. */
  public synchronized long generationOf(String arrayId) {
    Loan loan = loans.get(arrayId);
    return loan == null ? -1 : loan.desired.generation();
  }

  /**
   * The serials of the drives lent to arrays other than {@code arrayId} (an engine of
   * {@code arrayId} on this node must not open them; an HA array's own engine here opens those
   * it lends to its peer engine).
   */
  public synchronized Set<String> lentSerialsExcept(String arrayId) {
    Set<String> serials = new HashSet<>();
    loans.forEach((id, l) -> {
      if (!id.equals(arrayId)) {
        serials.addAll(l.lentDrives.keySet());
      }
    });
    return serials;
  }

  /**
   * Whether no engine of an epoch below the array's current one can write this node's drives
   * of it any more: nothing of it is lent here, the service is not running (it reads the file,
   * which already holds the epoch, when it starts), or it has applied the revision holding the
   * array's loan as it is now (the service closes older epochs' sessions before it says so).
   */
  public synchronized boolean fencedAt(String arrayId) {
    Loan loan = loans.get(arrayId);
    if (loan == null || loan.exports.isEmpty() || service == null
        || service.state().phase() != EngineState.Phase.RUNNING) {
      return true;
    }
    LayoutFiles.Status now = files.readStatus();
    return now != null && now.ok() && now.revision() >= loan.revision;
  }

  /**
   * Lends the array this node's drives that {@code desired} lists for it (a present array whose
   * engine runs elsewhere).
   *
   * @param onNode the node's drives by serial
   * @param heldByEngines serials that arrays whose engine runs here hold
   */
  public synchronized Applied apply(ArrayDesiredState desired, Map<String, Drive> onNode, Set<String> heldByEngines) {
    Loan loan = loans.computeIfAbsent(desired.arrayId(), id -> new Loan());
    List<ExportsFile.Export> exports = new ArrayList<>();
    Map<String, String> driveOfTarget = new HashMap<>();
    Map<String, EngineLayout.Drive> lentDrives = new HashMap<>();
    List<ObjectStatus> refused = new ArrayList<>();
    List<DriveSpec> mine = desired.drives().stream().filter(d -> d.isOn(nodeId, desired))
        .sorted(Comparator.comparing(DriveSpec::driveId)).toList();
    // one initiator and one CHAP pair per array (the secret is an HMAC: computed once, not per drive)
    String initiator = DriveExportCredentials.engineInitiatorIqn(desired.arrayId());
    EngineLayout.Credentials chap = mine.isEmpty() || !settings.enabled() ? null
        : new EngineLayout.Credentials(settings.credentials().user(desired.arrayId()),
            settings.credentials().secret(desired.arrayId()));
    for (DriveSpec d : mine) {
      Drive found = onNode.get(d.serial());
      String problem = null;
      if (!settings.enabled()) {
        problem = "drive " + d.serial() + ": node " + nodeId + " lends no drives (no drive portal port or key)";
      } else if (found == null) {
        problem = "drive " + d.serial() + " is not on node " + nodeId;
      } else if (found.type() != d.type()) {
        problem = "drive " + d.serial() + " is " + found.type() + ", not " + d.type();
      } else if (heldByEngines.contains(d.serial()) || lentToOthers(desired.arrayId(), d.serial())) {
        problem = "drive " + d.serial() + " already belongs to another array on this node";
      }
      if (problem != null) {
        refused.add(new ObjectStatus(desired.arrayId(), ObjectStatus.Kind.DRIVE, d.driveId(), ObjectStatus.State.FAILED,
            problem));
        continue;
      }
      String target = DriveExportCredentials.driveTargetIqn(d.driveId());
      exports.add(new ExportsFile.Export(target, found.path().toString(), d.type().name(), initiator, chap,
          desired.ha() == null ? null : desired.ha().epoch()));
      driveOfTarget.put(target, d.driveId());
      lentDrives.put(d.serial(), new EngineLayout.Drive(d.serial(), found.path().toString(), d.type().name(), null));
    }
    Map<String, EngineLayout.Drive> lentBefore = loan.lentDrives;
    boolean changed = !exports.equals(loan.exports);
    loan.desired = desired;
    loan.exports = List.copyOf(exports);
    loan.driveOfTarget = Map.copyOf(driveOfTarget);
    loan.lentDrives = Map.copyOf(lentDrives);
    loan.refused = List.copyOf(refused);
    loan.engineHere = HaSlots.runsEngineOn(desired, nodeId);
    converge();
    // Only drives the array no longer lists lose their labels, once the service was told to stop
    // exporting them: one still listed but refused this time (claimed by another array here)
    // may still hold the array's data.
    clearNoLongerLent(desired.arrayId(), lentBefore,
        mine.stream().map(DriveSpec::serial).collect(java.util.stream.Collectors.toSet()));
    if (changed || loan.revision == 0) {
      loan.revision = writtenRevision;
    }
    return new Applied(status(desired.arrayId(), loan), refused.stream().map(ObjectStatus::reason).toList());
  }

  /**
   * Stops lending anything to the array (it was deleted, or its engine now runs here) and clears
   * the labels of its drives when {@code retire}. Returns whether anything was lent to it.
   */
  public synchronized boolean remove(String arrayId, boolean retire) {
    Loan loan = loans.remove(arrayId);
    if (loan == null) {
      return false;
    }
    converge();
    if (retire) {
      clearNoLongerLent(arrayId, loan.lentDrives, Set.of());
    }
    LOG.infof("node %s lends nothing more to array %s", nodeId, arrayId);
    return true;
  }

  /**
   * The status of each array this node lends drives to (for the node's state report), but for
   * HA arrays whose engine runs here too: their engine's status speaks for the array.
   */
  public synchronized List<ArrayStatus> statuses() {
    return loans.entrySet().stream().filter(e -> !e.getValue().engineHere)
        .map(e -> status(e.getKey(), e.getValue())).toList();
  }

  /** The service's process, for tests and operators; null while nothing is lent. */
  public synchronized EngineState serviceState() {
    return service == null ? null : service.state();
  }

  /** Stops the service (agent shutdown); what is lent stays in the arrays' saved desired states. */
  public synchronized void stop() {
    statusPoll.cancel(false);
    if (service != null) {
      service.stop();
      service = null;
    }
  }

  private boolean lentToOthers(String arrayId, String serial) {
    return loans.entrySet().stream().anyMatch(e -> !e.getKey().equals(arrayId)
        && e.getValue().lentDrives.containsKey(serial));
  }

  /** Drives lent before and not now: the array's data on them goes with the loan. */
  private void clearNoLongerLent(String arrayId, Map<String, EngineLayout.Drive> before, Set<String> now) {
    List<EngineLayout.Drive> retired = before.values().stream().filter(d -> !now.contains(d.name())).toList();
    if (!retired.isEmpty()) {
      LOG.infof("node %s: drives %s no longer lent to array %s; clearing their labels", nodeId,
          retired.stream().map(EngineLayout.Drive::name).toList(), arrayId);
      RetiredDrives.wipe(retired).forEach(LOG::warn);
    }
  }

  /** Makes the file hold every loan, and the service run (and re-read it) exactly while there is one. */
  private void converge() {
    List<ExportsFile.Export> all = new ArrayList<>();
    loans.values().forEach(l -> all.addAll(l.exports));
    all.sort(Comparator.comparing(ExportsFile.Export::target));
    if (all.isEmpty() && service == null) {
      return;
    }
    writtenRevision = files.write(all);
    if (all.isEmpty()) {
      LOG.infof("node %s lends no drive any more; stopping its drive export service", nodeId);
      service.stop();
      service = null;
      said = null;
      return;
    }
    if (service == null) {
      EngineSpec spec = new EngineSpec(SERVICE_NAME, settings.address(), settings.port(), null, null, files.status(),
          null, SERVICE_VCPUS, SERVICE_MEMORY_MIB, files.file());
      EngineSupervisor[] self = new EngineSupervisor[1];
      self[0] = new EngineSupervisor(spec, supervision.launcher(), supervision.isolation(), folder,
          supervision.scheduler(), supervision.backoffMin(), supervision.backoffMax(), supervision.readyTimeout(),
          state -> serviceChanged(self[0]));
      service = self[0];
      LOG.infof("node %s starts its drive export service on %s", nodeId, settings.portal());
      service.start();
    } else {
      askToReload();
    }
  }

  private void askToReload() {
    if (service == null || (said != null && said.revision() >= writtenRevision)) {
      return;
    }
    boolean newer = writtenRevision > signalledRevision;
    if (!newer && signalledAtNanos != 0 && System.nanoTime() - signalledAtNanos < RESIGNAL_AFTER.toNanos()) {
      return;
    }
    if (service.reload()) {
      signalledAtNanos = System.nanoTime();
      signalledRevision = writtenRevision;
    }
  }

  private void pollStatus() {
    List<ArrayStatus> changed = new ArrayList<>();
    try {
      synchronized (this) {
        if (service == null) {
          return;
        }
        LayoutFiles.Status now = files.readStatus();
        if (now != null && !now.equals(said)) {
          said = now;
          if (!now.ok()) {
            LOG.warnf("node %s: the drive export service did not apply revision %d: %s", nodeId, now.revision(),
                now.error());
          }
          changed.addAll(statuses());
        }
        askToReload();
      }
      changed.forEach(statusSink);
    } catch (RuntimeException e) {
      LOG.warnf(e, "reading the drive export service's status failed");
    }
  }

  private void serviceChanged(EngineSupervisor supervisor) {
    List<ArrayStatus> all;
    synchronized (this) {
      if (supervisor != service) {
        return;
      }
      all = statuses();
    }
    all.forEach(statusSink);
  }

  /**
   * The array as this node lends to it: ONLINE once the running service applied a revision that
   * holds its exports (each lent drive READY), DEGRADED while the service restarts, FAILED when
   * it cannot run; drives that could not be lent are FAILED with the reason.
   */
  private ArrayStatus status(String arrayId, Loan loan) {
    EngineState engine = service == null ? null : service.state();
    boolean applied = said != null && said.ok() && said.revision() >= loan.revision;
    boolean refusedByService = said != null && !said.ok() && said.revision() >= loan.revision;
    ArrayStatus.State state = ArrayStatus.State.PROVISIONING;
    String reason = null;
    if (loan.exports.isEmpty()) {
      state = ArrayStatus.State.ONLINE;
    } else if (engine != null) {
      switch (engine.phase()) {
        case RUNNING -> state = applied ? ArrayStatus.State.ONLINE : ArrayStatus.State.PROVISIONING;
        case RESTARTING -> {
          state = ArrayStatus.State.DEGRADED;
          reason = "drive export service: " + engine.reason();
        }
        case FAILED -> {
          state = ArrayStatus.State.FAILED;
          reason = "drive export service: " + engine.reason();
        }
        default -> state = ArrayStatus.State.PROVISIONING;
      }
    }
    List<ObjectStatus> objects = new ArrayList<>(loan.refused);
    for (ExportsFile.Export e : loan.exports) {
      String driveId = loan.driveOfTarget.get(e.target());
      if (applied) {
        objects.add(new ObjectStatus(arrayId, ObjectStatus.Kind.DRIVE, driveId, ObjectStatus.State.READY, null));
      } else if (refusedByService) {
        objects.add(new ObjectStatus(arrayId, ObjectStatus.Kind.DRIVE, driveId, ObjectStatus.State.FAILED,
            "the drive export service refused revision " + said.revision() + ": " + said.error()));
      }
    }
    return new ArrayStatus(arrayId, nodeId, loan.desired.generation(), state, reason, settings.portal(),
        loan.desired.targetIqn(), engine == null ? null : engine.pid(), engine == null ? 0 : engine.restarts(),
        engine == null ? null : engine.isolation(), objects);
  }
}
