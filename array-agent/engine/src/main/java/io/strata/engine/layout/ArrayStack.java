package io.strata.engine.layout;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.cli.LunSpec;
import io.strata.engine.drive.Drive;
import io.strata.engine.drive.HddThrottle;
import io.strata.engine.layout.ArrayLayout.DriveSpec;
import io.strata.engine.layout.ArrayLayout.LunMapping;
import io.strata.engine.layout.ArrayLayout.PoolSpec;
import io.strata.engine.layout.ArrayLayout.SnapshotSpec;
import io.strata.engine.layout.ArrayLayout.VolumeSpec;
import io.strata.engine.iscsi.initiator.RemoteDrive;
import io.strata.engine.pool.MemberState;
import io.strata.engine.pool.Pool;
import io.strata.engine.pool.PoolLabels;
import io.strata.engine.pool.Protection;
import io.strata.engine.stats.PoolUsage;
import io.strata.engine.tier.Tier;
import io.strata.engine.tier.TieredDevice;
import io.strata.engine.volume.MetadataState;
import io.strata.engine.volume.Volume;
import io.strata.engine.scsi.ReservationStore;
import io.strata.engine.volume.VolumeStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The block stack of one array, built from its {@link ArrayLayout}: drives, pools, volume stores.
 * It opens only the drives its layout names (an engine never touches another array's drives; a
 * drive labelled for another pool is refused, and a pool's metadata is locked by one process).
 */
public final class ArrayStack implements Closeable {
  private static final Logger LOG = Logger.getLogger(ArrayStack.class.getName());
  static final long PIN_REFRESH_SECONDS = 2;

  private final Map<String, Drive> drives = new LinkedHashMap<>();
  private final Map<String, Pool> pools = new LinkedHashMap<>();
  private final Map<String, VolumeStore> stores = new LinkedHashMap<>();
  /** A pool's flash cache / tiered device, closed before the pool (their threads stop first). */
  private final Map<String, BlockDevice> services = new LinkedHashMap<>();
  /** The media of each pool's drives and the sizes of its cache and tier SSDs, for usage. */
  private final Map<String, PoolFacts> facts = new LinkedHashMap<>();
  /** Each pool's cache and tier as opened: their SSD mirrors and the cache's protection. */
  private final Map<String, PoolServices.Wrapped> wrappedServices = new LinkedHashMap<>();
  /** The tiered device of each tiered pool, for pinning volumes to a tier. */
  private final Map<String, TieredDevice> tiered = new LinkedHashMap<>();
  /** The volumes the layout pins to a tier; their extents change as they are written. */
  private volatile Map<String, Tier> pinnedVolumes = Map.of();
  /** Re-pins the pinned volumes' extents now and then (new writes map new extents). */
  private ScheduledExecutorService pinRefresher;

  /** The spec each open pool was opened with; a reload may add or remove pools, not change one. */
  private final Map<String, PoolSpec> poolSpecs = new LinkedHashMap<>();
  /** The scrubs the layout asks for (docs/block-stack.md, "Scrub"). */
  private final PoolScrubs scrubs = new PoolScrubs();
  /** The spec each open drive (local or remote) was opened with. */
  private final Map<String, DriveSpec> driveSpecs = new LinkedHashMap<>();
  /**
   * Local drives of the layout whose file could not be opened, and why: failed members (their
   * pools open without them, as without an unreachable remote drive), reported FAILED by {@link
   * #health}; tried again by the next reload or start.
   */
  private final Map<String, String> unopenedDrives = new LinkedHashMap<>();
  /** The drives on other nodes, by layout name; each keeps itself connected. */
  private final Map<String, RemoteDrive> remoteDrives = new LinkedHashMap<>();
  /** Which member of an open pool each remote drive is. */
  private final Map<String, PoolSlot> remoteSlots = new HashMap<>();
  /**
   * The pools of the layout applied last that were refused (not opened) because a drive they
   * claim belongs to another pool, with the reason; see {@link DriveClaims}.
   */
  private Map<String, String> refusedPools = Map.of();
  /** The volumes, snapshots and clones of the refused pools: not created, not served. */
  private volatile Set<String> refusedObjects = Set.of();
  /** The drive names of the layout applied last, in its order (the status file's order). */
  private List<String> driveOrder = List.of();
  private volatile Runnable healthChanged;
  private final Path layoutFile;
  /** An HA engine's consent to drop failed members, and its fencing epoch (docs/high-availability.md). */
  private final HaConsent consent = new HaConsent(null);
  /** The volumes moving to another pool (started by the first layout that asks for one). */
  private VolumeMoves moves;
  /** The data keys of encrypted volumes (shared by the stacks of one engine: it outlives them). */
  private final VolumeKeys keys;
  /**
   * The new encrypted volumes of the layout applied last whose data key could not be made (the
   * KMS unreachable, the KEK not active), with the reason: not created, no LUN, in the status's
   * error; the next reload tries again. Every other object is applied meanwhile.
   */
  private volatile Map<String, String> keyless = Map.of();

  private ArrayStack(Path layoutFile, VolumeKeys keys) {
    this.layoutFile = layoutFile;
    this.keys = keys;
  }

  private record PoolFacts(String media, long cacheBytes, long tierBytes) {}

  /**
   * Opens the drives and pools of {@code layout} and the volume metadata of each pool, then
   * makes the volumes and snapshots match the layout.
   */
  public static ArrayStack open(ArrayLayout layout, Path layoutFile) throws IOException {
    return open(layout, layoutFile, VolumeKeys.none());
  }

  /** As above; the keys of encrypted volumes are made and fetched by {@code keys}. */
  public static ArrayStack open(ArrayLayout layout, Path layoutFile, VolumeKeys keys)
      throws IOException {
    ArrayStack stack = new ArrayStack(layoutFile, keys);
    try {
      stack.consent.apply(layout.ha());
      stack.reconcile(layout);
      return stack;
    } catch (IOException | RuntimeException e) {
      // what failed the open is the error to report: closing a half-opened stack may fail too
      // (a member already closed), and must not hide it
      try {
        stack.close();
      } catch (IOException | RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * A stack with nothing open, for a standby engine: it opens no drive, pool, cache or tier until
   * it is promoted (then {@link #open} builds the real one).
   */
  public static ArrayStack idle(Path layoutFile) {
    return new ArrayStack(layoutFile, VolumeKeys.none());
  }

  private Drive openDrive(DriveSpec d) throws IOException {
    Path base = layoutFile.toAbsolutePath().getParent();
    HddThrottle throttle = d.throttle() == null ? null
        : new HddThrottle(d.throttle().seekMicros(), d.throttle().bandwidth() == null ? 0
            : LunSpec.size(d.throttle().bandwidth()));
    long size = d.size() == null ? 0 : LunSpec.size(d.size());
    return Drive.open(d.name(), base.resolve(d.path()), ArrayLayout.media(d), size, throttle);
  }

  /**
   * Opens pool {@code p} over its (open) drives, with its cache and tier and its volume
   * metadata. {@code taken} holds the drives already in use and gains the pool's service SSDs.
   * On failure nothing of the pool stays registered, and its drives are closed and forgotten
   * (a pool closes its members), so that the next attempt opens them again.
   *
   * <p>Where the pool's metadata is, is decided by what is there: a pool with metadata files in
   * this node's metadata directory (made before the metadata moved onto pools) keeps them, as
   * before; any other pool keeps it in the metadata area at the end of the pool device, made
   * when the pool is made ({@link VolumeStore#openOnPool}).
   *
   * @return null when the pool opened; why it was refused when its metadata on the pool names
   *     other SSDs for its data than the layout does (nothing of it stays open)
   */
  /**
   * A pool's media, as the layout names its first drive's. From the layout and not from the drives
   * opened: a first member whose file could not be opened is still listed there (the pool runs
   * without it; asking the opened drives failed the whole array's start).
   */
  private static io.strata.engine.drive.MediaType poolMedia(ArrayLayout layout, PoolSpec p) {
    String first = p.drives().get(0);
    return layout.drives().stream().filter(d -> d.name().equals(first)).findFirst()
        .map(ArrayLayout::media)
        .orElseThrow(() -> new IllegalArgumentException("pool " + p.name() + ": drive " + first
            + " is not in the layout"));
  }

  private String openPool(ArrayLayout layout, PoolSpec p, Set<String> taken) throws IOException {
    List<BlockDevice> members = new ArrayList<>();
    for (String d : p.drives()) {
      members.add(member(d));
    }
    Protection protection = Protection.parse(p.protection() == null ? "none" : p.protection());
    Pool pool = null;
    BlockDevice data = null;
    VolumeStore.OnPool onPool = null;
    try {
      pool = openMembers(p, protection, members);
      Path meta = layout.metadataDir(layoutFile).resolve(p.name());
      if (!VolumeStore.metadataFilesIn(meta)) {
        // the lock file in the node's metadata directory holds nothing: it only keeps a second
        // engine on this node off the pool
        onPool = VolumeStore.openOnPool(p.name(), pool, pool.createdNow(), meta);
        String why = PoolServiceRecord.mismatch(onPool.record(PoolServiceRecord.RECORD), p);
        if (why != null) {
          closeQuietly(onPool);
          closeQuietly(pool);
          for (String d : driveNamesOf(p)) {
            closeDrive(d);
          }
          return why;
        }
      }
      PoolServices.Wrapped wrapped = wrapServices(layout, p, pool, taken);
      data = wrapped.data();
      VolumeStore store;
      if (onPool == null) {
        PoolServiceRecord.write(meta, p); // from now on this pool opens with these SSDs only
        store = VolumeStore.open(meta, p.name(), data);
      } else {
        store = onPool.serve(data);
        store.putRecord(PoolServiceRecord.RECORD, PoolServiceRecord.encode(p));
        if (pool instanceof io.strata.engine.block.GrowableDevice && data == pool) {
          store.growToPool(); // completes a grow an engine stop interrupted (else nothing)
        }
        if (pool instanceof io.strata.engine.pool.ParityPool parity && data == pool) {
          growWhenRestriped(parity, store); // a restripe this open resumed
        }
      }
      pools.put(p.name(), pool);
      consent.register(pool);
      poolSpecs.put(p.name(), p);
      if (wrapped.tiered() != null) {
        tiered.put(p.name(), wrapped.tiered());
        startPinRefresher();
      }
      if (data != pool) {
        services.put(p.name(), data);
      }
      stores.put(p.name(), store);
      wrappedServices.put(p.name(), wrapped);
      if (wrapped.tiered() != null) {
        store.placeFreshExtentsWith(placementOn(wrapped.tiered()));
      }
      // the layout's media, not the drive's: a remote drive has no local file to ask
      facts.put(p.name(), new PoolFacts(poolMedia(layout, p).name(),
          wrapped.cacheBytes(), wrapped.tierBytes()));
      for (int i = 0; i < p.drives().size(); i++) {
        if (remoteDrives.containsKey(p.drives().get(i))) {
          remoteSlots.put(p.drives().get(i), new PoolSlot(pool, i));
        }
      }
      for (PoolServices.ServiceMirror m : wrapped.mirrors()) { // a remote cache or tier SSD
        for (int i = 0; i < m.drives().size(); i++) {
          if (remoteDrives.containsKey(m.drives().get(i))) {
            remoteSlots.put(m.drives().get(i), new PoolSlot(m.pool(), i));
          }
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      closeQuietly(onPool); // unlocks it unless a store took it over (closed with the pool)
      if (pool != null) {
        consent.unregister(pool);
      }
      closeQuietly(data != null ? data : pool); // a cache or tier closes its pool
      for (String d : driveNamesOf(p)) {
        closeDrive(d);
      }
      throw e;
    }
  }

  /** Opens the pool itself; a failure names the pool's remote drives that are unreachable. */
  private Pool openMembers(PoolSpec p, Protection protection, List<BlockDevice> members)
      throws IOException {
    try {
      return Pool.open(p.name(), protection, members, consent.gateFor(p.name(), p.drives()));
    } catch (IOException e) {
      throw unreachable(p.drives(), e);
    }
  }

  /**
   * Opens the pool's cache and tier (on one SSD, or a mirror of two of which one may be remote:
   * a failure names a remote one that is unreachable, as for the pool's members).
   */
  private PoolServices.Wrapped wrapServices(ArrayLayout layout, PoolSpec p, Pool pool,
      Set<String> taken) throws IOException {
    try {
      return PoolServices.wrap(p, pool, this::member,
          d -> driveSpecs.containsKey(d) ? mediaOf(d) : null, taken, layout.highlyAvailable());
    } catch (IOException e) {
      throw unreachable(PoolServices.serviceDrives(p), e);
    }
  }

  /** A local drive's media as the drive says it (a block device's rotational flag); else the layout's. */
  private io.strata.engine.drive.MediaType mediaOf(String drive) {
    Drive local = drives.get(drive);
    return local != null ? local.media() : ArrayLayout.media(driveSpecs.get(drive));
  }

  /** {@code e}, or, when some of {@code driveNames} are remote and offline, why with their names. */
  private IOException unreachable(List<String> driveNames, IOException e) {
    List<String> unreachable = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String d : driveNames) {
      RemoteDrive remote = remoteDrives.get(d);
      if (remote != null && !remote.online()) {
        unreachable.add(d + " (" + remote.offlineReason() + ")");
        names.add(d);
      }
    }
    if (unreachable.isEmpty()) {
      return e;
    }
    return new RemoteDrivesUnreachableException(e.getMessage() + "; unreachable remote drive(s): "
        + String.join(", ", unreachable), names, e);
  }

  /** Closes and forgets open drive {@code name}, local or remote (no pool uses it any more). */
  private void closeDrive(String name) {
    RemoteDrive remote = remoteDrives.remove(name);
    if (remote != null) {
      remote.listener(null); // its watcher stops: no re-adding into a pool that is gone
      remote.close();
      remoteSlots.remove(name);
    }
    closeQuietly(drives.remove(name));
    driveSpecs.remove(name);
  }

  private void startPinRefresher() {
    if (pinRefresher != null) {
      return;
    }
    pinRefresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tier-pins");
      t.setDaemon(true);
      return t;
    });
    pinRefresher.scheduleWithFixedDelay(this::refreshPinsQuietly, PIN_REFRESH_SECONDS,
        PIN_REFRESH_SECONDS, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------- remote drives

  /**
   * Opens remote drives, all at once: each makes one login attempt bounded by the connect
   * timeout, so a dead node holding several of them costs one timeout (at start, or in a reload
   * that adds them), not one each. An unreachable one is opened all the same (offline; it keeps
   * trying): its pool runs without it.
   */
  private void openRemotes(List<DriveSpec> specs) {
    Map<String, Thread> openers = new LinkedHashMap<>();
    Map<String, RemoteDrive> opened = new ConcurrentHashMap<>();
    Map<String, RuntimeException> failed = new ConcurrentHashMap<>();
    for (DriveSpec d : specs) {
      long size = d.size() == null ? 0 : LunSpec.size(d.size());
      Thread t = new Thread(() -> {
        try {
          opened.put(d.name(), RemoteDrive.open(d.name(), d.remote().initiatorConfig(), size,
              consent.epoch()));
        } catch (RuntimeException e) {
          failed.put(d.name(), e);
        }
      }, "open-remote " + d.name());
      openers.put(d.name(), t);
      t.start();
    }
    boolean interrupted = false;
    for (Thread t : openers.values()) {
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true; // wait on: every drive opened is registered, and so closed later
        }
      }
    }
    for (DriveSpec d : specs) {
      RemoteDrive drive = opened.get(d.name());
      if (drive != null) {
        remoteDrives.put(d.name(), drive); // closed with the stack, even if a sibling failed
        driveSpecs.put(d.name(), d);
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while opening remote drives");
    }
    if (!failed.isEmpty()) {
      throw failed.values().iterator().next();
    }
    for (DriveSpec d : specs) {
      RemoteDrive drive = remoteDrives.get(d.name());
      if (!drive.online()) {
        LOG.warning("remote drive " + drive.name() + " is unreachable (" + drive.offlineReason()
            + "); its pool opens without it and it is re-added when it comes back");
      }
    }
  }

  /** A pool member: a local drive, a remote drive that is up, or null (missing) if it is not. */
  private BlockDevice member(String name) {
    RemoteDrive remote = remoteDrives.get(name);
    if (remote != null) {
      return remote.online() ? remote : null;
    }
    return drives.get(name);
  }

  /** Where a remote drive sits: member {@code index} of {@code pool}. */
  private record PoolSlot(Pool pool, int index) {}

  /**
   * From now on each of these remote drives that comes back is put in its pool again (and
   * resynced: in the write-intent bitmap's regions where it vouches for the drive, else in
   * full), and every change is reported.
   */
  private void watchRemoteDrives(List<DriveSpec> specs) {
    for (DriveSpec d : specs) {
      RemoteDrive drive = remoteDrives.get(d.name());
      if (drive == null) {
        continue; // its new pool failed to open and closed it
      }
      drive.listener(this::remoteDriveChanged);
      if (drive.online()) {
        readd(drive); // came back between the pool's assembly and now
      }
    }
  }

  /** On the drive's own thread, holding no lock: the hook takes the status file's lock. */
  private void remoteDriveChanged(RemoteDrive drive, boolean online) {
    if (online) {
      readd(drive);
    }
    Runnable hook = healthChanged;
    if (hook != null) {
      hook.run();
    }
  }

  /**
   * Puts a remote drive that is reachable again back in its pool if the pool dropped it. A drive
   * the pool still counts ONLINE missed no write (every write goes to every member that takes
   * writes, and one that fails is dropped), so it needs nothing. Under the stack's lock, so that
   * a reload removing the pool does not race it.
   */
  private synchronized void readd(RemoteDrive drive) {
    PoolSlot slot = remoteSlots.get(drive.name());
    if (slot == null || remoteDrives.get(drive.name()) != drive) {
      return;
    }
    if (slot.pool().state(slot.index()) != MemberState.FAILED) {
      return;
    }
    try {
      slot.pool().replace(slot.index(), drive);
      LOG.info("remote drive " + drive.name() + " is back: re-added to pool "
          + slot.pool().name() + ", rebuilding it");
    } catch (IOException | RuntimeException e) {
      LOG.warning("remote drive " + drive.name() + " is back but could not be re-added to pool "
          + slot.pool().name() + ": " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- HA: consent and epoch

  /**
   * Takes a reload's {@code ha} block before anything else of it, without the stack's lock: a
   * write held for consent may be holding it (a reconcile's own metadata write). Consented drops
   * happen now and their held writes complete; a demotion fails them; a remote drive dropped so
   * that is reachable is put back and resynced. Refuses a lowered epoch with the reason.
   */
  public void applyHa(ArrayLayout layout) {
    if (consent.apply(layout.ha())) {
      readdReachable();
    }
  }

  /** Puts back in their pools the remote drives that are reachable but were dropped. */
  private synchronized void readdReachable() {
    for (RemoteDrive d : remoteDrives.values()) {
      if (d.online()) {
        readd(d);
      }
    }
  }

  /** The remote drives log in again if the epoch rose (new session first; none fails an I/O). */
  private void presentEpoch(long epoch) {
    for (RemoteDrive d : remoteDrives.values()) {
      d.presentEpoch(epoch);
    }
  }

  /** The drives whose pools hold writes until their drop is consented; null without HA. */
  public List<String> awaitingDrop() {
    return consent.highlyAvailable() ? consent.awaitingDrop() : null;
  }

  /** Called, on a pool's thread (hand off, do not block), when {@link #awaitingDrop} changes. */
  public void onAwaitingDropChange(Runnable hook) {
    consent.onAwaitingChange(hook);
  }

  /** Called (on a drive's thread) whenever a remote drive goes offline or comes back. */
  public void onHealthChange(Runnable hook) {
    this.healthChanged = hook;
  }

  /** The remote drives open now (a snapshot: a reload adds and removes them). */
  public synchronized Map<String, RemoteDrive> remoteDrives() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(remoteDrives));
  }

  /**
   * How one drive stands: ONLINE, REBUILDING or FAILED (with the reason when known).
   *
   * @param pool the pool it belongs to, or null
   */
  public record DriveHealth(String name, boolean remote, String pool, String state,
      String reason) {}

  /** Every open drive's state, in the order of the layout applied last; what the status says. */
  public synchronized List<DriveHealth> health() {
    List<DriveHealth> out = new ArrayList<>();
    Map<String, PoolSlot> slots = new HashMap<>(remoteSlots);
    for (Pool p : pools.values()) {
      List<String> names = poolSpecs.get(p.name()).drives();
      for (int i = 0; i < p.memberCount(); i++) {
        slots.putIfAbsent(names.get(i), new PoolSlot(p, i));
      }
    }
    for (PoolServices.Wrapped w : wrappedServices.values()) { // the SSDs of mirrored caches/tiers
      for (PoolServices.ServiceMirror m : w.mirrors()) {
        for (int i = 0; i < m.drives().size(); i++) {
          slots.putIfAbsent(m.drives().get(i), new PoolSlot(m.pool(), i));
        }
      }
    }
    for (String name : driveOrder) {
      if (unopenedDrives.containsKey(name)) {
        out.add(new DriveHealth(name, false, poolListing(name), MemberState.FAILED.name(),
            unopenedDrives.get(name)));
        continue;
      }
      if (!driveSpecs.containsKey(name)) {
        continue; // not open (a reload that failed part-way)
      }
      PoolSlot slot = slots.get(name);
      RemoteDrive remote = remoteDrives.get(name);
      // a cache or tier SSD reports the layout pool it serves (p0, not its mirror p0/cache)
      String pool = slot == null ? null : PoolServices.ownerPool(slot.pool().name());
      MemberState state = slot == null ? MemberState.ONLINE : slot.pool().state(slot.index());
      if (remote != null && !remote.online()) {
        out.add(new DriveHealth(name, true, pool, MemberState.FAILED.name(),
            remote.offlineReason()));
      } else if (state == MemberState.FAILED) {
        out.add(new DriveHealth(name, remote != null, pool, state.name(),
            "dropped by pool " + pool + " after an I/O error"));
      } else {
        out.add(new DriveHealth(name, remote != null, pool, state.name(), null));
      }
    }
    return out;
  }

  /** The layout pool that lists the drive as a member, or null. */
  private String poolListing(String drive) {
    for (PoolSpec p : poolSpecs.values()) {
      if (p.drives().contains(drive)) {
        return p.name();
      }
    }
    return null;
  }

  /**
   * How each cached pool's acknowledged writes are protected by its flash cache: {@code
   * MIRRORED}, {@code WRITE_THROUGH} or {@code SINGLE_COPY} ({@link PoolServices.Wrapped#cacheProtection});
   * pools without a cache are absent. Changes by itself as a cache mirror loses and regains a copy.
   */
  public synchronized Map<String, String> cacheProtection() {
    Map<String, String> out = new LinkedHashMap<>();
    wrappedServices.forEach((pool, w) -> {
      String protection = w.cacheProtection();
      if (protection != null) {
        out.put(pool, protection);
      }
    });
    return out;
  }

  /**
   * The layout names of pool {@code pool}'s member drives by position (after a member replacement,
   * the incoming drive's), empty for a pool not open: what the stats name a rebuild's drive by.
   */
  public synchronized List<String> poolDrives(String pool) {
    PoolSpec spec = poolSpecs.get(pool);
    return spec == null ? List.of() : List.copyOf(spec.drives());
  }

  /** Each pool's scrub: running, stopped or its last result; pools never scrubbed are absent. */
  public synchronized Map<String, io.strata.engine.pool.PoolScrub.Progress> scrubs() {
    return scrubs.progress(pools);
  }

  /** The pool holding volume or snapshot {@code name}, or null. */
  public synchronized VolumeStore storeOf(String name) {
    for (VolumeStore s : stores.values()) {
      if (s.exists(name)) {
        return s;
      }
    }
    return null;
  }

  // A reload adds and removes pools and drives: callers get what is open now, not a live view.

  public synchronized Map<String, Pool> pools() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(pools));
  }

  public synchronized Map<String, VolumeStore> stores() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(stores));
  }

  public synchronized Map<String, Drive> drives() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(drives));
  }

  /**
   * Refuses a layout that this stack cannot apply, before anything changes: a change to a pool
   * or a drive in use that a running engine cannot make, the removal of a pool that would still
   * hold listed volumes or snapshots, a pin on a volume whose pool has no tiers, a rollback to a
   * snapshot that exists but was taken of another volume.
   */
  public synchronized void check(ArrayLayout layout) {
    checkPoolsAndDrives(layout);
    for (VolumeSpec v : layout.volumes()) {
      String pool = poolOf(layout, v, layout.volumes().size());
      if (v.pinnedTier() != null && pool != null && !hasTiering(layout, pool)) {
        throw new IllegalArgumentException("volume " + v.name() + ": tier '" + v.tier()
            + "' needs a tiered pool; pool " + pool + " has no tiering");
      }
      if (v.rollback() != null && !rollbackDone(v)) {
        if (layout.snapshots().stream().noneMatch(x -> x.name().equals(v.rollback().snapshot()))) {
          throw new IllegalArgumentException("volume " + v.name() + ": rollback.snapshot '"
              + v.rollback().snapshot() + "' is not a snapshot in the layout");
        }
        VolumeStore store = storeOf(v.rollback().snapshot());
        if (store != null) {
          MetadataState.Obj snap = store.state().get(v.rollback().snapshot());
          if (snap != null && !v.name().equals(snap.origin())) {
            throw new IllegalArgumentException("volume " + v.name() + ": rollback.snapshot '"
                + v.rollback().snapshot() + "' was taken of '" + snap.origin() + "'");
          }
        }
      }
    }
  }

  /**
   * What a reload may do to pools and drives: add a pool (on drives no kept pool uses), remove
   * a pool once nothing it holds is listed any more, add or remove a drive that no kept pool
   * uses. A pool kept by the layout cannot change (its drives, protection, cache or tier), nor
   * can a drive it uses: their volumes are open and served, so that takes a restart.
   */
  private void checkPoolsAndDrives(ArrayLayout layout) {
    Map<String, PoolSpec> next = new HashMap<>();
    layout.pools().forEach(p -> next.put(p.name(), p));
    Map<String, DriveSpec> nextDrives = new HashMap<>();
    layout.drives().forEach(d -> nextDrives.put(d.name(), d));
    for (Map.Entry<String, PoolSpec> e : poolSpecs.entrySet()) {
      PoolSpec wanted = next.get(e.getKey());
      if (wanted == null) {
        continue;
      }
      List<String> growing = PoolGrowth.added(withoutScrub(e.getValue()), withoutScrub(wanted));
      if (growing != null) {
        PoolGrowth.check(e.getKey(), growing, wanted, pools.get(e.getKey()),
            layout.highlyAvailable(), layout.drives(),
            layout.pools().stream().filter(p -> !p.name().equals(e.getKey())).toList(),
            poolSpecs.values());
        if (!stores.get(e.getKey()).metadataOnPool()) {
          throw new IllegalArgumentException("pool " + e.getKey() + " keeps its volume metadata"
              + " in files on the node (made before metadata moved onto pools); it cannot grow");
        }
      } else if (!withoutScrub(wanted).equals(withoutScrub(e.getValue()))) {
        List<MemberReplacements.Replacement> replacing =
            MemberReplacements.between(withoutScrub(e.getValue()), withoutScrub(wanted));
        if (replacing == null) {
          throw new IllegalArgumentException("pool " + e.getKey() + ": its drives, protection, "
              + "cache and tiering cannot change while the engine runs (restart it to change "
              + "them), except a member replaced by another drive at its position");
        }
        MemberReplacements.check(replacing, wanted, layout.drives(),
            layout.pools().stream().filter(p -> !p.name().equals(e.getKey())).toList(),
            poolSpecs.values());
        Pool open = pools.get(e.getKey());
        for (MemberReplacements.Replacement r : replacing) {
          if (open.state(r.index()) == MemberState.REBUILDING) {
            throw new IllegalArgumentException("pool " + e.getKey() + ": member " + r.index()
                + " (" + r.outgoing() + ") is being rebuilt; replace it once that is done");
          }
        }
        long healthy = replacing.stream()
            .filter(r -> open.state(r.index()) == MemberState.ONLINE).count();
        if (healthy > 1 || healthy == 1 && open.copyTarget() >= 0) {
          throw new IllegalArgumentException("pool " + e.getKey() + ": a healthy member is"
              + " copied onto its replacement one at a time; "
              + (healthy > 1 ? "this layout replaces " + healthy + " at once"
                  : "member " + open.copyTarget() + " is still being copied"));
        }
      }
      for (String d : driveNamesOf(wanted)) {
        if (driveSpecs.containsKey(d) && driveNamesOf(e.getValue()).contains(d)
            && !driveSpecs.get(d).equals(nextDrives.get(d))) {
          throw new IllegalArgumentException("drive " + d + " is in use by pool " + e.getKey()
              + "; it cannot be removed or changed while the pool is kept");
        }
      }
    }
    Set<String> wanted = new HashSet<>();
    layout.volumes().forEach(v -> wanted.add(v.name()));
    layout.snapshots().forEach(s -> wanted.add(s.name()));
    for (String pool : poolSpecs.keySet()) {
      if (!next.containsKey(pool)) {
        List<String> held = stores.get(pool).names().stream().filter(wanted::contains).sorted()
            .toList();
        if (!held.isEmpty()) {
          throw new IllegalArgumentException("pool " + pool + " cannot be removed: it still holds "
              + held + " (delete them from the layout first)");
        }
      }
    }
  }

  /**
   * A pool's spec but for its scrub request and restripe rate, which a reload may change (see
   * {@link PoolScrubs}, {@link #applyRestripeRates}).
   */
  private static PoolSpec withoutScrub(PoolSpec p) {
    return new PoolSpec(p.name(), p.drives(), p.protection(), p.cache(), p.tiering(), null, null);
  }

  /**
   * Gives each parity pool the restripe rate its spec asks for: a running restripe moves at that
   * rate from its next batch on, a later one (a grow, or the resumed one after a restart) starts
   * at it.
   */
  private void applyRestripeRates(List<PoolSpec> specs) {
    for (PoolSpec spec : specs) {
      if (pools.get(spec.name()) instanceof io.strata.engine.pool.ParityPool parity
          && parity.restripeRate() != spec.restripeBytesPerSecond()) {
        parity.restripeRate(spec.restripeBytesPerSecond());
        LOG.info("pool " + spec.name() + ": restripe rate " + (spec.restripeBytesPerSecond() == 0
            ? "unlimited" : spec.restripeBytesPerSecond() + " bytes/s"));
      }
    }
  }

  /** The drives a pool uses: its members, then its cache and tier SSDs (as the layout names them). */
  static List<String> driveNamesOf(PoolSpec p) {
    List<String> names = new ArrayList<>(p.drives());
    names.addAll(PoolServices.serviceDrives(p));
    return names;
  }

  private static boolean hasTiering(ArrayLayout layout, String pool) {
    return layout.pools().stream().anyMatch(p -> p.name().equals(pool) && p.tiering() != null
        && !p.tiering().isNull());
  }

  /**
   * Makes the open pools and drives those of {@code layout} (after {@link #check}): a pool no
   * longer listed has its (unlisted) volumes and snapshots deleted, is closed, its drives' labels
   * cleared and its metadata removed, so that its drives can make a new pool; then the drives
   * no longer listed are closed, and the new drives and pools are opened.
   */
  private void convergePoolsAndDrives(ArrayLayout layout) throws IOException {
    Set<String> listedPools = new HashSet<>();
    layout.pools().forEach(p -> listedPools.add(p.name()));
    for (String pool : List.copyOf(poolSpecs.keySet())) {
      if (!listedPools.contains(pool)) {
        removePool(layout, pool);
      }
    }
    replaceMembers(layout);
    Map<String, DriveSpec> listedDrives = new LinkedHashMap<>();
    layout.drives().forEach(d -> listedDrives.put(d.name(), d));
    for (String d : List.copyOf(driveSpecs.keySet())) {
      if (!driveSpecs.get(d).equals(listedDrives.get(d))) {
        closeDrive(d); // in no pool (check refused otherwise); changed: opened again
        LOG.info("closed drive " + d);
      }
    }
    driveOrder = List.copyOf(listedDrives.keySet());
    List<DriveSpec> newRemotes = new ArrayList<>();
    for (DriveSpec d : layout.drives()) {
      if (d.remote() != null && !driveSpecs.containsKey(d.name())) {
        newRemotes.add(d);
      }
    }
    openRemotes(newRemotes);
    unopenedDrives.keySet().retainAll(listedDrives.keySet());
    for (DriveSpec d : layout.drives()) {
      if (!driveSpecs.containsKey(d.name())) {
        try {
          drives.put(d.name(), openDrive(d));
        } catch (IOException e) {
          if (layout.ha() != null) {
            // an HA engine that cannot open a drive stays standby (its peer may serve): it fails
            throw e;
          }
          // an unreadable drive file fails that drive, not the array: its pool runs without it
          unopenedDrives.put(d.name(), "its file cannot be opened: " + e.getMessage());
          LOG.warning("drive " + d.name() + " " + unopenedDrives.get(d.name())
              + "; its pool opens without it");
          continue;
        }
        unopenedDrives.remove(d.name());
        driveSpecs.put(d.name(), d);
      }
    }
    growPools(layout);
    Map<String, String> refused =
        new LinkedHashMap<>(DriveClaims.refusals(layout.pools(), poolSpecs, this::member));
    for (PoolSpec p : layout.pools()) {
      if (!pools.containsKey(p.name()) && !refused.containsKey(p.name())) {
        String why = PoolServiceRecord.mismatch(layout.metadataDir(layoutFile).resolve(p.name()), p);
        if (why != null) {
          refused.put(p.name(), "pool " + p.name() + " refused: " + why);
        }
      }
    }
    refusedPools = Collections.unmodifiableMap(refused);
    refusedPools.values().forEach(LOG::warning);
    refusedObjects = objectsOf(layout, refusedPools.keySet());
    Set<String> taken = new HashSet<>();
    layout.pools().stream().filter(p -> !refusedPools.containsKey(p.name()))
        .forEach(p -> taken.addAll(p.drives()));
    poolSpecs.values().forEach(p -> taken.addAll(driveNamesOf(p)));
    try {
      for (PoolSpec p : layout.pools()) {
        if (!pools.containsKey(p.name()) && !refusedPools.containsKey(p.name())) {
          String why = openPool(layout, p, taken);
          if (why != null) {
            refused.put(p.name(), "pool " + p.name() + " refused: " + why);
            LOG.warning(refused.get(p.name()));
            refusedPools = Collections.unmodifiableMap(new LinkedHashMap<>(refused));
            refusedObjects = objectsOf(layout, refusedPools.keySet());
            continue;
          }
          LOG.info("opened pool " + p.name() + " (" + pools.get(p.name()).protection() + ")");
        }
      }
    } finally {
      // also when a later pool fails: the remote drives of the pools that opened stay watched
      watchRemoteDrives(newRemotes);
    }
  }

  /**
   * Puts the layout's new drives in place of kept pools' members ({@link MemberReplacements},
   * checked before): the incoming drive is opened and handed to the pool, which copies a healthy
   * member onto it (or rebuilds it from the others for a failed one) while I/O goes on; the
   * outgoing drive leaves this stack's drives without being closed, the pool closes it when done.
   */
  private void replaceMembers(ArrayLayout layout) throws IOException {
    for (PoolSpec wanted : layout.pools()) {
      PoolSpec kept = poolSpecs.get(wanted.name());
      List<MemberReplacements.Replacement> replacing =
          kept == null ? null : MemberReplacements.between(kept, wanted);
      if (replacing == null || replacing.isEmpty()) {
        continue;
      }
      Pool pool = pools.get(wanted.name());
      for (MemberReplacements.Replacement r : replacing) {
        DriveSpec spec = layout.drives().stream().filter(d -> d.name().equals(r.incoming()))
            .findFirst().orElseThrow();
        Drive incoming = drives.containsKey(r.incoming()) ? drives.get(r.incoming())
            : openDrive(spec);
        if (incoming.blockCount() < pool.memberRows() * Pool.ROW_BLOCKS + Pool.DATA_OFFSET_BLOCKS) {
          if (!drives.containsKey(r.incoming())) {
            closeQuietly(incoming);
          }
          throw new IOException("pool " + r.pool() + ": drive " + r.incoming() + " is smaller"
              + " than the pool's members; it cannot replace " + r.outgoing());
        }
        drives.put(r.incoming(), incoming);
        driveSpecs.put(r.incoming(), spec);
        drives.remove(r.outgoing()); // the pool closes it once it is copied
        driveSpecs.remove(r.outgoing());
        pool.copyOnto(r.index(), incoming);
        LOG.info("pool " + r.pool() + ": drive " + r.incoming() + " replaces " + r.outgoing()
            + " (member " + r.index() + "): " + (pool.copyTarget() == r.index()
                ? "copying it" : "rebuilding it from the other members"));
      }
      poolSpecs.put(wanted.name(), wanted);
    }
  }

  /**
   * Grows the kept pools whose layout adds drives after their members ({@link PoolGrowth},
   * checked before; the drives are open by now): the pool takes them as mirror pairs, then its
   * volume metadata takes the new capacity as free extents, and the pool's spec becomes the
   * layout's. A grow the engine stops in is completed by the next start (the pool from its
   * labels, the metadata from the pool's size).
   */
  private void growPools(ArrayLayout layout) throws IOException {
    for (PoolSpec wanted : layout.pools()) {
      PoolSpec kept = poolSpecs.get(wanted.name());
      List<String> growing = kept == null ? null
          : PoolGrowth.added(withoutScrub(kept), withoutScrub(wanted));
      if (growing == null) {
        continue;
      }
      Pool pool = pools.get(wanted.name());
      List<BlockDevice> added = new ArrayList<>();
      for (String d : growing) {
        BlockDevice device = member(d);
        if (device == null) {
          throw new IOException("pool " + wanted.name() + ": new drive " + d + " is unreachable;"
              + " the pool grows once it is (reload again)");
        }
        added.add(device);
      }
      int first = pool.memberCount();
      long extents;
      if (pool instanceof io.strata.engine.pool.ParityPool parity) {
        parity.restripe(added); // the capacity comes when the restripe is done
        extents = stores.get(wanted.name()).totalExtents();
      } else {
        ((io.strata.engine.pool.MirrorPool) pool).grow(added);
        extents = stores.get(wanted.name()).growToPool();
      }
      for (int i = 0; i < growing.size(); i++) {
        if (remoteDrives.containsKey(growing.get(i))) {
          remoteSlots.put(growing.get(i), new PoolSlot(pool, first + i));
        }
      }
      poolSpecs.put(wanted.name(), new PoolSpec(kept.name(), wanted.drives(), kept.protection(),
          kept.cache(), kept.tiering(), kept.scrub(), kept.restripe()));
      LOG.info("pool " + wanted.name() + " grew by " + growing + ": " + extents
          + " extents for volumes");
    }
  }

  /**
   * Once {@code pool}'s restripe is done (now, or after an engine restart resumed it): its
   * volume metadata takes the new capacity as free extents, without a restart. A pool that
   * restripes on later gets the same when that one is done.
   */
  private void growWhenRestriped(io.strata.engine.pool.ParityPool pool, VolumeStore store) {
    pool.whenRestriped(() -> {
      try {
        long extents = store.growToPool();
        LOG.info("pool " + pool.name() + " restriped: " + extents + " extents for volumes");
      } catch (IOException | RuntimeException e) {
        LOG.log(java.util.logging.Level.SEVERE, "pool " + pool.name() + " restriped, but its"
            + " volume metadata did not take the new capacity (it does at the next start)", e);
      }
    });
  }

  /**
   * The volumes, snapshots and clones that live in {@code poolNames}: their volumes, the
   * snapshots of those, the clones of those snapshots, and so on.
   */
  private static Set<String> objectsOf(ArrayLayout layout, Set<String> poolNames) {
    Set<String> in = new HashSet<>();
    layout.volumes().stream().filter(v -> v.cloneOf() == null && poolNames.contains(v.pool()))
        .forEach(v -> in.add(v.name()));
    boolean grew = !in.isEmpty();
    while (grew) {
      grew = false;
      for (SnapshotSpec s : layout.snapshots()) {
        grew |= in.contains(s.volume()) && in.add(s.name());
      }
      for (VolumeSpec v : layout.volumes()) {
        grew |= v.cloneOf() != null && in.contains(v.cloneOf()) && in.add(v.name());
      }
    }
    return Set.copyOf(in);
  }

  /**
   * Why pools of the layout applied last were refused ("pool q refused: drive 'ssd1' is the
   * flash cache of pool p"), joined; null when none was.
   */
  public synchronized String refusals() {
    List<String> reasons = new ArrayList<>(refusedPools.values());
    reasons.addAll(keyless.values());
    return reasons.isEmpty() ? null : String.join("; ", reasons);
  }

  /**
   * Whether the layout applied last left out a new encrypted volume whose data key the KMS could
   * not wrap: the layout is applied again (with the drives' back-off) until it can.
   */
  public synchronized boolean awaitsKeys() {
    return !keyless.isEmpty();
  }

  /** The pools of the layout applied last that were refused, with the reason of each. */
  public synchronized Map<String, String> refusedPools() {
    return refusedPools;
  }

  /** Closes pool {@code name} and destroys it: it holds nothing the layout lists. */
  private void removePool(ArrayLayout layout, String name) throws IOException {
    VolumeStore store = stores.get(name);
    // its metadata directory is deleted below: no object needs deleting one by one first
    LOG.info("pool " + name + " is removed with what it held: " + store.names());
    scrubs.stop(name);
    PoolSpec spec = poolSpecs.remove(name);
    stores.remove(name);
    tiered.remove(name);
    wrappedServices.remove(name);
    facts.remove(name);
    for (String d : driveNamesOf(spec)) {
      RemoteDrive remote = remoteDrives.get(d);
      if (remote != null) {
        remote.listener(null); // no re-adding into the pool being closed
        remoteSlots.remove(d);
      }
    }
    IOException first = null;
    if (pools.get(name) != null) {
      consent.unregister(pools.get(name));
    }
    for (Closeable c : new Closeable[] {store, services.remove(name), pools.remove(name)}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
    // A pool (or its cache and tier) labels its drives and refuses a drive labelled for another
    // pool: clear those labels, as the agent does for the drives of a deleted array.
    for (String d : driveNamesOf(spec)) {
      Drive drive = drives.remove(d);
      RemoteDrive remote = remoteDrives.remove(d);
      driveSpecs.remove(d);
      if (drive != null) {
        drive.close();
        PoolLabels.clear(drive.path());
      }
      if (remote != null) {
        remote.close(); // the pool closed it already; closing twice is harmless
        clearRemoteLabel(remote);
      }
    }
    deleteTree(layout.metadataDir(layoutFile).resolve(name));
    LOG.info("removed pool " + name + " and cleared the labels of its drives " + driveNamesOf(spec));
  }

  /**
   * Zeroes the label area of a remote drive whose pool is removed, over a session of its own
   * (the pool closed the drive's). A drive that cannot be reached keeps its label: a new pool
   * would refuse it until it is cleared (the agent clears the drives of a deleted array).
   */
  private static void clearRemoteLabel(RemoteDrive closed) {
    RemoteDrive drive = RemoteDrive.open(closed.name(), closed.config(),
        closed.blockCount() * RemoteDrive.BLOCK_SIZE);
    try {
      if (!drive.online()) {
        LOG.warning("remote drive " + closed.name() + " is unreachable (" + drive.offlineReason()
            + "): its pool label stays");
        return;
      }
      long bytes = Math.min(PoolLabels.LABEL_BYTES, drive.blockCount() * RemoteDrive.BLOCK_SIZE);
      drive.write(0, ByteBuffer.allocate((int) bytes), true);
    } catch (IOException e) {
      LOG.warning("remote drive " + closed.name() + ": clearing its pool label: " + e);
    } finally {
      drive.close();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void closeQuietly(Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      LOG.warning("closing " + c + ": " + e);
    }
  }

  /** Whether the volume's rollback request was already applied (then nothing is left to do). */
  private boolean rollbackDone(VolumeSpec v) {
    VolumeStore store = storeOf(v.name());
    MetadataState.Obj o = store == null ? null : store.state().get(v.name());
    return o != null && v.rollback().request().equals(o.lastRollbackRequest());
  }

  /** The pool volume {@code v} is (or will be) in, or null when it cannot be told yet. */
  private String poolOf(ArrayLayout layout, VolumeSpec v, int depth) {
    if (v.cloneOf() == null) {
      return v.pool();
    }
    VolumeStore store = storeOf(v.name());
    if (store == null) {
      store = storeOf(v.cloneOf());
    }
    if (store != null) {
      return store.poolName();
    }
    for (SnapshotSpec s : layout.snapshots()) {
      if (s.name().equals(v.cloneOf())) {
        for (VolumeSpec origin : layout.volumes()) {
          if (origin.name().equals(s.volume()) && origin != v && depth > 0) {
            return poolOf(layout, origin, depth - 1); // a clone of a clone's snapshot
          }
        }
      }
    }
    return null;
  }

  /**
   * Makes volumes, clones and snapshots match the layout: creates what is missing, grows what is
   * larger, rolls volumes back to a snapshot once per request id, deletes the snapshots and
   * volumes that are no longer listed, and pins volumes to tiers. First it adds and removes
   * pools and drives as the layout says ({@link #check} says which changes it refuses).
   *
   * @return the volumes rolled back now (their initiators must be told their data changed)
   */
  public synchronized Set<String> reconcile(ArrayLayout layout) throws IOException {
    check(layout);
    consent.check(layout.ha());
    presentEpoch(consent.epoch());
    convergePoolsAndDrives(layout);
    applyRestripeRates(layout.pools());
    scrubs.converge(layout.pools(), pools);
    Map<String, String> poolOf = new HashMap<>();
    Map<String, String> noKey = new java.util.LinkedHashMap<>();
    for (VolumeSpec v : layout.volumes()) {
      if (v.cloneOf() == null && !refusedObjects.contains(v.name())) {
        poolOf.put(v.name(), v.pool());
        VolumeStore store = store(v.pool());
        long size = LunSpec.size(v.size());
        if (!store.exists(v.name())) {
          if (v.encryption() != null) {
            try {
              keys.createKey(store, v.name(), v.encryption()); // first: never a moment in clear
            } catch (IOException | IllegalArgumentException e) {
              noKey.put(v.name(), e.getMessage().startsWith("encrypted volume") ? e.getMessage()
                  : "encrypted volume " + v.name() + ": " + e.getMessage());
              continue;
            }
          }
          store.createVolume(v.name(), size, Boolean.TRUE.equals(v.thick()));
          LOG.info("created " + (v.encryption() != null ? "encrypted " : "") + "volume "
              + v.name() + " in pool " + v.pool());
        } else {
          if (v.encryption() != null && !keyRecordAnywhere(v.name())) {
            throw new IllegalArgumentException("volume " + v.name() + " exists unencrypted:"
                + " encryption cannot be added to a volume (make an encrypted one and copy)");
          }
          grow(store, v.name(), size);
        }
      }
    }
    for (SnapshotSpec s : layout.snapshots()) {
      if (refusedObjects.contains(s.name())) {
        continue;
      }
      VolumeStore store = storeOf(s.volume());
      if (store == null && storeOf(s.name()) == null) {
        throw new IllegalArgumentException("snapshot " + s.name() + ": no volume '" + s.volume()
            + "'");
      }
      if (store != null && !store.exists(s.name())) {
        VolumeKeys.shareKey(store, s.volume(), s.name()); // before it exists: never keyless
        store.snapshot(s.volume(), s.name());
        LOG.info("took snapshot " + s.name() + " of " + s.volume());
      }
    }
    for (VolumeSpec v : layout.volumes()) {
      if (v.cloneOf() != null && !refusedObjects.contains(v.name())) {
        VolumeStore store = storeOf(v.cloneOf());
        if (store == null) {
          store = storeOf(v.name());
        }
        if (store == null) {
          throw new IllegalArgumentException("clone " + v.name() + ": no snapshot '"
              + v.cloneOf() + "'");
        }
        if (!store.exists(v.name())) {
          VolumeKeys.shareKey(store, v.cloneOf(), v.name());
          store.cloneSnapshot(v.cloneOf(), v.name());
          LOG.info("cloned " + v.name() + " from snapshot " + v.cloneOf());
        }
        if (v.size() != null) {
          grow(store, v.name(), LunSpec.size(v.size()));
        }
      }
    }
    Set<String> rolledBack = new HashSet<>();
    for (VolumeSpec v : layout.volumes()) {
      if (v.rollback() != null && !refusedObjects.contains(v.name()) && !rollbackDone(v)) {
        VolumeStore store = storeOf(v.name());
        if (store.rollback(v.name(), v.rollback().snapshot(), v.rollback().request())) {
          rolledBack.add(v.name());
          LOG.info("rolled volume " + v.name() + " back to snapshot " + v.rollback().snapshot()
              + " (request " + v.rollback().request() + ")");
        }
      }
    }
    if (moves == null && layout.volumes().stream().anyMatch(v -> v.moveFrom() != null)) {
      moves = new VolumeMoves(layout.metadataDir(layoutFile), this::deleteMovedCopy, this::abandonMove);
    }
    if (moves != null) {
      moves.converge(layout.volumes(), stores);
    }
    Set<String> wanted = new HashSet<>();
    layout.volumes().forEach(v -> wanted.add(v.name()));
    layout.snapshots().forEach(s -> wanted.add(s.name()));
    for (VolumeStore store : stores.values()) {
      for (String name : store.names()) {
        if (!wanted.contains(name)) {
          store.delete(name);
          VolumeKeys.dropKey(store, name); // crypto-erase, once nothing sharing the key is left
          stores.values().forEach(s -> s.forgetForwarded(name)); // gone for good: no move follows
          if (store.metadataOnPool()) {
            store.putRecord(reservationRecord(name), null);
          }
          LOG.info("deleted " + name + " from pool " + store.poolName()
              + " (no longer in the layout)");
        }
      }
    }
    Map<String, Tier> pins = new HashMap<>();
    for (VolumeSpec v : layout.volumes()) {
      if (v.pinnedTier() != null) {
        pins.put(v.name(), v.pinnedTier());
      }
    }
    pinnedVolumes = Map.copyOf(pins);
    keyless = Map.copyOf(noKey);
    refreshPins();
    return rolledBack;
  }

  /**
   * A move switched to the volume's copy in its new pool: its copy in {@code fromPool} goes, and
   * with it the persistent reservations kept beside it, which the new pool's copy takes over.
   */
  private synchronized void deleteMovedCopy(String volume, String fromPool) throws IOException {
    VolumeStore from = stores.get(fromPool);
    if (from == null || !from.exists(volume)) {
      return;
    }
    VolumeStore to = null;
    for (VolumeStore s : stores.values()) {
      to = s != from && s.exists(volume) ? s : to;
    }
    if (to != null) {
      VolumeKeys.moveKey(from, to, volume); // the copy that stays keeps the key
    }
    if (to != null && from.metadataOnPool() && to.metadataOnPool()) {
      byte[] reservations = from.record(reservationRecord(volume));
      if (reservations != null) {
        to.putRecord(reservationRecord(volume), reservations);
      }
    }
    from.delete(volume);
    VolumeKeys.dropKey(from, volume);
    if (from.metadataOnPool()) {
      from.putRecord(reservationRecord(volume), null);
    }
  }

  /**
   * A move given up before it switched (the tenant cancelled it): the volume's devices in both
   * pools serve its whole copy in {@code keepPool} again, and its partial copy in
   * {@code dropPool} is deleted. A device of the dropped copy (a LUN opened from that pool) is
   * redirected to the kept copy rather than left on a deleted object.
   */
  private synchronized void abandonMove(String volume, String keepPool, String dropPool) throws IOException {
    VolumeStore keep = stores.get(keepPool);
    if (keep == null || !keep.exists(volume)) {
      // never drop a copy while the other is not there: this one may be the only data left
      throw new IOException("cannot cancel the move of volume " + volume + ": it has no copy in pool "
          + keepPool + " to keep");
    }
    io.strata.engine.block.BlockDevice whole = keep.openCopy(volume);
    keep.redirectCopy(volume, null);
    for (VolumeStore s : stores.values()) {
      if (s != keep && s.exists(volume)) {
        s.redirectCopy(volume, whole);
      }
      s.redirectForwarded(volume, whole); // LUNs opened on copies that earlier moves left behind
    }
    VolumeStore drop = stores.get(dropPool);
    if (drop == null || !drop.exists(volume)) {
      return;
    }
    drop.delete(volume);
    VolumeKeys.dropKey(drop, volume);
    if (drop.metadataOnPool()) {
      drop.putRecord(reservationRecord(volume), null);
    }
  }

  /**
   * Whether the volume moves want the layout applied again now (a stopped move's pause is over,
   * or a cancel left work for the next pass): the layout-health timer then reloads.
   */
  public synchronized boolean movesWantAnotherPass(long nowNanos) {
    return moves != null && moves.takeAnotherPass(nowNanos);
  }

  /** The moves this engine runs or finished since it started (volume, pools, extents copied). */
  public synchronized List<VolumeMoves.Progress> moves() {
    return moves == null ? List.of() : moves.progress();
  }

  /** The moves the layout asks for, as the layout status reports them ({@link VolumeMoves#reports}). */
  public synchronized List<VolumeMoves.Report> moveReports() {
    return moves == null ? List.of() : moves.reports();
  }

  /**
   * A pinned volume's freshly allocated extent goes straight to its tier (and is pinned there)
   * before its first write, so new writes land on the pinned tier at once.
   */
  private VolumeStore.FreshExtentPlacement placementOn(TieredDevice device) {
    return (object, pe) -> {
      Tier tier = pinnedVolumes.get(object);
      if (tier != null) {
        device.placeForOverwrite(pe * MetadataState.EXTENT_BLOCKS, MetadataState.EXTENT_BLOCKS,
            tier);
      }
    };
  }

  /**
   * Pins the extents each pinned volume maps now, and unpins everything else. New extents of a
   * pinned volume are placed and pinned as they are allocated ({@link #placementOn}); this runs
   * after every layout change (a new pin moves the volume's existing extents through the mover)
   * and every {@value #PIN_REFRESH_SECONDS} seconds as a safety net (an extent the SSD had no
   * free slot for when it was allocated is promoted by the mover once there is one).
   */
  public synchronized void refreshPins() throws IOException {
    for (Map.Entry<String, TieredDevice> e : tiered.entrySet()) {
      VolumeStore store = stores.get(e.getKey());
      List<TieredDevice.PinnedRange> ranges = new ArrayList<>();
      for (Map.Entry<String, Tier> pin : pinnedVolumes.entrySet()) {
        if (store.exists(pin.getKey())) {
          for (long pe : store.mappedPhysicalExtents(pin.getKey())) {
            ranges.add(new TieredDevice.PinnedRange(pe * MetadataState.EXTENT_BLOCKS,
                MetadataState.EXTENT_BLOCKS, pin.getValue()));
          }
        }
      }
      e.getValue().replacePins(ranges);
    }
  }

  private void refreshPinsQuietly() {
    try {
      refreshPins();
    } catch (IOException | RuntimeException e) {
      LOG.warning("re-pinning volumes to their tiers: " + e);
    }
  }

  /**
   * What each pool holds now: provisioned volume sizes, the space written by the tier it lives on,
   * the space only snapshots hold, and the cache and tier SSDs. Walks every volume map once.
   */
  public synchronized List<PoolUsage> usage() {
    List<PoolUsage> out = new ArrayList<>();
    for (Map.Entry<String, VolumeStore> e : stores.entrySet()) {
      VolumeStore.Space space = e.getValue().space();
      PoolFacts f = facts.get(e.getKey());
      TieredDevice device = tiered.get(e.getKey());
      long onSsd;
      if (device != null) {
        onSsd = space.used().stream()
            .filter(pe -> device.tierOfBlock((long) pe * MetadataState.EXTENT_BLOCKS) == Tier.SSD)
            .count();
      } else {
        onSsd = "SSD".equals(f.media()) ? space.used().cardinality() : 0;
      }
      long used = space.used().cardinality();
      long extent = MetadataState.EXTENT_BYTES;
      out.add(new PoolUsage(e.getKey(), f.media(), device != null,
          e.getValue().totalExtents() * extent, space.volumeBytes(), onSsd * extent,
          (used - onSsd) * extent, space.heldBySnapshotsOnly().cardinality() * extent,
          f.cacheBytes(), f.tierBytes()));
    }
    return out;
  }

  /** The flash cache of pool {@code pool}, or null when it has none. */
  public synchronized io.strata.engine.cache.FlashCache flashCache(String pool) {
    PoolServices.Wrapped w = wrappedServices.get(pool);
    return w == null ? null : w.cache();
  }

  /** The tiered device of pool {@code pool}, or null when it has no tiers. */
  public synchronized TieredDevice tieredDevice(String pool) {
    return tiered.get(pool);
  }

  private static void grow(VolumeStore store, String name, long size) throws IOException {
    long now = store.state().get(name).sizeBytes();
    if (size > now) {
      store.grow(name, size);
      LOG.info("grew volume " + name + " from " + now + " to " + size + " bytes");
    } else if (size < now) {
      throw new IllegalArgumentException("volume " + name + " is " + now + " bytes; volumes "
          + "cannot shrink (layout asks for " + size + ")");
    }
  }

  private VolumeStore store(String pool) {
    VolumeStore s = stores.get(pool);
    if (s == null) {
      throw new IllegalArgumentException("no pool '" + pool + "'");
    }
    return s;
  }

  /** Whether some pool keeps a wrapped key for {@code name} (it is encrypted). */
  private synchronized boolean keyRecordAnywhere(String name) {
    return keyRecord(name) != null;
  }

  /**
   * The wrapped key of {@code name}: its own pool's, else any pool's (a volume moving to another
   * pool has its key in the pool it came from until the move switches).
   */
  private synchronized byte[] keyRecord(String name) {
    VolumeStore own = storeOf(name);
    byte[] record = own == null ? null : own.record(VolumeKeys.recordOf(name));
    for (VolumeStore s : stores.values()) {
      record = record != null ? record : s.record(VolumeKeys.recordOf(name));
    }
    return record;
  }

  /**
   * What the LUN of {@code volume} stands on: the volume, or for an encrypted one the volume
   * behind its cipher, NOT READY until the KMS gave the key (docs/encryption.md).
   */
  public io.strata.engine.block.BlockDevice keyed(Volume volume) throws IOException {
    return keys.gate(volume.name(), keyRecord(volume.name()), volume);
  }

  /** The encrypted volumes' key states, for the layout status. */
  public Map<String, VolumeKeys.KeyStatus> keyStates() {
    return keys.status();
  }

  /** Forgets the key gates of LUNs no longer served. */
  void retainKeys(java.util.Collection<String> served) {
    keys.retain(served);
  }

  /** The block devices of the layout's LUNs: LUN number to volume or snapshot. */
  public Map<Integer, Volume> lunDevices(ArrayLayout layout) throws IOException {
    Map<Integer, Volume> out = new LinkedHashMap<>();
    for (LunMapping l : layout.luns()) {
      if (refusedObjects.contains(l.volume()) || keyless.containsKey(l.volume())) {
        continue; // its pool was refused, or its key could not be made: no LUN until then
      }
      VolumeStore store = storeOf(l.volume());
      if (store == null) {
        throw new IllegalArgumentException("LUN " + l.lun() + ": no volume or snapshot '"
            + l.volume() + "'");
      }
      out.put(l.lun(), store.open(l.volume()));
    }
    return out;
  }

  /**
   * Where the persistent reservations of a volume's LUN are kept: among the named records of its
   * pool's metadata when that is on the pool (so another engine opening the pool has them), else
   * in the file {@link #reservationFile} names, as before.
   */
  public ReservationStore reservationStore(ArrayLayout layout, Path layoutFile, String volume) {
    VolumeStore store = storeOf(volume);
    if (!store.metadataOnPool()) {
      return ReservationStore.inFile(reservationFile(layout, layoutFile, volume));
    }
    String key = reservationRecord(volume);
    return new ReservationStore() {
      @Override
      public String load() {
        byte[] saved = store.record(key);
        return saved == null ? null : new String(saved, StandardCharsets.UTF_8);
      }

      @Override
      public void save(String state) throws IOException {
        store.putRecord(key, state.getBytes(StandardCharsets.UTF_8));
      }

      @Override
      public String toString() {
        return "persistent reservations of " + volume + " in the metadata of pool "
            + store.poolName();
      }
    };
  }

  private static String reservationRecord(String volume) {
    return "pr/" + volume;
  }

  /** Where the persistent reservations of a volume's LUN are kept when its pool's metadata is in files. */
  public Path reservationFile(ArrayLayout layout, Path layoutFile, String volume) {
    VolumeStore store = storeOf(volume);
    return layout.metadataDir(layoutFile).resolve(store.poolName()).resolve(volume + ".pr");
  }

  /** One line per drive with its I/O statistics, and one per pool with its state. */
  public synchronized List<String> report() {
    List<String> lines = new ArrayList<>();
    for (Drive d : drives.values()) {
      lines.add("drive " + d.name() + " (" + d.media() + (d.directIo() ? ", direct I/O" : "")
          + "): " + d.stats().summary());
    }
    for (RemoteDrive d : remoteDrives.values()) {
      lines.add("remote drive " + d.name() + " (" + d.config().targetName() + " at "
          + d.config().portal() + "): " + (d.online() ? "online" : "offline, " + d.offlineReason()));
    }
    for (Pool p : pools.values()) {
      VolumeStore s = stores.get(p.name());
      lines.add("pool " + p.name() + " (" + p.protection() + "): " + p.states() + ", "
          + (s == null ? "?" : (s.totalExtents() - s.freeExtents()) + " of " + s.totalExtents())
          + " MiB extents used (" + MetadataState.EXTENT_BYTES / (1 << 20) + " MiB each)");
    }
    for (VolumeMoves.Progress m : moves()) {
      lines.add("volume " + m.volume() + " moving from pool " + m.fromPool() + " to " + m.toPool()
          + ": " + m.copiedExtents() + " of " + m.totalExtents() + " extents copied"
          + (m.switched() ? ", switched" : ""));
    }
    return lines;
  }

  /**
   * Stops: first the writes held for consent fail (outside the lock: one of them may hold it),
   * then everything closes under the lock (a reload may be changing the maps meanwhile).
   */
  @Override
  public void close() throws IOException {
    consent.stop();
    VolumeMoves running = movesNow();
    if (running != null) {
      // outside the lock: the copier finishes the extent it copies (it may need the lock to
      // delete a moved volume's old copy); its checkpoint says where to resume
      running.close();
    }
    closeLocked();
  }

  private synchronized VolumeMoves movesNow() {
    return moves;
  }

  private synchronized void closeLocked() throws IOException {
    healthChanged = null;
    scrubs.stopAll(); // its checkpoint stays on the drives: the next start resumes it
    for (RemoteDrive d : remoteDrives.values()) {
      d.listener(null); // no re-adding into pools being closed
    }
    if (pinRefresher != null) {
      pinRefresher.shutdownNow();
    }
    IOException first = null;
    for (VolumeStore s : stores.values()) {
      try {
        s.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    for (BlockDevice service : services.values()) {
      try {
        service.close(); // flushes, stops destager and mover; closes its SSD and the pool
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    for (Pool p : pools.values()) {
      try {
        p.close(); // closes its drives
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    for (RemoteDrive d : remoteDrives.values()) {
      d.close(); // logs out; closing twice is harmless
    }
    for (Drive d : drives.values()) {
      try {
        d.close(); // a drive in no pool; closing twice is harmless
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
