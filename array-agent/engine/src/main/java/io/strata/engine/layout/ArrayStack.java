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
import io.strata.engine.pool.Pool;
import io.strata.engine.pool.Protection;
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
import java.util.logging.Logger;

/**
 * The block stack of one array, built from its {@link ArrayLayout}: drives, pools, volume stores.
 * It opens only the drives its layout names (an engine never touches another array's drives; a
 * drive labelled for another pool is refused, and a pool's metadata is locked by one process).
 */
public final class ArrayStack implements Closeable {
  private static final Logger LOG = Logger.getLogger(ArrayStack.class.getName());

  private final Map<String, Drive> drives = new LinkedHashMap<>();
  private final Map<String, Pool> pools = new LinkedHashMap<>();
  private final Map<String, VolumeStore> stores = new LinkedHashMap<>();
  /** A pool's flash cache / tiered device, closed before the pool (their threads stop first). */
  private final Map<String, BlockDevice> services = new LinkedHashMap<>();

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
          members.add(stack.drives.get(d));
        }
        Protection protection = Protection.parse(p.protection() == null ? "none" : p.protection());
        Pool pool = Pool.open(p.name(), protection, members);
        stack.pools.put(p.name(), pool);
        BlockDevice data = PoolServices.wrap(p, pool, stack.drives, taken);
        if (data != pool) {
          stack.services.put(p.name(), data);
        }
        Path meta = layout.metadataDir(layoutFile).resolve(p.name());
        stack.stores.put(p.name(), VolumeStore.open(meta, p.name(), data));
      }
      stack.reconcile(layout);
      return stack;
    } catch (IOException | RuntimeException e) {
      stack.close();
      throw e;
    }
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
   * Makes volumes, clones and snapshots match the layout: creates what is missing, grows what is
   * larger, and deletes the snapshots and volumes that are no longer listed. Drives and pools are
   * fixed for the engine's life (a change to them needs a restart).
   */
  public synchronized void reconcile(ArrayLayout layout) throws IOException {
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
