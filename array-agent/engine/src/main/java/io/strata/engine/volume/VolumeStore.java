package io.strata.engine.volume;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.OutOfSpaceException;
import io.strata.engine.volume.MetadataRecord.CreateClone;
import io.strata.engine.volume.MetadataRecord.CreateSnapshot;
import io.strata.engine.volume.MetadataRecord.CreateVolume;
import io.strata.engine.volume.MetadataRecord.Delete;
import io.strata.engine.volume.MetadataRecord.Resize;
import io.strata.engine.volume.MetadataRecord.Rollback;
import io.strata.engine.volume.MetadataState.Kind;
import io.strata.engine.volume.MetadataState.Obj;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Logger;

/**
 * The volumes, snapshots and clones of one pool: thin extent maps over the pool's 1 MiB physical
 * extents, kept crash-consistent by a write-ahead {@link Journal}.
 *
 * <p>Allocation: a physical extent is busy while any map points at it, while a write that will
 * map it is in flight, and after it was freed until the record that freed it is durable (so a
 * crash can never bring back a map to an extent that was already handed to someone else).
 *
 * <p>Snapshots are redirect-on-write: taking one copies the volume's extent map in memory and
 * journals one record; the volume's next write to a shared extent goes to a new extent (the old
 * one stays with the snapshot, untouched), so a snapshot never costs a data copy when taken and
 * snapshots can be deleted in any order: an extent is free when no map points at it any more.
 */
public final class VolumeStore implements Closeable {
  private static final Logger LOG = Logger.getLogger(VolumeStore.class.getName());
  /** Journal size that triggers a checkpoint. */
  static final long CHECKPOINT_BYTES =
      Long.getLong("strata.volume.checkpointBytes", 8L << 20);

  /** The locks of one volume or snapshot. */
  static final class Handle {
    static final int STRIPES = 64;
    /** Shared by I/O; exclusive for snapshot, rollback, grow and delete. */
    final ReentrantReadWriteLock object = new ReentrantReadWriteLock();
    /** Per extent (striped): shared by in-place I/O, exclusive to change the extent's map. */
    final ReentrantReadWriteLock[] stripes = new ReentrantReadWriteLock[STRIPES];

    Handle() {
      for (int i = 0; i < STRIPES; i++) {
        stripes[i] = new ReentrantReadWriteLock();
      }
    }

    ReentrantReadWriteLock stripe(long extent) {
      return stripes[(int) (extent % STRIPES)];
    }

    /**
     * Where the object's I/O goes instead while it moves to another pool (a {@link VolumeMove});
     * set under {@link #object}'s write lock, read under its read lock. Null: served here.
     */
    volatile io.strata.engine.block.BlockDevice redirect;
  }

  private record Freed(long physical, long seq) {}

  private final String poolName;
  final BlockDevice pool;
  private final MetadataLog journal;
  final MetadataState state;
  /** Guards state changes, the journal's append order, the allocator and the quarantine. */
  private final Object meta = new Object();
  private final BitSet busy = new BitSet();
  private long busyCount;
  private long nextHint;
  private final Deque<Freed> quarantine = new ArrayDeque<>();
  private final Map<String, Handle> handles = new ConcurrentHashMap<>();
  /**
   * The handles of deleted copies that were redirected when they went (a volume moved away from
   * this pool): devices opened here before (a LUN's) still go through them, so every later
   * redirect of the volume (its next move, a cancelled one) must reach them too.
   */
  private final Map<String, java.util.List<Handle>> forwarded = new ConcurrentHashMap<>();
  /** The node-local lock of metadata kept in files; null when the metadata is on the pool. */
  private final FileChannel lockFile;
  private final FileLock lock;
  private volatile FreshExtentPlacement placement = (object, physicalExtent) -> {};

  private VolumeStore(String poolName, BlockDevice pool, MetadataLog journal,
      MetadataState state, FileChannel lockFile, FileLock lock) {
    this.poolName = poolName;
    this.pool = pool;
    this.journal = journal;
    this.state = state;
    this.lockFile = lockFile;
    this.lock = lock;
    for (long pe = 0; pe < state.physicalExtents(); pe++) {
      if (state.refs(pe) > 0) {
        busy.set((int) pe);
        busyCount++;
      }
    }
  }

  /**
   * Opens (or creates) the volume metadata of pool {@code poolName} in {@code metadataDir},
   * replaying its journal. Only one process may hold it: a second engine on the same metadata is
   * refused.
   */
  public static VolumeStore open(Path metadataDir, String poolName, BlockDevice pool)
      throws IOException {
    if (pool.blockSize() != MetadataState.BLOCK_SIZE) {
      throw new IllegalArgumentException("pools of " + pool.blockSize() + "-byte blocks");
    }
    long extents = pool.blockCount() / MetadataState.EXTENT_BLOCKS;
    NodeLock nodeLock = NodeLock.take(metadataDir);
    try {
      Journal.Opened opened = Journal.open(metadataDir, poolName, extents);
      return afterReplay(new VolumeStore(poolName, pool, opened.journal(), opened.state(),
          nodeLock.file(), nodeLock.lock()), opened.replayed());
    } catch (IOException | RuntimeException e) {
      nodeLock.release();
      throw e;
    }
  }

  /** An exclusive lock on {@code dir}/lock, so that two engines on a node never open one pool. */
  private record NodeLock(FileChannel file, FileLock lock) {
    static NodeLock take(Path dir) throws IOException {
      java.nio.file.Files.createDirectories(dir);
      FileChannel file = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      FileLock lock = file.tryLock();
      if (lock == null) {
        file.close();
        throw new IOException("volume metadata " + dir + " is in use by another process");
      }
      return new NodeLock(file, lock);
    }

    void release() throws IOException {
      lock.release();
      file.close();
    }
  }

  /** Whether {@code metadataDir} holds the files of a pool's volume metadata. */
  public static boolean metadataFilesIn(Path metadataDir) {
    return java.nio.file.Files.exists(Journal.checkpointPath(metadataDir));
  }

  /** Whether {@code metadataDevice} carries a volume metadata area (see {@link PoolMetadataArea}). */
  public static boolean metadataAreaOn(BlockDevice metadataDevice) throws IOException {
    return PoolMetadataArea.present(metadataDevice);
  }

  /**
   * The volume metadata of a pool kept on the pool itself, opened (journal replayed) but not yet
   * serving volumes: its named records can be read first (which SSDs hold the pool's data), and
   * then {@link #serve} puts the volumes on the pool's data device.
   */
  public static final class OnPool implements Closeable {
    private final String poolName;
    private final PoolMetadataArea.Opened opened;
    private final NodeLock nodeLock;
    private boolean served;

    private OnPool(String poolName, PoolMetadataArea.Opened opened, NodeLock nodeLock) {
      this.poolName = poolName;
      this.opened = opened;
      this.nodeLock = nodeLock;
    }

    /** Lets go of the node's lock when the pool was not served after all (refused, failed). */
    @Override
    public void close() throws IOException {
      if (!served && nodeLock != null) {
        served = true;
        nodeLock.release();
      }
    }

    /** Named record {@code key}, or null. */
    public byte[] record(String key) {
      return opened.state().record(key);
    }

    PoolMetadataArea.Geometry geometryForTest() {
      return opened.area().geometry();
    }

    /** The bytes at the end of the pool that the metadata area takes from the volumes. */
    public long reservedBytes() {
      return opened.area().geometry().reservedBytes();
    }

    /**
     * The store of the pool's volumes on {@code data}: the pool device itself, or a flash cache
     * or tier over it that passes block addresses through unchanged. The volumes use only the
     * extents below the metadata area.
     */
    public VolumeStore serve(BlockDevice data) throws IOException {
      if (served) {
        throw new IllegalStateException("pool " + poolName + " is already served");
      }
      if (data.blockSize() != MetadataState.BLOCK_SIZE || data.blockCount()
          < opened.area().extentLba(opened.state().physicalExtents() - 1)
              + MetadataState.EXTENT_BLOCKS) {
        throw new IllegalArgumentException("pool " + poolName + "'s data device of "
            + data.blockCount() + " blocks does not hold its " + opened.state().physicalExtents()
            + " extents");
      }
      VolumeStore store = new VolumeStore(poolName, data, opened.area(), opened.state(),
          nodeLock == null ? null : nodeLock.file(), nodeLock == null ? null : nodeLock.lock());
      VolumeStore replayed = afterReplay(store, opened.replayed()); // before served: a failure
      served = true;                                                // leaves close() to unlock
      return replayed;
    }
  }

  /**
   * Opens the volume metadata kept on {@code metadataDevice} (the pool device, below any cache or
   * tier), replaying its journal. With {@code format} (a pool that was just made) a new, empty
   * area is made instead. Throws {@link MetadataCorruptException} when the device carries no area
   * and {@code format} is false: the metadata of that pool is elsewhere (files on a node) or lost,
   * and nothing is guessed.
   */
  public static OnPool openOnPool(String poolName, BlockDevice metadataDevice, boolean format)
      throws IOException {
    return openOnPool(poolName, metadataDevice, format, null);
  }

  /**
   * As above, holding an exclusive lock on {@code lockDir}/lock (null: none) from before the
   * journal is replayed until the store closes, so that two engines on one node never open the
   * same pool (engines on two nodes are kept apart by fencing). The lock file holds nothing.
   */
  public static OnPool openOnPool(String poolName, BlockDevice metadataDevice, boolean format,
      Path lockDir) throws IOException {
    NodeLock nodeLock = lockDir == null ? null : NodeLock.take(lockDir);
    PoolMetadataArea.Opened opened;
    try {
      opened = format
          ? PoolMetadataArea.format(metadataDevice, poolName)
          : PoolMetadataArea.open(metadataDevice, poolName);
    } catch (IOException | RuntimeException e) {
      if (nodeLock != null) {
        nodeLock.release();
      }
      throw e;
    }
    if (opened == null) {
      if (nodeLock != null) {
        nodeLock.release();
      }
      throw new MetadataCorruptException("pool " + poolName + " was made before but carries no"
          + " volume metadata area, and no metadata files were found for it: its metadata is"
          + " in the files of another node (a pool made before metadata moved onto pools) or"
          + " lost; refusing to start it empty over its data");
    }
    return new OnPool(poolName, opened, nodeLock);
  }

  private static VolumeStore afterReplay(VolumeStore store, int replayed) throws IOException {
    if (replayed > 0) {
      LOG.info("pool " + store.poolName + ": replayed " + replayed + " journal records");
      synchronized (store.meta) {
        store.journal.checkpoint(store.state);
      }
    }
    return store;
  }

  /** Whether the metadata is on the pool device (else in files on this node). */
  public boolean metadataOnPool() {
    return journal instanceof PoolMetadataArea;
  }

  /** Named record {@code key} of this pool (see {@link MetadataRecord.PutRecord}), or null. */
  public byte[] record(String key) {
    synchronized (meta) {
      return state.record(key);
    }
  }

  /** Stores named record {@code key} durably; a null {@code value} removes it. */
  public void putRecord(String key, byte[] value) throws IOException {
    synchronized (meta) {
      byte[] was = state.record(key);
      if (value == null ? was == null : java.util.Arrays.equals(was, value)) {
        return;
      }
    }
    commit(new MetadataRecord.PutRecord(key, value));
  }

  public String poolName() {
    return poolName;
  }

  public BlockDevice pool() {
    return pool;
  }

  /** A read-only view of the objects and their maps (for tests and status). */
  public MetadataState state() {
    return state;
  }

  public boolean exists(String name) {
    synchronized (meta) {
      return state.get(name) != null;
    }
  }

  /** The kind of {@code name}, or null when there is no such object. */
  public Kind kind(String name) {
    synchronized (meta) {
      Obj o = state.get(name);
      return o == null ? null : o.kind;
    }
  }

  public List<String> names() {
    synchronized (meta) {
      return List.copyOf(state.objects().keySet());
    }
  }

  /** Physical extents that no map points at and no write is claiming. */
  public long freeExtents() {
    synchronized (meta) {
      return state.physicalExtents() - busyCount;
    }
  }

  public long totalExtents() {
    return state.physicalExtents();
  }

  Handle handle(String name) {
    return handles.computeIfAbsent(name, n -> new Handle());
  }

  Obj object(String name) throws IOException {
    synchronized (meta) {
      Obj o = state.get(name);
      if (o == null) {
        throw new IOException("no volume or snapshot '" + name + "' in pool " + poolName);
      }
      return o;
    }
  }

  // ------------------------------------------------------------------ operations

  public void createVolume(String name, long sizeBytes, boolean thick) throws IOException {
    synchronized (meta) {
      if (thick) {
        long free = state.physicalExtents() - busyCount - state.reservedExtents();
        long needed = MetadataState.extentsFor(sizeBytes);
        if (needed > free) {
          throw new OutOfSpaceException("pool " + poolName + " has " + free + " MiB free outside"
              + " reservations; a thick volume of " + needed + " MiB does not fit");
        }
      }
    }
    commit(new CreateVolume(name, sizeBytes, thick));
  }

  /** Takes a crash-consistent snapshot: in-flight writes finish first, new ones wait. */
  public void snapshot(String volume, String snapshot) throws IOException {
    ReentrantReadWriteLock.WriteLock l = handle(volume).object.writeLock();
    l.lock();
    try {
      commit(new CreateSnapshot(snapshot, volume));
    } finally {
      l.unlock();
    }
  }

  public void cloneSnapshot(String snapshot, String clone) throws IOException {
    commit(new CreateClone(clone, snapshot));
  }

  public void delete(String name) throws IOException {
    ReentrantReadWriteLock.WriteLock l = handle(name).object.writeLock();
    l.lock();
    try {
      commit(new Delete(name));
      Handle gone = handles.remove(name);
      if (gone != null && gone.redirect != null) {
        forwarded.computeIfAbsent(name, n -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(gone);
      }
    } finally {
      l.unlock();
    }
  }

  /** Where physical extent {@code pe} starts on the pool device. */
  long extentLba(long pe) {
    return journal instanceof PoolMetadataArea area ? area.extentLba(pe)
        : pe * MetadataState.EXTENT_BLOCKS;
  }

  /**
   * The pool device under this store grew (a mirror given more pairs): its new capacity becomes
   * free extents, durably (the metadata area's header moves to the new end) before any volume
   * can use one. Nothing happens when the device did not grow by an extent. Only for metadata
   * kept on the pool; metadata in a node's files (pools made before it moved onto pools) does
   * not grow. Returns the extents for volumes now.
   */
  public long growToPool() throws IOException {
    synchronized (meta) {
      if (!(journal instanceof PoolMetadataArea area)) {
        throw new IllegalStateException("pool " + poolName + " keeps its volume metadata in"
            + " files on the node (it was made before metadata moved onto pools); it cannot grow");
      }
      long total = area.grow(area.deviceBlocks());
      if (total > state.physicalExtents()) {
        state.grow(total);
      }
      return total;
    }
  }

  /** Grows a volume online; its LUN reports the new capacity with a unit attention. */
  public void grow(String volume, long sizeBytes) throws IOException {
    ReentrantReadWriteLock.WriteLock l = handle(volume).object.writeLock();
    l.lock();
    try {
      commit(new Resize(volume, sizeBytes));
    } finally {
      l.unlock();
    }
  }

  /** Makes the volume's content that of {@code snapshot}; writes in flight finish first. */
  public void rollback(String volume, String snapshot) throws IOException {
    rollback(volume, snapshot, null);
  }

  /**
   * Like {@link #rollback(String, String)}, once per {@code request}: when the volume's last
   * rollback (durable in the journal and checkpoint) had this request id, nothing happens.
   *
   * @return whether the volume was rolled back
   */
  public boolean rollback(String volume, String snapshot, String request) throws IOException {
    ReentrantReadWriteLock.WriteLock l = handle(volume).object.writeLock();
    l.lock();
    try {
      if (request != null && request.equals(object(volume).lastRollbackRequest())) {
        return false;
      }
      commit(new Rollback(volume, snapshot, request));
      return true;
    } finally {
      l.unlock();
    }
  }

  /** The request id of the last rollback of {@code volume}, or null. */
  public String lastRollbackRequest(String volume) throws IOException {
    return object(volume).lastRollbackRequest();
  }

  /**
   * The physical extents (of {@link #pool()}) that {@code name} maps now, ascending; for pinning
   * a volume's data to a tier.
   */
  public long[] mappedPhysicalExtents(String name) throws IOException {
    synchronized (meta) {
      Obj o = object(name);
      return java.util.Arrays.stream(o.map).filter(pe -> pe != MetadataState.UNMAPPED)
          .sorted().toArray();
    }
  }

  /**
   * The extents (by index, {@link MetadataState#EXTENT_BYTES} each) that snapshot {@code name}
   * maps; the others read as zeros. For a backup, which reads only these.
   */
  public BitSet mappedExtents(String name) throws IOException {
    synchronized (meta) {
      long[] map = snapshotObject(name).map;
      BitSet mapped = new BitSet(map.length);
      for (int i = 0; i < map.length; i++) {
        if (map[i] != MetadataState.UNMAPPED) {
          mapped.set(i);
        }
      }
      return mapped;
    }
  }

  /**
   * The extents whose content in snapshot {@code later} may differ from that in snapshot {@code
   * earlier} (of the same volume): those whose map entries differ. Exact for snapshots, whose
   * maps never change: a physical extent a snapshot maps is never written in place (a write to it
   * is redirected while the snapshot shares it), so an equal entry means equal content. An extent
   * past {@code earlier}'s end (the volume grew) counts as changed where {@code later} maps it.
   * An entry that differs while the data happens to be equal (a block rewritten with what it
   * held) is reported: the backup reads it and finds the chunk already stored.
   */
  public BitSet changedExtents(String earlier, String later) throws IOException {
    synchronized (meta) {
      long[] before = snapshotObject(earlier).map;
      long[] after = snapshotObject(later).map;
      BitSet changed = new BitSet(after.length);
      for (int i = 0; i < after.length; i++) {
        long was = i < before.length ? before[i] : MetadataState.UNMAPPED;
        if (after[i] != was) {
          changed.set(i);
        }
      }
      return changed;
    }
  }

  /** Under {@link #meta}: snapshot {@code name}, or a clear error when it is not one. */
  private Obj snapshotObject(String name) throws IOException {
    Obj o = object(name);
    if (o.kind != Kind.SNAPSHOT) {
      throw new IllegalArgumentException("'" + name + "' in pool " + poolName
          + " is a volume, not a snapshot: only a snapshot's extents stay put while read");
    }
    return o;
  }

  /**
   * Decides where a freshly allocated physical extent lives before its first (whole-extent)
   * write: the tiered pool of a volume pinned to a tier places it on that tier at once.
   */
  @FunctionalInterface
  public interface FreshExtentPlacement {
    void place(String object, long physicalExtent) throws IOException;
  }

  /** Called for every extent allocated from now on, before the write that fills it. */
  public void placeFreshExtentsWith(FreshExtentPlacement placement) {
    this.placement = placement;
  }

  void placeFresh(String object, long physicalExtent) throws IOException {
    placement.place(object, physicalExtent);
  }

  /**
   * The pool's space as the volume maps see it now.
   *
   * @param volumeBytes the sizes of its volumes and clones added up (what was provisioned)
   * @param used physical extents some volume or snapshot maps
   * @param heldBySnapshotsOnly physical extents only snapshots map: the space their deletion
   *     would free
   */
  public record Space(long volumeBytes, BitSet used, BitSet heldBySnapshotsOnly) {}

  /** Walks every map once, under the metadata lock (about 1 ms per million mapped extents). */
  public Space space() {
    synchronized (meta) {
      long volumeBytes = 0;
      BitSet live = new BitSet();
      BitSet snapshots = new BitSet();
      for (Obj o : state.objects().values()) {
        BitSet into = o.kind == Kind.SNAPSHOT ? snapshots : live;
        if (o.kind == Kind.VOLUME) {
          volumeBytes += o.sizeBytes;
        }
        for (long pe : o.map) {
          if (pe != MetadataState.UNMAPPED) {
            into.set((int) pe);
          }
        }
      }
      BitSet snapshotOnly = (BitSet) snapshots.clone();
      snapshotOnly.andNot(live);
      live.or(snapshots);
      return new Space(volumeBytes, live, snapshotOnly);
    }
  }

  /** The block device of a volume (writable) or snapshot (read-only). */
  public Volume open(String name) throws IOException {
    Obj o = object(name);
    return new Volume(this, o, handle(name), false);
  }

  /**
   * The volume's own copy in this pool, ignoring any {@linkplain #redirect redirect}: what a
   * {@link VolumeMove} reads from and writes to.
   */
  public Volume openCopy(String name) throws IOException {
    Obj o = object(name);
    return new Volume(this, o, handle(name), true);
  }

  /**
   * From now on every I/O through a device {@link #open} gave for {@code name} (a served LUN's)
   * goes to {@code target} instead (null: served here again). Waits for the I/O in flight, so
   * none that started before still lands here alone.
   */
  public void redirect(String name, io.strata.engine.block.BlockDevice target) throws IOException {
    redirectCopy(name, target);
    redirectForwarded(name, target);
  }

  /** As {@link #redirect}, for the devices of this pool's present copy of {@code name} only. */
  public void redirectCopy(String name, io.strata.engine.block.BlockDevice target) throws IOException {
    object(name);
    redirect(handle(name), target);
  }

  /**
   * As {@link #redirect}, for the devices of copies of {@code name} this pool held before (a
   * volume that moved away from it): none when it never did.
   */
  public void redirectForwarded(String name, io.strata.engine.block.BlockDevice target) {
    for (Handle h : forwarded.getOrDefault(name, java.util.List.of())) {
      redirect(h, target);
    }
  }

  /** Forgets the devices of earlier copies of {@code name}: the volume is gone for good. */
  public void forgetForwarded(String name) {
    forwarded.remove(name);
  }

  private static void redirect(Handle h, io.strata.engine.block.BlockDevice target) {
    h.object.writeLock().lock();
    try {
      h.redirect = target;
    } finally {
      h.object.writeLock().unlock();
    }
  }

  // ------------------------------------------------------------------ journal and allocator

  /** Checks, journals durably and applies one record. */
  void commit(MetadataRecord r) throws IOException {
    long seq;
    synchronized (meta) {
      String wrong = state.check(r);
      if (wrong != null) {
        throw new IllegalArgumentException(wrong);
      }
      checkMetadataRoom(r);
      if (!journal.fits(r)) {
        journal.checkpoint(state);
      }
      seq = journal.append(r);
      List<Long> freed = state.apply(r);
      state.setLastSeq(seq);
      for (long pe : freed) {
        quarantine.add(new Freed(pe, seq));
      }
    }
    journal.sync(seq);
    synchronized (meta) {
      long durable = journal.durableSeq();
      while (!quarantine.isEmpty() && quarantine.peekFirst().seq() <= durable) {
        long pe = quarantine.pollFirst().physical();
        if (state.refs(pe) == 0 && busy.get((int) pe)) {
          busy.clear((int) pe);
          busyCount--;
        }
      }
      if (journal.checkpointDue()) {
        journal.checkpoint(state);
      }
    }
  }

  /**
   * Refuses a record after which a checkpoint might no longer fit its slot. The checkpoint must
   * keep room for one mapping per physical extent of the pool: a write to a fresh extent (never
   * refused here) adds one and takes a free extent, so with that room no write can ever overflow
   * it; what can grow it beyond (snapshots, clones, rollbacks, shared extents, named records) is
   * refused while the room is not there.
   */
  private void checkMetadataRoom(MetadataRecord r) throws OutOfSpaceException {
    long growth = state.checkpointGrowth(r);
    if (growth == 0 || journal.checkpointCapacity() == Long.MAX_VALUE) {
      return;
    }
    long needed = state.checkpointBytes() + growth
        + (long) MetadataState.BYTES_PER_MAPPING * state.physicalExtents();
    if (needed > journal.checkpointCapacity()) {
      throw new OutOfSpaceException("the volume metadata area of pool " + poolName + " is full ("
          + journal.checkpointCapacity() / 1024 + " KiB per checkpoint; snapshots and clones"
          + " take room for every extent they map): delete snapshots or clones first");
    }
  }

  /**
   * Claims a free physical extent for extent {@code extent} of {@code o}. A thick volume's
   * unmapped extent is covered by its reservation; anything else must fit outside all
   * reservations.
   */
  long allocate(Obj o, long extent) throws IOException {
    synchronized (meta) {
      long free = state.physicalExtents() - busyCount;
      boolean reserved = o.thick && o.map[(int) extent] == MetadataState.UNMAPPED;
      long available = reserved ? free : free - state.reservedExtents();
      if (available <= 0) {
        throw new OutOfSpaceException("pool " + poolName + " is full (" + free
            + " free extents, " + state.reservedExtents() + " reserved for thick volumes)");
      }
      int pe = busy.nextClearBit((int) nextHint);
      if (pe >= state.physicalExtents()) {
        pe = busy.nextClearBit(0);
      }
      busy.set(pe);
      busyCount++;
      nextHint = pe + 1;
      return pe;
    }
  }

  /** Returns an extent claimed by {@link #allocate} whose write failed. */
  void abandon(long pe) {
    synchronized (meta) {
      if (state.refs(pe) == 0 && busy.get((int) pe)) {
        busy.clear((int) pe);
        busyCount--;
      }
    }
  }

  /** Writes a checkpoint now (tests; also on close). */
  public void checkpoint() throws IOException {
    synchronized (meta) {
      journal.checkpoint(state);
    }
  }

  /**
   * Lets go of the metadata as a killed process would: no flush, no checkpoint. Tests use it to
   * replay the journal in the same JVM.
   */
  void abandonForTest() throws IOException {
    journal.abandon();
    releaseLock();
  }

  private void releaseLock() throws IOException {
    if (lock != null) {
      lock.release();
      lockFile.close();
    }
  }

  /** Flushes the pool and checkpoints; does not close the pool (its owner does). */
  @Override
  public void close() throws IOException {
    try {
      pool.flush();
      checkpoint();
    } finally {
      try {
        journal.close();
      } finally {
        releaseLock();
      }
    }
  }

  @Override
  public String toString() {
    return "volumes of pool " + poolName + " (metadata " + journal.where() + ")";
  }
}
