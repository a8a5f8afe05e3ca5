package io.strata.engine.layout;

import io.strata.engine.qos.QosLimitedDevice;
import io.strata.engine.qos.QosLimits;
import io.strata.engine.scsi.LogicalUnit;
import io.strata.engine.scsi.LogicalUnitTarget;
import io.strata.engine.volume.Volume;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The engine's {@code --layout}: opens the array's block stack, gives the SCSI target its LUNs,
 * and on SIGHUP re-reads the file and converges to it (pools and drives added or removed, new
 * volumes, snapshots and clones, grown volumes, deleted ones, LUNs added or removed) without
 * stopping I/O or dropping a session.
 */
public final class LayoutService implements Closeable {
  private static final Logger LOG = Logger.getLogger(LayoutService.class.getName());

  private final Path file;
  private final String iqn;
  private final ArrayStack stack;
  private ArrayLayout layout;
  /** LUN number to the logical unit serving it and the name it serves. */
  private final Map<Integer, LogicalUnit> units = new LinkedHashMap<>();
  private final Map<Integer, String> unitNames = new HashMap<>();
  /** Each LUN's QoS stage, so that a reload can change its limits without a new LUN. */
  private final Map<Integer, QosLimitedDevice> limits = new HashMap<>();
  private volatile LogicalUnitTarget target;
  private AccessControl access;
  private volatile Path statusFile;
  /** Guards the status file and what it last said (apart from this service's own monitor). */
  private final Object statusLock = new Object();
  private Long lastRevision;
  private String lastError;
  private List<ArrayStack.DriveHealth> lastHealth = List.of();
  private Map<String, String> lastRefused = Map.of();
  private List<String> lastWaiting = List.of();
  private boolean written;
  /**
   * The remote drives the last reload could not open a new pool without (empty when it did not
   * fail so), the revision it was, and when to try it again: such a layout is tried again by
   * itself, with a growing pause, until it applies or a new revision replaces it.
   */
  private List<String> waitingFor = List.of();
  private Long waitingRevision;
  private long retryAtNanos;
  private long retryDelaySeconds;
  static final long RETRY_MAX_SECONDS = 30;
  static final long HEALTH_CHECK_SECONDS = 2;
  private ScheduledExecutorService healthWatch;

  /**
   * Who may log in and what they see, as a layout says it (the engine's iSCSI side). A reload
   * checks it before changing anything and applies it once the block stack has converged.
   */
  public interface AccessControl {
    /** Refuses, with an IllegalArgumentException saying why, access it cannot apply. */
    void check(ArrayLayout layout);

    void apply(ArrayLayout layout);
  }

  private LayoutService(Path file, String iqn, ArrayLayout layout, ArrayStack stack) {
    this.file = file;
    this.iqn = iqn;
    this.layout = layout;
    this.stack = stack;
  }

  public static LayoutService open(Path file, String iqn) throws IOException {
    ArrayLayout layout = ArrayLayout.read(file);
    ArrayStack stack = ArrayStack.open(layout, file);
    LayoutService service = new LayoutService(file, iqn, layout, stack);
    try {
      service.updateUnits(0);
    } catch (IOException | RuntimeException e) {
      stack.close();
      throw e;
    }
    return service;
  }

  public ArrayStack stack() {
    return stack;
  }

  /** The LUNs of the layout, for the target's construction. */
  public synchronized Map<Integer, LogicalUnit> logicalUnits() {
    return new LinkedHashMap<>(units);
  }

  /** The limits LUN {@code lun} runs under now. */
  synchronized QosLimits limitsOf(int lun) {
    return limits.get(lun).limits();
  }

  /** The layout applied last. */
  public synchronized ArrayLayout layout() {
    return layout;
  }

  /** The target the LUNs live in, so that a reload can add and remove them. */
  public void attach(LogicalUnitTarget target) {
    this.target = target;
  }

  /** The access rules a reload changes (null: the layout's initiators are not used). */
  public synchronized void attach(AccessControl access) {
    this.access = access;
  }

  /** Where to report the outcome of every reload ({@code --layout-status}); null: nowhere. */
  public synchronized void reportTo(Path statusFile) {
    this.statusFile = statusFile;
    if (statusFile != null && healthWatch == null) {
      stack.onHealthChange(this::refreshHealth);
      healthWatch = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "layout-health");
        t.setDaemon(true);
        return t;
      });
      // The timer, not the health hook, retries a waiting layout: a retry is a whole reload, with
      // remote logins, and belongs on this thread rather than on a drive's watcher.
      healthWatch.scheduleWithFixedDelay(() -> {
        retryWhileWaitingForDrives();
        refreshHealth();
      }, HEALTH_CHECK_SECONDS, HEALTH_CHECK_SECONDS, TimeUnit.SECONDS);
    }
  }

  /**
   * Re-reads the layout file and converges to it. A layout that is invalid, or that this engine
   * cannot apply (access that conflicts with the command line, a pin in a pool without tiers, a
   * rollback to another volume's snapshot), is refused before anything changes.
   */
  public synchronized String reload() throws IOException {
    ArrayLayout next = ArrayLayout.read(file);
    if (access != null) {
      access.check(next);
    }
    stack.check(next);
    // LUNs that go, go first: a volume deleted, or a pool removed, is no longer served.
    int removed = removeUnitsNotIn(next);
    Set<String> rolledBack = stack.reconcile(next);
    layout = next;
    if (access != null) {
      access.apply(next);
    }
    String result = updateUnits(removed);
    for (Map.Entry<Integer, String> e : unitNames.entrySet()) {
      if (rolledBack.contains(e.getValue()) && target != null) {
        target.mediumChanged(e.getKey());
      }
    }
    return result + (rolledBack.isEmpty() ? "" : ", rolled back " + rolledBack);
  }

  /** Reloads and reports the outcome in the status file; returns the line to log. */
  public synchronized String reloadAndReport() {
    try {
      String applied = reload();
      waitingFor = List.of();
      writeStatus(layout.revisionOrZero(), null);
      return applied;
    } catch (IOException | RuntimeException e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      List<String> unreachable = RemoteDrivesUnreachableException.in(e);
      Long revision = ArrayLayout.revisionIn(file);
      waitFor(unreachable, revision);
      try {
        writeStatus(revision, reason);
      } catch (IOException statusFailed) {
        LOG.warning("cannot write the layout status: " + statusFailed);
      }
      return "layout NOT applied: " + reason
          + (unreachable.isEmpty() ? "" : " (tried again while it waits for " + unreachable + ")");
    }
  }

  /** Records what a failed reload of {@code revision} waits for; the pause grows while it is the same. */
  private void waitFor(List<String> drives, Long revision) {
    boolean again = !drives.isEmpty() && !waitingFor.isEmpty() && Objects.equals(revision, waitingRevision);
    waitingFor = drives;
    waitingRevision = revision;
    retryDelaySeconds = again ? Math.min(RETRY_MAX_SECONDS, retryDelaySeconds * 2) : HEALTH_CHECK_SECONDS;
    retryAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(retryDelaySeconds);
  }

  /**
   * Tries again a layout that failed only for remote drives it could not reach, when its pause is
   * over. A newer revision in the file is left to its own reload (its signal or file watch).
   */
  private synchronized void retryWhileWaitingForDrives() {
    if (waitingFor.isEmpty() || System.nanoTime() - retryAtNanos < 0) {
      return;
    }
    if (!Objects.equals(ArrayLayout.revisionIn(file), waitingRevision)) {
      return;
    }
    LOG.info("layout revision " + waitingRevision + ": trying again, it waits for remote drive(s) "
        + waitingFor);
    LOG.info(reloadAndReport());
  }

  /**
   * Writes the status file for revision {@code revision}: ok when {@code error} is null; each
   * drive's state comes with it.
   */
  public void writeStatus(Long revision, String error) throws IOException {
    synchronized (statusLock) {
      lastRevision = revision;
      // A layout applied but for pools refused over their drives is not ok: those pools (and
      // what they hold) are not served, and the agent reports them FAILED with this reason.
      lastError = error != null ? error : stack.refusals();
      lastRefused = stack.refusedPools();
      lastWaiting = error == null ? List.of() : waitingFor;
      lastHealth = stack.health();
      if (statusFile != null) {
        LayoutStatus.write(statusFile, revision, lastError, lastHealth, lastRefused, lastWaiting);
        written = true;
      }
    }
  }

  /**
   * Rewrites the status (same revision and error) when a drive's state changed: called when a
   * remote drive goes offline or comes back, and every {@value #HEALTH_CHECK_SECONDS} seconds
   * for what changes without telling (a pool dropping a drive, a rebuild finishing).
   */
  private void refreshHealth() {
    try {
      synchronized (statusLock) {
        if (statusFile == null || !written) {
          return;
        }
        List<ArrayStack.DriveHealth> now = stack.health();
        if (!now.equals(lastHealth)) {
          lastHealth = now;
          LayoutStatus.write(statusFile, lastRevision, lastError, now, lastRefused, lastWaiting);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warning("cannot write the layout status: " + e);
    }
  }

  /** Removes the LUNs that {@code wanted} does not map to the volume they serve; returns how many. */
  private int removeUnitsNotIn(ArrayLayout wanted) {
    Map<Integer, String> mapped = new HashMap<>();
    wanted.luns().forEach(l -> mapped.put(l.lun(), l.volume()));
    int removed = 0;
    for (Integer lun : Map.copyOf(units).keySet()) {
      if (!unitNames.get(lun).equals(mapped.get(lun))) {
        units.remove(lun);
        unitNames.remove(lun);
        limits.remove(lun);
        if (target != null) {
          target.removeLogicalUnit(lun);
        }
        removed++;
      }
    }
    return removed;
  }

  /**
   * Adds the layout's LUNs that are not served yet and updates the QoS of the others; the
   * caller removed those that go ({@code removed} of them) before the stack changed.
   */
  private String updateUnits(int removed) throws IOException {
    Map<Integer, Volume> devices = stack.lunDevices(layout);
    int added = 0;
    for (Map.Entry<Integer, Volume> e : devices.entrySet()) {
      if (units.containsKey(e.getKey())) {
        QosLimitedDevice limited = limits.get(e.getKey());
        QosLimits wanted = layout.qosOf(e.getValue().name());
        if (!limited.limits().equals(wanted)) {
          limited.setLimits(wanted);
        }
        continue;
      }
      Volume v = e.getValue();
      // Every LUN goes through its volume's limits; unlimited ones cost two volatile reads.
      QosLimitedDevice limited = new QosLimitedDevice(v, layout.qosOf(v.name()));
      // The volume id names the array and the volume, so a LUN keeps its identity (NAA,
      // serial) across restarts and renumbering.
      LogicalUnit lu = LogicalUnit.withReservations(iqn + "/" + v.name(), limited,
          stack.reservationStore(layout, file, v.name()), LogicalUnit.Options.DEFAULT);
      units.put(e.getKey(), lu);
      limits.put(e.getKey(), limited);
      unitNames.put(e.getKey(), v.name());
      if (target != null) {
        target.putLogicalUnit(e.getKey(), lu);
      }
      added++;
    }
    return "layout applied: " + units.size() + " LUNs (" + added + " added, " + removed
        + " removed)";
  }

  /**
   * Reloads on SIGHUP (the agent, or an operator, edits the file and signals the engine), or
   * when the file changes if this process cannot have SIGHUP.
   */
  public void reloadOnSighupOrChange() {
    ReloadTrigger.install(file, () -> System.out.println("strata-engine " + reloadAndReport()));
  }

  @Override
  public void close() throws IOException {
    if (healthWatch != null) {
      healthWatch.shutdownNow();
    }
    for (String line : stack.report()) {
      System.out.println("strata-engine " + line);
    }
    stack.close();
  }
}
