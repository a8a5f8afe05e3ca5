package io.strata.engine.layout;

import io.strata.engine.layout.ArrayLayout.HaSpec;
import io.strata.engine.layout.ArrayLayout.LunMapping;
import io.strata.engine.qos.QosLimitedDevice;
import io.strata.engine.qos.QosLimits;
import io.strata.engine.scsi.AsymmetricAccess;
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
  /** The open block stack; an idle one (nothing open) while the engine is a standby. */
  private volatile ArrayStack stack;
  private ArrayLayout layout;
  /** Where the engine stands in a highly available array (null: a single engine). */
  private volatile HaState haState;
  /** The {@code ha} of the layout read last, applied or not: the role the status reports. */
  private volatile HaSpec wantedHa;
  /** A standby's LUNs stand on these (LUN number to placeholder); empty while active. */
  private final Map<Integer, StandbyDevice> placeholders = new HashMap<>();
  /** Whether the last reload was a promotion that failed (it is tried again, as a waiting one). */
  private boolean promotionFailed;
  /** How long a demotion waits for the commands in flight before it closes the pools anyway. */
  static final long DEMOTION_DRAIN_MILLIS = 30_000;
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
  /** Each pool's scrub as last written to the status file. */
  private Map<String, io.strata.engine.pool.PoolScrub.Progress> lastScrubs = Map.of();
  private List<VolumeMoves.Report> lastMoves = List.of();
  /** The rebuilds and member copies running when the status was last written (issue 18). */
  private Map<String, io.strata.engine.stats.StackFigures.Rebuild> lastRebuilds = Map.of();
  /** The cache protection of each cached pool in the status file written last. */
  private Map<String, String> lastCacheProtection = Map.of();
  private Map<String, String> lastRefused = Map.of();
  private List<String> lastWaiting = List.of();
  private LayoutStatus.Ha lastHa;
  /** The drives awaiting consent to drop, as the status says them (null: not an HA layout). */
  private List<String> lastAwaitingDrop;
  private boolean written;
  /**
   * The remote drives the last reload could not open a new pool without (empty when it did not
   * fail so), the revision it was, and when to try it again: such a layout is tried again by
   * itself, with a growing pause, until it applies or a new revision replaces it.
   */
  private List<String> waitingFor = List.of();
  /** Whether the revision that failed last is tried again by itself (it waits for drives). */
  private boolean retrying;
  private Long waitingRevision;
  private long retryAtNanos;
  private long retryDelaySeconds;
  static final long RETRY_MAX_SECONDS = 30;
  static final long HEALTH_CHECK_SECONDS = 2;
  private ScheduledExecutorService healthWatch;
  /** The data keys of encrypted volumes; this service closes them. */
  private final VolumeKeys keys;
  /** The key states in the status file written last. */
  private Map<String, VolumeKeys.KeyStatus> lastKeys = Map.of();

  /**
   * Who may log in and what they see, as a layout says it (the engine's iSCSI side). A reload
   * checks it before changing anything and applies it once the block stack has converged.
   */
  public interface AccessControl {
    /** Refuses, with an IllegalArgumentException saying why, access it cannot apply. */
    void check(ArrayLayout layout);

    void apply(ArrayLayout layout);
  }

  /**
   * An engine's state in a highly available array: a standby (nothing open), being promoted
   * (opening the pools), active, or being demoted (draining and closing them).
   */
  public enum HaState { STANDBY, PROMOTING, ACTIVE, DEMOTING }

  private LayoutService(Path file, String iqn, ArrayLayout layout, ArrayStack stack,
      VolumeKeys keys) {
    this.keys = keys;
    this.file = file;
    this.iqn = iqn;
    this.layout = layout;
    this.stack = stack;
    this.wantedHa = layout.ha();
    this.haState = layout.ha() == null ? null
        : layout.standby() ? HaState.STANDBY : HaState.ACTIVE;
  }

  /**
   * A standby readies itself for its first promotion ({@link StandbyWarmUp}: one login and one
   * read per remote drive, in the background). The engine's main calls this once; the tests that
   * drive a LayoutService themselves do not.
   */
  public synchronized void warmUpStandby() {
    if (haState == HaState.STANDBY) {
      StandbyWarmUp.start(layout);
    }
  }

  public static LayoutService open(Path file, String iqn) throws IOException {
    return open(file, iqn, VolumeKeys.none());
  }

  /**
   * As above, with the KMS that the data keys of encrypted volumes come from ({@code keys}, which
   * the service closes with itself, or on a failed open).
   */
  public static LayoutService open(Path file, String iqn, VolumeKeys keys) throws IOException {
    try {
      ArrayLayout layout = ArrayLayout.read(file);
      if (layout.standby()) {
        // A standby opens no drive, pool, cache or tier: its LUNs answer from the layout alone.
        LayoutService service = new LayoutService(file, iqn, layout, ArrayStack.idle(file), keys);
        service.updateStandbyUnits(0);
        return service;
      }
      ArrayStack stack = ArrayStack.open(layout, file, keys);
      LayoutService service = new LayoutService(file, iqn, layout, stack, keys);
      try {
        service.updateUnits(0);
      } catch (IOException | RuntimeException e) {
        stack.close();
        throw e;
      }
      return service;
    } catch (IOException | RuntimeException e) {
      keys.close();
      throw e;
    }
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

  /** Where the engine stands in its highly available array, or null for a single engine. */
  public HaState haState() {
    return haState;
  }

  /**
   * The target the LUNs live in, so that a reload can add and remove them. In a highly available
   * array its ports are the layout's target port group, in the state of the engine's role.
   */
  public synchronized void attach(LogicalUnitTarget target) {
    this.target = target;
    HaSpec ha = layout.ha();
    if (ha != null) {
      target.useAsymmetricAccess(new AsymmetricAccess(ha.portGroup(), ha.peerPortGroup(),
          target.targetPorts().size(), layout.standby() ? AsymmetricAccess.State.STANDBY
              : AsymmetricAccess.State.ACTIVE_OPTIMIZED));
    }
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
      ScheduledExecutorService watch = healthWatch;
      // Told under a pool's monitor: the status is written on the health thread instead.
      stack.onAwaitingDropChange(() -> watch.execute(this::refreshHealth));
      // The timer, not the health hook, retries a waiting layout: a retry is a whole reload, with
      // remote logins, and belongs on this thread rather than on a drive's watcher.
      healthWatch.scheduleWithFixedDelay(() -> {
        retryWhileWaitingForDrives();
        retryVolumeMoves();
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
    promotionFailed = false;
    ArrayLayout next = ArrayLayout.read(file);
    checkHaChange(next);
    wantedHa = next.ha();
    stack.applyHa(next);
    if (access != null) {
      access.check(next);
    }
    if (haState == HaState.STANDBY) {
      return next.standby() ? reloadStandby(next) : promote(next);
    }
    if (next.standby()) {
      return demote(next);
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

  /**
   * What a reload may change in {@code ha}: the role (a promotion or demotion) and the epoch
   * (raised, never lowered), nothing else: the port groups number the target's ports, and a
   * single engine does not become one of two (or back) without a restart.
   */
  private void checkHaChange(ArrayLayout next) {
    HaSpec now = layout.ha();
    HaSpec wanted = next.ha();
    if ((now == null) != (wanted == null)) {
      throw new IllegalArgumentException("ha cannot be " + (now == null ? "added to" : "removed from")
          + " a running engine: restart it with the new layout");
    }
    if (now == null) {
      return;
    }
    if (!now.portGroup().equals(wanted.portGroup())
        || !now.peerPortGroup().equals(wanted.peerPortGroup())) {
      throw new IllegalArgumentException("ha.portGroup and ha.peerPortGroup cannot change while"
          + " the engine runs (they are " + now.portGroup() + " and " + now.peerPortGroup() + ")");
    }
    if (wanted.epoch() < now.epoch()) {
      throw new IllegalArgumentException("ha.epoch " + wanted.epoch() + " is lower than the epoch "
          + now.epoch() + " the engine runs at");
    }
  }

  /** A standby's reload: the LUN map, sizes and access change; nothing is opened. */
  private String reloadStandby(ArrayLayout next) throws IOException {
    int removed = removeUnitsNotIn(next);
    layout = next;
    if (access != null) {
      access.apply(next);
    }
    return updateStandbyUnits(removed);
  }

  /**
   * STANDBY to ACTIVE: the ports go transitioning, the stack opens as at start (each pool replays
   * its journal), the LUNs switch from their placeholders to the volumes, and the ports become
   * active/optimized with ASYMMETRIC ACCESS STATE CHANGED for every nexus. If anything fails the
   * engine stays the standby it was (nothing stays open) and the revision is tried again.
   */
  private String promote(ArrayLayout next) throws IOException {
    long began = System.nanoTime();
    setHaState(HaState.PROMOTING);
    if (target != null) {
      target.beginPromotion();
    }
    ArrayStack opened = null;
    try {
      opened = ArrayStack.open(next, file, keys);
      long open = System.nanoTime();
      int removed = removeUnitsNotIn(next);
      units.clear(); // the placeholders stay in the target until the volumes replace them
      unitNames.clear();
      placeholders.clear();
      ArrayStack idle = stack;
      stack = opened;
      layout = next;
      if (access != null) {
        access.apply(next);
      }
      String result;
      try {
        result = updateUnits(removed, true);
      } catch (IOException | RuntimeException e) {
        stack = idle;
        throw e;
      }
      watchHealth();
      setHaState(HaState.ACTIVE);
      if (target != null) {
        target.endTransition(AsymmetricAccess.State.ACTIVE_OPTIMIZED, true);
      }
      LOG.info("promoted to ACTIVE at epoch " + next.ha().epoch() + " in " + millis(began,
          System.nanoTime()) + " ms (drives, pools and journals opened " + millis(began, open)
          + ")");
      return "promoted: " + result;
    } catch (IOException | RuntimeException e) {
      promotionFailed = true;
      if (opened != null && stack != opened) {
        closeQuietly(opened);
      }
      backToStandby();
      throw e;
    }
  }

  /** After a failed promotion: the placeholders serve every LUN again, nothing is open. */
  private void backToStandby() throws IOException {
    units.clear();
    unitNames.clear();
    limits.clear();
    placeholders.clear();
    updateStandbyUnits(0, true);
    setHaState(HaState.STANDBY);
    if (target != null) {
      target.endTransition(AsymmetricAccess.State.STANDBY, false);
    }
  }

  /**
   * ACTIVE to STANDBY: the ports go transitioning (new commands are refused with ASYMMETRIC
   * ACCESS STATE TRANSITION), the commands in flight finish, every volume is flushed and the
   * stack closed, then the LUNs stand on placeholders and the ports are standby, with
   * ASYMMETRIC ACCESS STATE CHANGED for every nexus. Sessions stay logged in throughout.
   */
  private String demote(ArrayLayout next) throws IOException {
    long began = System.nanoTime();
    setHaState(HaState.DEMOTING);
    if (target != null) {
      target.beginDemotion();
      try {
        if (!target.awaitIdle(DEMOTION_DRAIN_MILLIS)) {
          LOG.warning("demotion: commands still in flight after " + DEMOTION_DRAIN_MILLIS
              + " ms; closing the pools under them (they fail, none is acknowledged)");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    long drained = System.nanoTime();
    for (LogicalUnit lu : units.values()) {
      try {
        lu.device().flush();
      } catch (IOException | RuntimeException e) {
        LOG.warning("demotion: flushing " + lu.volumeId() + ": " + e);
      }
    }
    long flushed = System.nanoTime();
    ArrayStack closing = stack;
    stack = ArrayStack.idle(file); // the stats and health readers never see a closed stack
    closeQuietly(closing);
    long closed = System.nanoTime();
    int removed = removeUnitsNotIn(next);
    units.clear();
    unitNames.clear();
    limits.clear();
    keys.retain(List.of()); // a standby serves no key: the promotion fetches them again
    layout = next;
    if (access != null) {
      access.apply(next);
    }
    String result = updateStandbyUnits(removed, true);
    setHaState(HaState.STANDBY);
    if (target != null) {
      target.endTransition(AsymmetricAccess.State.STANDBY, false); // told when it began
    }
    // Where a switchover's pause goes on this side (docs/benchmarks/failover.md)
    LOG.info("demoted to STANDBY at epoch " + next.ha().epoch() + " in " + millis(began,
        System.nanoTime()) + " ms (commands drained " + millis(began, drained) + ", flushed "
        + millis(drained, flushed) + ", closed " + millis(flushed, closed) + ")");
    return "demoted: " + result;
  }

  private static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }

  private String updateStandbyUnits(int removed) throws IOException {
    return updateStandbyUnits(removed, false);
  }

  /**
   * Gives each LUN of the layout a logical unit on a placeholder with the volume's size (a LUN
   * served already takes a new size); {@code replace}: the LUNs in the target are the same
   * logical units to initiators, not new ones (a demotion).
   */
  private String updateStandbyUnits(int removed, boolean replace) throws IOException {
    int added = 0;
    for (LunMapping l : layout.luns()) {
      StandbyDevice wanted = StandbyDevice.of(layout, l.volume());
      StandbyDevice have = placeholders.get(l.lun());
      if (have != null) {
        have.resizeTo(wanted);
        continue;
      }
      LogicalUnit lu = new LogicalUnit(iqn + "/" + l.volume(), wanted, null);
      units.put(l.lun(), lu);
      unitNames.put(l.lun(), l.volume());
      placeholders.put(l.lun(), wanted);
      serve(l.lun(), lu, replace);
      added++;
    }
    return "layout applied (standby): " + units.size() + " LUNs (" + added + " added, " + removed
        + " removed)";
  }

  private void serve(int lun, LogicalUnit lu, boolean replace) {
    if (target == null) {
      return;
    }
    if (replace) {
      target.replaceLogicalUnit(lun, lu);
    } else {
      target.putLogicalUnit(lun, lu);
    }
  }

  private void setHaState(HaState state) {
    haState = state;
    synchronized (statusLock) {
      lastHa = haStatus();
      if (statusFile == null || !written) {
        return;
      }
      try {
        LayoutStatus.write(statusFile, lastRevision, lastError, lastHealth, lastRefused,
            lastWaiting, lastHa, lastCacheProtection, lastAwaitingDrop, lastScrubs, lastRebuilds, lastMoves,
            lastKeys);
      } catch (IOException e) {
        LOG.warning("cannot write the layout status: " + e);
      }
    }
  }

  /** What the status says of the engine's part in a highly available array, or null. */
  private LayoutStatus.Ha haStatus() {
    HaSpec ha = wantedHa;
    HaState state = haState;
    return ha == null || state == null ? null
        : new LayoutStatus.Ha(ha.role(), ha.epoch(), state.name());
  }

  /** Rewrites the status when the (new) stack's drives change, once statuses are written. */
  private void watchHealth() {
    if (statusFile != null) {
      stack.onHealthChange(this::refreshHealth);
    }
  }

  private static void closeQuietly(ArrayStack s) {
    try {
      s.close();
    } catch (IOException | RuntimeException e) {
      LOG.warning("closing the block stack: " + e);
    }
  }

  /**
   * Reloads and reports the outcome in the status file; returns the line to log. An HA layout's
   * consent to drop members (and a demotion) is taken first, outside this service's lock: a
   * write held for that consent may be holding it (inside an earlier reload).
   */
  public String reloadAndReport() {
    applyHaEarly();
    return reloadAndReportLocked();
  }

  private void applyHaEarly() {
    try {
      stack.applyHa(ArrayLayout.read(file));
    } catch (IOException | RuntimeException e) {
      // the reload proper reports it
    }
  }

  private synchronized String reloadAndReportLocked() {
    try {
      String applied = reload();
      // applied, but a new encrypted volume may wait for the KMS: tried again like drives
      waitFor(List.of(), stack.awaitsKeys(), ArrayLayout.revisionIn(file));
      writeStatus(layout.revisionOrZero(), null);
      return applied;
    } catch (IOException | RuntimeException e) {
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      List<String> unreachable = RemoteDrivesUnreachableException.in(e);
      Long revision = ArrayLayout.revisionIn(file);
      waitFor(unreachable, false, revision);
      try {
        writeStatus(revision, reason);
      } catch (IOException statusFailed) {
        LOG.warning("cannot write the layout status: " + statusFailed);
      }
      return "layout NOT applied: " + reason
          + (unreachable.isEmpty() ? "" : " (tried again while it waits for " + unreachable + ")")
          + (promotionFailed ? " (promotion failed: still STANDBY, tried again)" : "");
    }
  }

  /**
   * Records what a reload of {@code revision} waits for (remote drives, a failed promotion, the
   * KMS for a new encrypted volume's key); the pause grows while it is the same revision.
   */
  private void waitFor(List<String> drives, boolean keys, Long revision) {
    boolean retry = !drives.isEmpty() || promotionFailed || keys; // a failed promotion waits like drives
    boolean again = retry && retrying && Objects.equals(revision, waitingRevision);
    retrying = retry;
    waitingFor = drives;
    waitingRevision = revision;
    retryDelaySeconds = again ? Math.min(RETRY_MAX_SECONDS, retryDelaySeconds * 2) : HEALTH_CHECK_SECONDS;
    retryAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(retryDelaySeconds);
  }

  /**
   * Tries again a layout that failed only for remote drives it could not reach, when its pause is
   * over. A newer revision in the file is left to its own reload (its signal or file watch).
   */
  /**
   * A stopped volume move is tried again, and a cancel that came after a move's switch moves the
   * volume back, by applying the layout again (VolumeMoves): a whole reload, as a SIGHUP would.
   */
  private synchronized void retryVolumeMoves() {
    if (haState == HaState.STANDBY || layout == null || !stack.movesWantAnotherPass(System.nanoTime())) {
      return;
    }
    LOG.info("volume moves: applying the layout again (a stopped move is retried, or a cancelled one moves back)");
    LOG.info(reloadAndReport());
  }

  private synchronized void retryWhileWaitingForDrives() {
    if (!retrying || System.nanoTime() - retryAtNanos < 0) {
      return;
    }
    if (!Objects.equals(ArrayLayout.revisionIn(file), waitingRevision)) {
      return;
    }
    LOG.info("layout revision " + waitingRevision + ": trying again, it waits for "
        + (!waitingFor.isEmpty() ? "remote drive(s) " + waitingFor
            : promotionFailed ? "its promotion" : "the KMS (a new encrypted volume's key)"));
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
      lastHa = haStatus();
      lastCacheProtection = stack.cacheProtection();
      lastAwaitingDrop = stack.awaitingDrop();
      if (statusFile != null) {
        lastScrubs = stack.scrubs();
        lastMoves = stack.moveReports();
        lastRebuilds = io.strata.engine.stats.StackFigures.running(stack);
        lastKeys = stack.keyStates();
        LayoutStatus.write(statusFile, revision, lastError, lastHealth, lastRefused, lastWaiting,
            lastHa, lastCacheProtection, lastAwaitingDrop, lastScrubs, lastRebuilds, lastMoves,
            lastKeys);
        written = true;
      }
    }
    ReloadTrace.log(file, revision, lastError); // the revision's trace, when the agent gave one
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
        Map<String, String> protection = stack.cacheProtection();
        List<String> awaitingNow = stack.awaitingDrop();
        Map<String, io.strata.engine.pool.PoolScrub.Progress> scrubsNow = stack.scrubs();
        List<VolumeMoves.Report> movesNow = stack.moveReports();
        Map<String, io.strata.engine.stats.StackFigures.Rebuild> rebuildsNow =
            io.strata.engine.stats.StackFigures.running(stack);
        Map<String, VolumeKeys.KeyStatus> keysNow = stack.keyStates();
        if (!now.equals(lastHealth) || !protection.equals(lastCacheProtection)
            || !keysNow.equals(lastKeys)
            || !java.util.Objects.equals(awaitingNow, lastAwaitingDrop)
            || !ProgressSteps.ofScrubs(scrubsNow).equals(ProgressSteps.ofScrubs(lastScrubs))
            || !ProgressSteps.ofRebuilds(rebuildsNow).equals(ProgressSteps.ofRebuilds(lastRebuilds))
            || !movesNow.equals(lastMoves)) {
          lastHealth = now;
          lastCacheProtection = protection;
          lastAwaitingDrop = awaitingNow;
          lastScrubs = scrubsNow;
          lastMoves = movesNow;
          lastRebuilds = rebuildsNow;
          lastKeys = keysNow;
          LayoutStatus.write(statusFile, lastRevision, lastError, now, lastRefused, lastWaiting,
              lastHa, protection, awaitingNow, scrubsNow, rebuildsNow, movesNow, keysNow);
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
        placeholders.remove(lun);
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
    return updateUnits(removed, false);
  }

  /** As above; {@code replace}: the LUNs in the target become these volumes (a promotion). */
  private String updateUnits(int removed, boolean replace) throws IOException {
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
      // Every LUN goes through its volume's limits; unlimited ones cost two volatile reads. An
      // encrypted volume's cipher sits right under them, above everything that stores blocks.
      QosLimitedDevice limited = new QosLimitedDevice(stack.keyed(v), layout.qosOf(v.name()));
      // The volume id names the array and the volume, so a LUN keeps its identity (NAA,
      // serial) across restarts and renumbering.
      LogicalUnit lu = LogicalUnit.withReservations(iqn + "/" + v.name(), limited,
          stack.reservationStore(layout, file, v.name()), LogicalUnit.Options.DEFAULT);
      units.put(e.getKey(), lu);
      limits.put(e.getKey(), limited);
      unitNames.put(e.getKey(), v.name());
      serve(e.getKey(), lu, replace);
      added++;
    }
    stack.retainKeys(unitNames.values());
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
    keys.close();
  }
}
