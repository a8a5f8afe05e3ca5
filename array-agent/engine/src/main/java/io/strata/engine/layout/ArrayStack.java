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
import io.strata.engine.pool.Protection;
import io.strata.engine.tier.Tier;
import io.strata.engine.tier.TieredDevice;
import io.strata.engine.volume.MetadataState;
import io.strata.engine.volume.Volume;
import io.strata.engine.volume.VolumeStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

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
  /** The tiered device of each tiered pool, for pinning volumes to a tier. */
  private final Map<String, TieredDevice> tiered = new LinkedHashMap<>();
  /** The volumes the layout pins to a tier; their extents change as they are written. */
  private volatile Map<String, Tier> pinnedVolumes = Map.of();
  /** Re-pins the pinned volumes' extents now and then (new writes map new extents). */
  private ScheduledExecutorService pinRefresher;
  /** The drives on other nodes, by layout name; each keeps itself connected. */
  private final Map<String, RemoteDrive> remoteDrives = new LinkedHashMap<>();
  /** Which pool member each remote drive is. */
  private final Map<String, PoolSlot> remoteSlots = new HashMap<>();
  /** Each pool's member names, in member order. */
  private final Map<String, List<String>> memberNames = new HashMap<>();
  private final List<String> driveOrder = new ArrayList<>();
  private volatile Runnable healthChanged;

  private ArrayStack() {}

  /**
   * Opens the drives and pools of {@code layout} and the volume metadata of each pool, then
   * makes the volumes and snapshots match the layout.
   */
  public static ArrayStack open(ArrayLayout layout, Path layoutFile) throws IOException {
    ArrayStack stack = new ArrayStack();
    try {
      Path base = layoutFile.toAbsolutePath().getParent();
      for (DriveSpec d : layout.drives()) {
        stack.driveOrder.add(d.name());
        if (d.remote() != null) {
          stack.openRemote(d);
          continue;
        }
        HddThrottle throttle = d.throttle() == null ? null
            : new HddThrottle(d.throttle().seekMicros(), d.throttle().bandwidth() == null ? 0
                : LunSpec.size(d.throttle().bandwidth()));
        long size = d.size() == null ? 0 : LunSpec.size(d.size());
        stack.drives.put(d.name(), Drive.open(d.name(), base.resolve(d.path()),
            ArrayLayout.media(d), size, throttle));
      }
      Set<String> taken = new HashSet<>();
      for (PoolSpec p : layout.pools()) {
        taken.addAll(p.drives());
      }
      for (PoolSpec p : layout.pools()) {
        List<BlockDevice> members = new ArrayList<>();
        for (String d : p.drives()) {
          members.add(stack.member(d));
        }
        Protection protection = Protection.parse(p.protection() == null ? "none" : p.protection());
        Pool pool = stack.openPool(p, protection, members);
        stack.memberNames.put(p.name(), List.copyOf(p.drives()));
        stack.pools.put(p.name(), pool);
        PoolServices.Wrapped wrapped = PoolServices.wrap(p, pool, stack.drives, taken);
        BlockDevice data = wrapped.data();
        if (wrapped.tiered() != null) {
          stack.tiered.put(p.name(), wrapped.tiered());
        }
        if (data != pool) {
          stack.services.put(p.name(), data);
        }
        Path meta = layout.metadataDir(layoutFile).resolve(p.name());
        stack.stores.put(p.name(), VolumeStore.open(meta, p.name(), data));
      }
      stack.reconcile(layout);
      stack.watchRemoteDrives();
      if (!stack.tiered.isEmpty()) {
        stack.pinRefresher = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "tier-pins");
          t.setDaemon(true);
          return t;
        });
        stack.pinRefresher.scheduleWithFixedDelay(stack::refreshPinsQuietly, PIN_REFRESH_SECONDS,
            PIN_REFRESH_SECONDS, TimeUnit.SECONDS);
      }
      return stack;
    } catch (IOException | RuntimeException e) {
      stack.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- remote drives

  private void openRemote(DriveSpec d) {
    long size = d.size() == null ? 0 : LunSpec.size(d.size());
    RemoteDrive drive = RemoteDrive.open(d.name(), d.remote().initiatorConfig(), size);
    remoteDrives.put(d.name(), drive);
    if (!drive.online()) {
      LOG.warning("remote drive " + d.name() + " is unreachable at start (" + drive.offlineReason()
          + "); its pool starts without it and it is re-added when it comes back");
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

  private Pool openPool(PoolSpec p, Protection protection, List<BlockDevice> members)
      throws IOException {
    try {
      Pool pool = Pool.open(p.name(), protection, members);
      for (int i = 0; i < p.drives().size(); i++) {
        if (remoteDrives.containsKey(p.drives().get(i))) {
          remoteSlots.put(p.drives().get(i), new PoolSlot(pool, i));
        }
      }
      return pool;
    } catch (IOException e) {
      List<String> unreachable = new ArrayList<>();
      for (String d : p.drives()) {
        RemoteDrive remote = remoteDrives.get(d);
        if (remote != null && !remote.online()) {
          unreachable.add(d + " (" + remote.offlineReason() + ")");
        }
      }
      if (unreachable.isEmpty()) {
        throw e;
      }
      throw new IOException(e.getMessage() + "; unreachable remote drive(s): "
          + String.join(", ", unreachable), e);
    }
  }

  /** Where a remote drive sits: member {@code index} of {@code pool}. */
  private record PoolSlot(Pool pool, int index) {}

  /**
   * From now on a remote drive that comes back is put in its pool again (and rebuilt in full:
   * writes it missed are not tracked per member), and every change is reported.
   */
  private void watchRemoteDrives() {
    for (RemoteDrive drive : remoteDrives.values()) {
      drive.listener(this::remoteDriveChanged);
      if (drive.online()) {
        readd(drive); // came back between the pool's assembly and now
      }
    }
  }

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
   * writes, and one that fails is dropped), so it needs nothing.
   */
  private void readd(RemoteDrive drive) {
    PoolSlot slot = remoteSlots.get(drive.name());
    if (slot == null) {
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

  /** Called (on a drive's thread) whenever a remote drive goes offline or comes back. */
  public void onHealthChange(Runnable hook) {
    this.healthChanged = hook;
  }

  public Map<String, RemoteDrive> remoteDrives() {
    return remoteDrives;
  }

  /**
   * How one drive stands: ONLINE, REBUILDING or FAILED (with the reason when known).
   *
   * @param pool the pool it belongs to, or null
   */
  public record DriveHealth(String name, boolean remote, String pool, String state,
      String reason) {}

  /** Every drive's state, in layout order; what the status file reports. */
  public List<DriveHealth> health() {
    List<DriveHealth> out = new ArrayList<>();
    Map<String, PoolSlot> slots = new HashMap<>(remoteSlots);
    for (Pool p : pools.values()) {
      for (int i = 0; i < p.memberCount(); i++) {
        String name = memberNames.get(p.name()).get(i);
        slots.putIfAbsent(name, new PoolSlot(p, i));
      }
    }
    for (String name : driveOrder) {
      PoolSlot slot = slots.get(name);
      RemoteDrive remote = remoteDrives.get(name);
      String pool = slot == null ? null : slot.pool().name();
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

  /** The pool holding volume or snapshot {@code name}, or null. */
  public VolumeStore storeOf(String name) {
    for (VolumeStore s : stores.values()) {
      if (s.exists(name)) {
        return s;
      }
    }
    return null;
  }

  public Map<String, Pool> pools() {
    return pools;
  }

  public Map<String, VolumeStore> stores() {
    return stores;
  }

  public Map<String, Drive> drives() {
    return drives;
  }

  /**
   * Refuses a layout that this stack cannot apply, before anything changes: a pin on a volume
   * whose pool has no tiers, a pool that does not exist (pools are fixed at start), a rollback
   * to a snapshot that exists but was taken of another volume.
   */
  public synchronized void check(ArrayLayout layout) {
    for (VolumeSpec v : layout.volumes()) {
      if (v.cloneOf() == null) {
        store(v.pool());
      }
      String pool = poolOf(layout, v, layout.volumes().size());
      if (v.pinnedTier() != null && pool != null && !tiered.containsKey(pool)) {
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
   * volumes that are no longer listed, and pins volumes to tiers. Drives and pools are fixed for
   * the engine's life (a change to them needs a restart).
   *
   * @return the volumes rolled back now (their initiators must be told their data changed)
   */
  public synchronized Set<String> reconcile(ArrayLayout layout) throws IOException {
    check(layout);
    Map<String, String> poolOf = new HashMap<>();
    for (VolumeSpec v : layout.volumes()) {
      if (v.cloneOf() == null) {
        poolOf.put(v.name(), v.pool());
        VolumeStore store = store(v.pool());
        long size = LunSpec.size(v.size());
        if (!store.exists(v.name())) {
          store.createVolume(v.name(), size, Boolean.TRUE.equals(v.thick()));
          LOG.info("created volume " + v.name() + " in pool " + v.pool());
        } else {
          grow(store, v.name(), size);
        }
      }
    }
    for (SnapshotSpec s : layout.snapshots()) {
      VolumeStore store = storeOf(s.volume());
      if (store == null && storeOf(s.name()) == null) {
        throw new IllegalArgumentException("snapshot " + s.name() + ": no volume '" + s.volume()
            + "'");
      }
      if (store != null && !store.exists(s.name())) {
        store.snapshot(s.volume(), s.name());
        LOG.info("took snapshot " + s.name() + " of " + s.volume());
      }
    }
    for (VolumeSpec v : layout.volumes()) {
      if (v.cloneOf() != null) {
        VolumeStore store = storeOf(v.cloneOf());
        if (store == null) {
          store = storeOf(v.name());
        }
        if (store == null) {
          throw new IllegalArgumentException("clone " + v.name() + ": no snapshot '"
              + v.cloneOf() + "'");
        }
        if (!store.exists(v.name())) {
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
      if (v.rollback() != null && !rollbackDone(v)) {
        VolumeStore store = storeOf(v.name());
        if (store.rollback(v.name(), v.rollback().snapshot(), v.rollback().request())) {
          rolledBack.add(v.name());
          LOG.info("rolled volume " + v.name() + " back to snapshot " + v.rollback().snapshot()
              + " (request " + v.rollback().request() + ")");
        }
      }
    }
    Set<String> wanted = new HashSet<>();
    layout.volumes().forEach(v -> wanted.add(v.name()));
    layout.snapshots().forEach(s -> wanted.add(s.name()));
    for (VolumeStore store : stores.values()) {
      for (String name : store.names()) {
        if (!wanted.contains(name)) {
          store.delete(name);
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
    refreshPins();
    return rolledBack;
  }

  /**
   * Pins the extents each pinned volume maps now, and unpins everything else. A thin volume's
   * extents come from anywhere in the pool as it is written, so this runs after every layout
   * change and every {@value #PIN_REFRESH_SECONDS} seconds; until then a freshly written extent
   * of a pinned volume is placed by heat like any other.
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

  /** The tiered device of pool {@code pool}, or null when it has no tiers. */
  public TieredDevice tieredDevice(String pool) {
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
      throw new IllegalArgumentException("no pool '" + pool + "' (pools are fixed at start)");
    }
    return s;
  }

  /** The block devices of the layout's LUNs: LUN number to volume or snapshot. */
  public Map<Integer, Volume> lunDevices(ArrayLayout layout) throws IOException {
    Map<Integer, Volume> out = new LinkedHashMap<>();
    for (LunMapping l : layout.luns()) {
      VolumeStore store = storeOf(l.volume());
      if (store == null) {
        throw new IllegalArgumentException("LUN " + l.lun() + ": no volume or snapshot '"
            + l.volume() + "'");
      }
      out.put(l.lun(), store.open(l.volume()));
    }
    return out;
  }

  /** Where the persistent reservations of a volume's LUN are kept. */
  public Path reservationFile(ArrayLayout layout, Path layoutFile, String volume) {
    VolumeStore store = storeOf(volume);
    return layout.metadataDir(layoutFile).resolve(store.poolName()).resolve(volume + ".pr");
  }

  /** One line per drive with its I/O statistics, and one per pool with its state. */
  public List<String> report() {
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
    return lines;
  }

  @Override
  public void close() throws IOException {
    healthChanged = null;
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
