package io.strata.agent.commands;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.agent.export.DriveExportService;
import io.strata.agent.inventory.Drive;
import io.strata.agent.inventory.DriveScanner;
import io.strata.agent.supervision.EngineLauncher;
import io.strata.agent.supervision.EngineSpec;
import io.strata.agent.supervision.EngineState;
import io.strata.agent.supervision.EngineSupervisor;
import io.strata.agent.supervision.Isolation;
import io.strata.agent.layout.EngineLayout;
import io.strata.agent.layout.EngineRestart;
import io.strata.agent.layout.MemberPositions;
import io.strata.agent.layout.HaSlots;
import io.strata.agent.layout.LayoutFiles;
import io.strata.agent.tracing.EngineLayoutSpans;
import io.strata.agent.layout.LayoutPlanner;
import io.strata.agent.layout.RetiredDrives;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.EngineSlot;
import io.strata.contracts.command.SealedSecret;
import io.strata.contracts.event.ArrayStatus;
import io.strata.contracts.event.ObjectStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Converges this node to the desired state of each array. Each array gets one engine process
 * started with {@code --layout}: the agent writes the array's layout file (drives, pools with
 * cache and tier, volumes, snapshots, clones, rollbacks, LUNs, initiators; see
 * {@link LayoutPlanner}) and, when it changed, signals the engine to re-read it: volumes,
 * snapshots, LUNs, initiators, and also pools and drives added or removed. The engine is
 * restarted only when something it takes at start changes (portal, IQN, engine size) or a pool
 * it serves changes in place ({@link EngineRestart}). Objects are reported READY only once the engine has said that it applied a
 * layout revision holding them, and FAILED with the engine's reason when it could not; until
 * then they are left out of the report (the control plane keeps waiting). Applying the same
 * desired state twice changes nothing. Each array's last applied desired state is kept in its
 * folder so that the agent re-converges after its own restart without waiting for the control
 * plane.
 *
 * <p>An array whose engine runs on another node ({@link ArrayDesiredState#engineNodeId()}) gets
 * no engine here: this node lends it the drives the desired state lists as this node's, through
 * the node's drive export service ({@link DriveExportService}), and the engine's node opens them
 * as remote drives.
 *
 * <p>A highly available array (docs/high-availability.md) runs an engine on each node of its
 * {@code ha} slots, the standby's too, on the slot's address and port; each such node also lends
 * its drives of the array to the other engine. When a desired state raises the array's epoch,
 * the node's exports file is brought to the new epoch first, and the engine's layout (which may
 * promote it) is written only once the export service has applied it: the old active is fenced
 * off this node's drives before the new one opens them. A role change is a reload, never a restart.
 */
public final class Reconciler {

  private static final Logger LOG = Logger.getLogger(Reconciler.class);
  /** How often the engines' layout status files are read. */
  private static final Duration STATUS_POLL = Duration.ofMillis(200);
  /** How long before an engine that has not answered a reload is signalled again. */
  private static final Duration RESIGNAL_AFTER = Duration.ofSeconds(2);
  /**
   * How often every array's status is published again though nothing changed. Statuses are
   * otherwise sent on change only, and the control plane can come to hold a state no change will
   * correct: its watchdog marks a silent node's arrays DEGRADED, and when the node's heartbeats
   * resume its engines have nothing new to say. This bounds such a divergence.
   */
  static final Duration RESTATE_EVERY = Duration.ofSeconds(30);

  /** What the agent needs to run engines. */
  public record EngineSettings(
      EngineLauncher launcher, Isolation isolation, ScheduledExecutorService scheduler, Duration backoffMin,
      Duration backoffMax, Duration readyTimeout) {}

  private final String nodeId;
  private final String address;
  private final Path arraysFolder;
  private final DriveScanner drives;
  private final LayoutPlanner planner;
  private final EngineSettings engines;
  private final Consumer<ArrayStatus> statusSink;
  private final ObjectMapper json =
      new ObjectMapper().findAndRegisterModules().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private final Map<String, ArrayRuntime> arrays = new ConcurrentHashMap<>();
  private final ScheduledFuture<?> statusPoll;
  private final ScheduledFuture<?> restate;
  private final DriveExportService exports;
  /** The spans of engines taking layout revisions (docs/observability.md, "Tracing"); none until {@link #traceWith}. */
  private volatile EngineLayoutSpans layoutSpans = EngineLayoutSpans.none();

  /** One array on this node: what it should be, its layout, the engine's word on it, its engine. */
  private static final class ArrayRuntime {
    ArrayDesiredState desired;
    LayoutPlanner.Plan plan;
    LayoutFiles files;
    long writtenRevision;
    /** The engine's last status, and the forms of the objects in the last revision it applied. */
    LayoutFiles.Status engineSaid;
    Map<String, LayoutPlanner.Planned> applied = Map.of();
    /**
     * The objects of that revision the engine did not serve because it refused their pool over
     * its drives, by key, with the reason (see {@link RefusedPools}).
     */
    Map<String, String> refused = Map.of();
    long signalledAtNanos;
    /** The revision the last signal asked the engine to apply. */
    long signalledRevision;
    EngineSupervisor engine;
    /** The engine size ({@code E01} ...) the running engine was started with. */
    String engineSize;
    /**
     * A desired state (and its plan) that raises the array's epoch, held back until this node's
     * drive export service has applied that epoch; null when none waits.
     */
    ArrayDesiredState pendingDesired;
    LayoutPlanner.Plan pendingPlan;

    long generation() {
      return Math.max(desired == null ? -1 : desired.generation(),
          pendingDesired == null ? -1 : pendingDesired.generation());
    }
  }

  /** A node that neither lends drives nor opens other nodes' drives. */
  public Reconciler(
      String nodeId, String address, Path arraysFolder, DriveScanner drives, SealedSecret secrets,
      EngineSettings engines, Consumer<ArrayStatus> statusSink) {
    this(nodeId, address, arraysFolder, drives, secrets, engines, new DriveExportService.Settings(address, 0, null),
        statusSink);
  }

  /**
   * @param exportSettings the node's drive export service (port and the key from which engines'
   *     CHAP for other nodes' drives is derived); its files live in {@code exports/} beside
   *     {@code arraysFolder}
   */
  public Reconciler(
      String nodeId, String address, Path arraysFolder, DriveScanner drives, SealedSecret secrets,
      EngineSettings engines, DriveExportService.Settings exportSettings, Consumer<ArrayStatus> statusSink) {
    this.nodeId = nodeId;
    this.address = address;
    this.arraysFolder = arraysFolder;
    this.drives = drives;
    this.planner = new LayoutPlanner(secrets, exportSettings.credentials());
    this.engines = engines;
    this.statusSink = statusSink;
    this.exports = new DriveExportService(nodeId, exportSettings, arraysFolder.resolveSibling("exports"),
        new DriveExportService.Supervision(engines.launcher(), engines.isolation(), engines.scheduler(),
            engines.backoffMin(), engines.backoffMax(), engines.readyTimeout()),
        statusSink);
    this.statusPoll = engines.scheduler().scheduleWithFixedDelay(
        this::pollEngineStatus, STATUS_POLL.toMillis(), STATUS_POLL.toMillis(), TimeUnit.MILLISECONDS);
    this.restate = engines.scheduler().scheduleWithFixedDelay(
        this::restateAll, RESTATE_EVERY.toMillis(), RESTATE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Records the spans of engines taking the layouts this reconciler writes. */
  public void traceWith(EngineLayoutSpans spans) {
    this.layoutSpans = spans;
  }

  /** The outcome of one convergence. */
  public record Outcome(boolean superseded, ArrayStatus status, List<String> problems) {}

  /** Converges one array to {@code desired}. Never throws for bad desired state: problems are reported. */
  public synchronized Outcome apply(ArrayDesiredState desired) {
    // Older than what was applied here, whether this node ran the array's engine or lent it
    // drives: checked before choosing, so that a stale "engine elsewhere" (or "engine here")
    // cannot stop a newer engine, delete the array or undo a loan.
    ArrayRuntime runtime = arrays.get(desired.arrayId());
    long runtimeGeneration = runtime != null ? runtime.generation() : -1;
    if (desired.generation() < Math.max(runtimeGeneration, exports.generationOf(desired.arrayId()))) {
      ArrayStatus current = runtime != null ? status(desired.arrayId(), runtime)
          : exports.statuses().stream().filter(s -> s.arrayId().equals(desired.arrayId())).findFirst().orElseThrow();
      return new Outcome(true, current, List.of());
    }
    if (!HaSlots.runsEngineOn(desired, nodeId)) {
      return lend(desired);
    }
    if (!desired.present()) {
      return new Outcome(false, delete(desired), List.of());
    }
    Path folder = arrayFolder(desired.arrayId());
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + folder, e);
    }
    if (runtime == null) {
      runtime = new ArrayRuntime();
      runtime.files = new LayoutFiles(folder);
      arrays.put(desired.arrayId(), runtime);
    }
    if (desired.hibernated()) {
      return hibernate(runtime, desired, folder);
    }
    List<String> lendingProblems = List.of();
    if (desired.ha() == null) {
      exports.remove(desired.arrayId(), false); // its engine runs here now: nothing to lend it
    } else {
      // an HA array's other engine opens this node's drives through the export service
      lendingProblems = exports.apply(desired, drivesOnNode(), drivesHeldByEngines(desired.arrayId())).problems();
    }
    LayoutPlanner.Plan plan = planner.plan(desired, drivesOnNode(), drivesHeldByOthers(desired.arrayId()));
    save(desired, folder);
    EngineLayout previous = runtime.files.read();
    long previousEpoch = previous == null ? 0 : previous.epoch();
    if (plan.layout().epoch() > previousEpoch && !exports.fencedAt(desired.arrayId())) {
      // Promotion only after fencing: the engine gets the new epoch (and perhaps its new role)
      // once this node's export service closed the old epoch's sessions (pollEngineStatus).
      LOG.infof("array %s: epoch %d waits for this node's drive export service to apply it", desired.arrayId(),
          plan.layout().epoch());
      runtime.pendingDesired = desired;
      runtime.pendingPlan = plan;
      return new Outcome(false, status(desired.arrayId(), runtime), problems(plan, lendingProblems));
    }
    converge(runtime, desired, plan);
    return new Outcome(false, status(desired.arrayId(), runtime), problems(plan, lendingProblems));
  }

  /**
   * Hibernation (issue 18): the engine stops (it asks its initiators to log out first, see the
   * engine's IscsiService), its CPU and memory limits go with it; the array's folder, layout,
   * drives and data stay, and so do the node's exports of its drives (an HA peer's too). The
   * desired state is kept, so an agent restart keeps it stopped; a desired state that is no longer
   * hibernated starts the engine again from the same layout.
   */
  private Outcome hibernate(ArrayRuntime runtime, ArrayDesiredState desired, Path folder) {
    List<String> problems = List.of();
    if (desired.ha() != null) {
      problems = exports.apply(desired, drivesOnNode(), drivesHeldByEngines(desired.arrayId())).problems();
    }
    save(desired, folder);
    runtime.pendingDesired = null;
    runtime.pendingPlan = null;
    runtime.desired = desired;
    if (runtime.engine != null) {
      LOG.infof("array %s: hibernating, stopping its engine", desired.arrayId());
      layoutSpans.abandon(desired.arrayId(), "engine stopped: hibernating");
      runtime.engine.stop();
      runtime.engine = null;
      runtime.engineSize = null;
      runtime.engineSaid = null;
      runtime.files.forgetStatus();
    }
    return new Outcome(false, status(desired.arrayId(), runtime), problems);
  }

  private static List<String> problems(LayoutPlanner.Plan plan, List<String> lendingProblems) {
    List<String> all = new ArrayList<>(plan.problems());
    all.addAll(lendingProblems);
    return all;
  }

  /** Writes the array's layout and starts, restarts or signals its engine to serve it. */
  private void converge(ArrayRuntime runtime, ArrayDesiredState desired, LayoutPlanner.Plan plan) {
    Path folder = arrayFolder(desired.arrayId());
    runtime.pendingDesired = null;
    runtime.pendingPlan = null;
    EngineLayout previous = runtime.files.read();
    EngineLayout written = runtime.files.write(MemberPositions.keep(previous, plan.layout()));
    runtime.desired = desired;
    runtime.plan = plan;
    runtime.writtenRevision = written.revision();

    EngineSpec spec = new EngineSpec(desired.arrayId(), portalHost(desired), portalPort(desired),
        desired.targetIqn(), runtime.files.layout(), runtime.files.status(), statsFile(desired.arrayId()),
        desired.engine().vcpus(), desired.engine().memoryMib());
    // A restart drops every session of the tenant, so only what a reload cannot do restarts the
    // engine: a new portal, IQN or engine size (the spec), or a pool changed in place or no
    // longer servable here (EngineRestart). New and deleted pools and drives go by SIGHUP.
    // An HA engine whose size alone changed restarts only as the standby of an active engine
    // elsewhere (issue 18): the active keeps serving at its old size until the switchover.
    boolean resizeWaits = runtime.engine != null && desired.ha() != null
        && runtime.engine.spec().differsInSizeOnly(spec) && !HaSlots.mayRestartForResize(desired, nodeId);
    String restartFor = runtime.engine == null ? null
        : !runtime.engine.spec().equals(spec) && !resizeWaits ? "its portal, IQN or size changed"
        : EngineRestart.reason(previous, written, desired);
    if (resizeWaits) {
      LOG.infof("array %s: engine size %s waits for a switchover (this engine is not a standby of an active one)",
          desired.arrayId(), desired.engine().size());
    }
    if (runtime.engine == null || restartFor != null) {
      if (runtime.engine != null) {
        LOG.infof("array %s: restarting the engine: %s", desired.arrayId(), restartFor);
        runtime.engine.stop();
        runtime.files.forgetStatus();
        runtime.engineSaid = null;
        List<EngineLayout.Drive> retired = RetiredDrives.between(previous, desired);
        if (!retired.isEmpty()) {
          LOG.infof("array %s: clearing the labels of drives whose pool was deleted: %s", desired.arrayId(),
              retired.stream().map(EngineLayout.Drive::name).toList());
          RetiredDrives.wipe(retired).forEach(LOG::warn);
        }
      }
      if (desired.ha() != null && runtime.engineSaid == null && !EngineSupervisor.survivorIn(folder)) {
        // A status file left by an HA engine that no longer runs says a role and epoch nobody
        // holds any more: only the engine starting now may say them.
        runtime.files.forgetStatus();
      }
      layoutSpans.begin(desired.arrayId(), folder, written.revision(), restartFor == null ? "start" : "restart");
      runtime.engine = newSupervisor(spec, folder);
      runtime.engineSize = desired.engine().size();
      runtime.engine.start();
    } else {
      if (previous == null || previous.revision() != written.revision()) {
        layoutSpans.begin(desired.arrayId(), folder, written.revision(), "reload");
      }
      askToReload(runtime);
    }
    readEngineStatus(runtime);
  }

  /** The address the array's engine listens on here: its HA slot's, else the node's. */
  private String portalHost(ArrayDesiredState desired) {
    EngineSlot slot = HaSlots.of(desired, nodeId);
    return slot != null && slot.address() != null && !slot.address().isBlank() ? slot.address() : address;
  }

  private int portalPort(ArrayDesiredState desired) {
    EngineSlot slot = HaSlots.of(desired, nodeId);
    return slot != null && slot.portalPort() > 0 ? slot.portalPort() : desired.portalPort();
  }

  /**
   * Lends the array, whose engine runs on another node, this node's drives that its desired
   * state lists (or, for a deleted array, stops lending them). No engine runs here for it.
   */
  private Outcome lend(ArrayDesiredState desired) {
    if (!desired.present()) {
      return new Outcome(false, delete(desired), List.of());
    }
    ArrayRuntime engine = arrays.remove(desired.arrayId());
    if (engine != null && engine.engine != null) {
      LOG.warnf("array %s: its engine now runs on node %s; stopping the one here", desired.arrayId(),
          desired.engineNodeId());
      engine.engine.stop();
      layoutSpans.abandon(desired.arrayId(), "engine moved to another node");
    }
    Path folder = arrayFolder(desired.arrayId());
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + folder, e);
    }
    save(desired, folder);
    DriveExportService.Applied lent = exports.apply(desired, drivesOnNode(), drivesHeldByEngines(desired.arrayId()));
    return new Outcome(false, lent.status(), lent.problems());
  }

  /** The node's drive export service (for tests and the node's enrolment). */
  public DriveExportService exports() {
    return exports;
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
            restored.add(apply(restoredRole(json.readValue(saved.toFile(), ArrayDesiredState.class), folder)).status());
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

  /**
   * A saved desired state as it may be re-applied at the agent's start. An HA array whose engine
   * here was ACTIVE but no longer runs (the node was lost: rebooted, killed, cut off) comes back
   * as STANDBY: the control plane has most likely promoted the other engine meanwhile, and only
   * its next desired state (the answer to this node's state report) may make this one active
   * again. An engine that still runs (only the agent restarted) keeps its role.
   */
  ArrayDesiredState restoredRole(ArrayDesiredState saved, Path folder) {
    EngineSlot slot = HaSlots.of(saved, nodeId);
    if (slot == null || slot.role() != ArrayDesiredState.Role.ACTIVE || EngineSupervisor.survivorIn(folder)) {
      return saved;
    }
    LOG.infof("array %s: its engine here was active and no longer runs; it comes back as standby until the"
        + " control plane says otherwise", saved.arrayId());
    List<EngineSlot> slots = saved.ha().engines().stream()
        .map(s -> s.nodeId().equals(nodeId)
            ? new EngineSlot(s.nodeId(), ArrayDesiredState.Role.STANDBY, s.address(), s.portalPort(), s.portGroup())
            : s)
        .toList();
    return new ArrayDesiredState(saved.arrayId(), saved.nodeId(), saved.tenant(), saved.generation(), saved.present(),
        saved.engine(), saved.portalPort(), saved.targetIqn(), saved.drives(), saved.pools(), saved.volumes(),
        saved.servers(), saved.luns(), saved.engineNodeId(),
        new ArrayDesiredState.HaSpec(saved.ha().epoch(), slots, saved.ha().outdatedNodeIds()), saved.hibernated());
  }

  /** The actual state of every array held. */
  public synchronized List<ArrayStatus> statuses() {
    List<ArrayStatus> all = new ArrayList<>(arrays.entrySet().stream()
        .map(e -> status(e.getKey(), e.getValue()))
        .toList());
    all.addAll(exports.statuses());
    all.sort(Comparator.comparing(ArrayStatus::arrayId));
    return all;
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
    statusPoll.cancel(false);
    restate.cancel(false);
    arrays.values().forEach(a -> {
      if (a.engine != null) {
        a.engine.stop();
      }
    });
    exports.stop();
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
    layoutSpans.abandon(desired.arrayId(), "array deleted");
    exports.remove(desired.arrayId(), true);
    Path folder = arrayFolder(desired.arrayId());
    // The array's drives go back to the node: their labels go with the array's data. Not those
    // another array holds or is lent now: the layout file may be older than this node's engine
    // moving away, and its drives given to others since.
    Set<String> others = drivesHeldByOthers(desired.arrayId());
    RetiredDrives.wipe(RetiredDrives.all(new LayoutFiles(folder).read()).stream()
        .filter(d -> !others.contains(d.name())).toList()).forEach(LOG::warn);
    deleteTree(folder);
    LOG.infof("array %s deleted from node %s", desired.arrayId(), nodeId);
    ArrayStatus status = new ArrayStatus(desired.arrayId(), nodeId, desired.generation(), ArrayStatus.State.DELETED,
        null, null, desired.targetIqn(), null, 0, null, List.of());
    statusSink.accept(status);
    return status;
  }

  private Map<String, Drive> drivesOnNode() {
    Map<String, Drive> onNode = new HashMap<>();
    drives.scan().forEach(d -> onNode.put(d.serial(), d));
    return onNode;
  }

  /** The serials the engines of arrays other than {@code arrayId} on this node hold. */
  private Set<String> drivesHeldByEngines(String arrayId) {
    Set<String> held = new HashSet<>();
    arrays.forEach((id, other) -> {
      if (!id.equals(arrayId) && other.desired != null) {
        other.desired.drives().forEach(d -> held.add(d.serial()));
      }
    });
    return held;
  }

  private Set<String> drivesHeldByOthers(String arrayId) {
    Set<String> held = new HashSet<>(exports.lentSerialsExcept(arrayId));
    arrays.forEach((id, other) -> {
      if (!id.equals(arrayId) && other.desired != null) {
        other.desired.drives().forEach(d -> held.add(d.serial()));
      }
    });
    return held;
  }

  /** Signals the engine to re-read its layout if it has not yet applied the revision written. */
  private void askToReload(ArrayRuntime runtime) {
    LayoutFiles.Status said = runtime.engineSaid;
    if (runtime.engine == null || (said != null && said.revision() >= runtime.writtenRevision)) {
      return;
    }
    // A newer revision is signalled at once; the same one again only after RESIGNAL_AFTER (an
    // engine busy with the last reload reads the newest file anyway when it gets to it).
    boolean newer = runtime.writtenRevision > runtime.signalledRevision;
    if (!newer && runtime.signalledAtNanos != 0
        && System.nanoTime() - runtime.signalledAtNanos < RESIGNAL_AFTER.toNanos()) {
      return;
    }
    if (runtime.engine.reload()) {
      runtime.signalledAtNanos = System.nanoTime();
      runtime.signalledRevision = runtime.writtenRevision;
    }
  }

  /**
   * Reads every engine's layout status; an engine whose word changed gets its array's status
   * re-published, and one that has not applied the latest revision is signalled (again).
   */
  private void pollEngineStatus() {
    List<ArrayStatus> changed = new ArrayList<>();
    try {
      synchronized (this) {
        arrays.forEach((id, runtime) -> {
          if (runtime.pendingPlan != null && exports.fencedAt(id)) {
            LOG.infof("array %s: this node's drive export service runs at epoch %d; the engine gets it now", id,
                runtime.pendingPlan.layout().epoch());
            converge(runtime, runtime.pendingDesired, runtime.pendingPlan);
            changed.add(status(id, runtime));
          }
          if (runtime.desired == null || runtime.engine == null) {
            return;
          }
          if (readEngineStatus(runtime)) {
            changed.add(status(id, runtime));
          }
          askToReload(runtime);
        });
      }
      changed.forEach(statusSink);
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again: log and keep polling.
      LOG.warnf(e, "reading the engines' layout status failed");
    }
  }

  /** Publishes every array's status as it is now, changed or not ({@link #RESTATE_EVERY}). */
  void restateAll() {
    List<ArrayStatus> all = new ArrayList<>();
    try {
      synchronized (this) {
        arrays.forEach((id, runtime) -> {
          if (runtime.desired != null || runtime.pendingDesired != null) {
            all.add(status(id, runtime));
          }
        });
      }
      all.forEach(statusSink);
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again: log and keep restating.
      LOG.warnf(e, "restating the arrays' status failed");
    }
  }

  /** Takes in the engine's status file; true when it says something new. */
  private boolean readEngineStatus(ArrayRuntime runtime) {
    LayoutFiles.Status said = runtime.files.readStatus();
    if (said == null || said.equals(runtime.engineSaid)) {
      return false;
    }
    runtime.engineSaid = said;
    if (!said.waitsForDrives()) { // a revision waiting for remote drives is tried again by the engine
      layoutSpans.engineSaid(runtime.desired.arrayId(), said.revision(), said.ok() ? null : said.error());
    }
    if ((said.ok() || said.appliedButRefusedPools()) && said.revision() == runtime.writtenRevision) {
      // Applied, but perhaps for pools refused over their drives: what lives in those is not
      // served (not even what an earlier revision had), the rest is.
      Map<String, String> refused = RefusedPools.objectsIn(runtime.desired, said.refusedPools());
      Map<String, LayoutPlanner.Planned> forms = new HashMap<>();
      runtime.plan.objects().stream().filter(o -> !o.failed() && !refused.containsKey(o.key()))
          .forEach(o -> forms.put(o.key(), o));
      runtime.applied = forms;
      runtime.refused = refused;
    }
    if (!said.ok()) {
      LOG.warnf("array %s: the engine did not apply layout revision %d: %s", runtime.desired.arrayId(),
          said.revision(), said.error());
    }
    return true;
  }

  /**
   * Each object's state: failed by the agent's own checks; FAILED with the engine's reason when
   * it lives in a pool the engine refused over its drives (the rest of that revision applied);
   * READY when the engine applied it in its present form; FAILED with the engine's reason when
   * the engine refused the whole revision that holds it, unless that revision only waits for
   * remote drives it cannot reach yet (the engine tries it again); otherwise not yet known (left
   * out). An
   * object removed from the desired state but
   * still in the engine's applied revision stays READY until the engine drops it, so that a
   * detach or delete is not reported done while the engine still serves it.
   */
  private List<ObjectStatus> objects(String arrayId, ArrayRuntime runtime) {
    List<ObjectStatus> out = new ArrayList<>();
    if (runtime.plan == null) {
      return out;
    }
    LayoutFiles.Status said = runtime.engineSaid;
    boolean refused = said != null && !said.ok() && !said.appliedButRefusedPools() && !said.waitsForDrives()
        && said.revision() == runtime.writtenRevision;
    for (LayoutPlanner.Planned o : runtime.plan.objects()) {
      if (o.failed()) {
        out.add(new ObjectStatus(arrayId, o.kind(), o.id(), ObjectStatus.State.FAILED, o.reason()));
      } else if (runtime.refused.containsKey(o.key())) {
        out.add(new ObjectStatus(arrayId, o.kind(), o.id(), ObjectStatus.State.FAILED, runtime.refused.get(o.key())));
      } else if (runtime.applied.containsKey(o.key()) && o.form().equals(runtime.applied.get(o.key()).form())) {
        out.add(new ObjectStatus(arrayId, o.kind(), o.id(), ObjectStatus.State.READY, null));
      } else if (refused) {
        out.add(new ObjectStatus(arrayId, o.kind(), o.id(), ObjectStatus.State.FAILED,
            "the engine refused layout revision " + said.revision() + ": " + said.error()));
      }
    }
    Set<String> planned = new HashSet<>();
    runtime.plan.objects().forEach(o -> planned.add(o.key()));
    runtime.applied.values().stream().filter(o -> !planned.contains(o.key())).forEach(o ->
        out.add(new ObjectStatus(arrayId, o.kind(), o.id(), ObjectStatus.State.READY, null)));
    return out;
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
    ArrayDesiredState desired = runtime.desired != null ? runtime.desired : runtime.pendingDesired;
    EngineState engine = runtime.engine == null ? null : runtime.engine.state();
    ArrayStatus.State state;
    String reason = null;
    if (engine == null && desired != null && desired.hibernated()) {
      state = ArrayStatus.State.HIBERNATED;
    } else if (engine == null) {
      state = ArrayStatus.State.PROVISIONING;
    } else {
      switch (engine.phase()) {
        case RUNNING -> {
          // a running engine whose pools lost a member (a lending node gone, a drive failed or
          // being rebuilt) serves, but without its redundancy: the tenant and operator must know
          String degraded = runtime.engineSaid == null ? null : runtime.engineSaid.degradedBecause();
          state = degraded == null ? ArrayStatus.State.ONLINE : ArrayStatus.State.DEGRADED;
          reason = degraded;
        }
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
    // the role an engine runs in: only a running engine has one
    LayoutFiles.HaState ha = runtime.engineSaid == null || engine == null
        || engine.phase() != EngineState.Phase.RUNNING ? null : runtime.engineSaid.ha();
    return new ArrayStatus(arrayId, nodeId, runtime.desired == null ? 0 : runtime.desired.generation(), state, reason,
        portalHost(desired) + ":" + portalPort(desired), desired.targetIqn(), engine == null ? null : engine.pid(),
        engine == null ? 0 : engine.restarts(), engine == null ? null : engine.isolation(), objects(arrayId, runtime),
        ha == null ? null : ha.runningRole(), ha == null ? null : ha.epoch(), driveIds(desired, ha),
        engine != null && engine.phase() == EngineState.Phase.RUNNING ? runtime.engineSize : null,
        engine != null && engine.phase() == EngineState.Phase.RUNNING ? VolumeMoveReports.of(runtime.engineSaid)
            : List.of(),
        engine != null && engine.phase() == EngineState.Phase.RUNNING
            ? PoolProgressReport.of(runtime.engineSaid, desired) : List.of(),
        engine != null && engine.phase() == EngineState.Phase.RUNNING && runtime.engineSaid != null
            ? runtime.engineSaid.keys().stream()
                .map(k -> new io.strata.contracts.event.VolumeKeyStatus(k.volume(), k.kek(), k.state(), k.reason()))
                .toList()
            : List.of());
  }

  /**
   * The drive ids of the drives an HA engine asks consent to drop (it names them by serial, the
   * layout's names); a name the desired state does not know is passed on as it is.
   */
  static List<String> driveIds(ArrayDesiredState desired, LayoutFiles.HaState ha) {
    if (ha == null) {
      return List.of();
    }
    Map<String, String> idOfSerial = new HashMap<>();
    desired.drives().forEach(d -> idOfSerial.put(d.serial(), d.driveId()));
    return ha.awaitingDrop().stream().map(name -> idOfSerial.getOrDefault(name, name)).toList();
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
