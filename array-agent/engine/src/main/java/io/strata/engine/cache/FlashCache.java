package io.strata.engine.cache;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.DeviceOfflineException;
import io.strata.engine.block.LbaStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * An SSD flash cache in front of a slower backing device (an HDD pool), itself a {@link
 * BlockDevice}. See docs/cache-and-tiering.md for the design; in short:
 *
 * <ul>
 *   <li>The backing device is cut into lines ({@link CacheConfig#lineSize}, 64 KiB by default:
 *       sixteen to a 1 MiB thin-volume extent). A line is cached whole, in one SSD slot.
 *   <li>Reads: a hit is served from the SSD; a miss from the backing device, and the line is
 *       promoted on its second miss within the promotion window. A request that continues a
 *       sequential stream longer than the cutoff does not count towards promotion.
 *   <li>Writes: write-back puts the whole line (read-modify-write for a partial line) and then a
 *       checksummed DIRTY record on the SSD before acknowledging; the destager copies dirty lines
 *       to the backing device in LBA order, flushes it, and only then writes a CLEAN record.
 *       Write-through and write-around go to the backing device. A write to a line that is dirty
 *       always goes to the SSD, whatever the mode, so no newer data is ever shadowed.
 *   <li>Eviction: segmented LRU over clean lines ({@link SegmentedLru}); dirty lines stay.
 *   <li>The SSD fails: if no line is dirty, the cache drops itself and passes I/O through; if any
 *       line is dirty, every I/O fails with {@link DeviceOfflineException} (NOT READY), never
 *       stale data from the backing device.
 * </ul>
 *
 * <p>Concurrency: each backing line is guarded by one of {@value #STRIPES} stripe locks; an
 * operation locks the stripes of its lines in ascending order; eviction only tries locks. A
 * read-write lock around every operation lets SSD failure and detach decide with I/O drained.
 *
 * <p>Owns both devices: {@link #close} closes them. Closing keeps dirty lines on the SSD (they
 * are recovered at the next open); {@link #detach} destages them and leaves a pass-through.
 */
public final class FlashCache implements BlockDevice {
  private static final Logger LOG = Logger.getLogger(FlashCache.class.getName());
  static final int STRIPES = 4096;
  private static final int EVICTION_SCAN = 64;

  private final BlockDevice ssd;
  private final BlockDevice backing;
  private final CacheConfig config;
  private final CacheLayout layout;
  private final CacheMetadata metadata;
  private final int blockSize;
  private final int lineBlocks;
  private final ConcurrentHashMap<Long, CacheLine> lines = new ConcurrentHashMap<>();
  private final ConcurrentLinkedDeque<Integer> freeSlots = new ConcurrentLinkedDeque<>();
  /** Backing lines that are DIRTY or DESTAGING, in LBA order for the destager. */
  private final ConcurrentSkipListSet<Long> dirty = new ConcurrentSkipListSet<>();
  private final SegmentedLru lru;
  private final PromotionFilter promotion;
  private final SequentialDetector sequential;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final ReentrantReadWriteLock state = new ReentrantReadWriteLock();
  private final CacheStats stats = new CacheStats();
  private final Object destageLock = new Object();
  private final Destager destager;
  private volatile CacheMode mode;
  /**
   * Whether the SSD holds every line twice (a mirror of two SSDs with both copies in sync); write
   * back only while it does ({@link #writeBackOnlyWhile}). Always true for a plain SSD.
   */
  private volatile BooleanSupplier copiesInSync = () -> true;
  /** Set once the cache no longer uses the SSD (detached, or lost the SSD with nothing dirty). */
  private volatile boolean passThrough;
  /** Set once the SSD was lost holding dirty data: every I/O fails. */
  private volatile IOException offline;
  private long destageCursor;

  private FlashCache(BlockDevice ssd, BlockDevice backing, CacheConfig config, CacheLayout layout,
      CacheMetadata metadata) {
    this.ssd = ssd;
    this.backing = backing;
    this.config = config;
    this.layout = layout;
    this.metadata = metadata;
    this.blockSize = backing.blockSize();
    this.lineBlocks = config.lineSize() / blockSize;
    this.mode = config.mode();
    this.lru = new SegmentedLru(layout.lineCount(), config.protectedFraction());
    int window = config.promotionWindowLines() > 0 ? config.promotionWindowLines()
        : layout.lineCount();
    this.promotion = new PromotionFilter(config.promoteAfterMisses(), window);
    this.sequential = new SequentialDetector(config.sequentialCutoffBytes());
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
    this.destager = config.backgroundDestage() ? new Destager(this) : null;
  }

  /**
   * Opens a cache of {@code backing} on {@code ssd}. A blank SSD (zeros in its first 4 KiB) is
   * formatted; an SSD that already holds this cache is recovered, its dirty lines to be
   * destaged; anything else is refused with {@link CacheMetadataException}.
   */
  public static FlashCache open(BlockDevice ssd, BlockDevice backing, CacheConfig config)
      throws IOException {
    int bs = backing.blockSize();
    if (config.lineSize() % bs != 0) {
      throw new IllegalArgumentException("cache line size " + config.lineSize()
          + " is not a multiple of the backing block size " + bs);
    }
    if (ssd.blockSize() > bs) {
      throw new IllegalArgumentException("the cache SSD's block size " + ssd.blockSize()
          + " exceeds the backing device's " + bs);
    }
    ByteBuffer unit = ByteBuffer.allocate(CacheLayout.UNIT);
    ssd.read(0, unit);
    CacheLayout existing = CacheLayout.decodeSuperblock(unit);
    CacheLayout layout;
    CacheMetadata metadata;
    if (existing == null) {
      layout = CacheLayout.fitting(ssd.blockCount() * ssd.blockSize(), config.lineSize(), bs,
          backing.blockCount());
      metadata = CacheMetadata.format(ssd, layout);
    } else {
      checkMatches(existing, ssd, backing, config);
      layout = existing;
      metadata = CacheMetadata.load(ssd, layout);
    }
    FlashCache cache = new FlashCache(ssd, backing, config, layout, metadata);
    cache.recover();
    if (cache.destager != null) {
      cache.destager.start();
    }
    return cache;
  }

  private static void checkMatches(CacheLayout l, BlockDevice ssd, BlockDevice backing,
      CacheConfig config) throws CacheMetadataException {
    if (l.lineSize() != config.lineSize()) {
      throw new CacheMetadataException("the cache SSD was formatted with " + l.lineSize()
          + "-byte lines, not " + config.lineSize() + "; detach it to change the line size");
    }
    if (l.backingBlockSize() != backing.blockSize() || l.backingBlocks() > backing.blockCount()) {
      throw new CacheMetadataException("the cache SSD belongs to a backing device of "
          + l.backingBlocks() + " blocks of " + l.backingBlockSize() + " bytes, not this one");
    }
    if (l.slotOffset(l.lineCount()) > ssd.blockCount() * ssd.blockSize()) {
      throw new CacheMetadataException("the cache SSD is smaller than its superblock says");
    }
  }

  private void recover() throws IOException {
    List<CacheMetadata.RecoveredLine> found = metadata.recoverDirtyLines(this::lineBytes);
    boolean[] used = new boolean[layout.lineCount()];
    for (CacheMetadata.RecoveredLine r : found) {
      lines.put(r.backingLine(),
          new CacheLine(r.backingLine(), r.slot(), LineState.DIRTY, r.dataCrc()));
      dirty.add(r.backingLine());
      lru.insert(r.backingLine());
      used[r.slot()] = true;
    }
    for (int s = 0; s < used.length; s++) {
      if (!used[s]) {
        freeSlots.add(s);
      }
    }
    if (!found.isEmpty()) {
      LOG.info("flash cache recovered " + found.size() + " dirty lines; destaging resumes");
    }
  }

  // ---------------------------------------------------------------- BlockDevice

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public long blockCount() {
    return backing.blockCount();
  }

  @Override
  public boolean thinProvisioned() {
    return backing.thinProvisioned();
  }

  @Override
  public boolean readOnly() {
    return backing.readOnly();
  }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    long blocks = checkRange(lba, dst.remaining());
    int start = dst.position();
    whileSsdHolds(() -> {
      if (passThrough) {
        backing.read(lba, dst);
      } else {
        readCached(lba, blocks, dst);
      }
    }, () -> dst.position(start));
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    long blocks = checkRange(lba, src.remaining());
    int start = src.position();
    whileSsdHolds(() -> {
      if (passThrough) {
        backing.write(lba, src, fua);
      } else {
        writeCached(lba, blocks, src, fua);
      }
    }, () -> src.position(start));
  }

  @Override
  public void flush() throws IOException {
    whileSsdHolds(() -> {
      if (!passThrough) {
        ssdFlush();
      }
      backing.flush();
    }, null);
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    if (blocks == 0) {
      return;
    }
    checkRange(lba, blocks * blockSize);
    whileSsdHolds(() -> {
      if (passThrough) {
        backing.unmap(lba, blocks);
      } else {
        unmapCached(lba, blocks);
      }
    }, null);
  }

  /** One I/O of a caller, which may have to start again after the SSD failed under it. */
  @FunctionalInterface
  private interface CacheIo {
    void run() throws IOException;
  }

  /**
   * Runs {@code io} under the cache's state lock. If the SSD fails during it, the cache leaves
   * the SSD ({@link #ssdLost}: pass-through when nothing was dirty, offline otherwise), the
   * caller's buffer is put back by {@code rewind} (may be null), and {@code io} runs again in
   * that new state, so the caller sees either a clean result or {@link DeviceOfflineException}.
   */
  private void whileSsdHolds(CacheIo io, Runnable rewind) throws IOException {
    while (true) {
      SsdFailure failure;
      enter();
      try {
        io.run();
        return;
      } catch (SsdFailure f) {
        failure = f;
      } finally {
        state.readLock().unlock();
      }
      if (rewind != null) {
        rewind.run();
      }
      ssdLost(failure.getCause());
    }
  }

  /** Mapped where the backing device is mapped, and wherever a line is not yet destaged. */
  @Override
  public LbaStatus status(long lba) {
    LbaStatus below = backing.status(lba);
    if (below.mapped() || passThrough) {
      return below;
    }
    long line = lba / lineBlocks;
    Long next = dirty.ceiling(line);
    if (next == null) {
      return below;
    }
    long dirtyStart = Math.max(lba, next * lineBlocks);
    if (dirtyStart == lba) {
      long end = Math.min(blockCount(), (line + 1) * lineBlocks);
      return new LbaStatus(lba, end - lba, true);
    }
    if (dirtyStart < lba + below.blocks()) {
      return new LbaStatus(lba, dirtyStart - lba, false);
    }
    return below;
  }

  @Override
  public void close() throws IOException {
    if (destager != null) {
      destager.stop();
    }
    try {
      if (!passThrough && offline == null) {
        ssd.flush();
      }
      backing.flush();
    } finally {
      try {
        ssd.close();
      } finally {
        backing.close();
      }
    }
  }

  // ---------------------------------------------------------------- management

  public CacheMode mode() {
    return mode;
  }

  /**
   * Changes the write mode. Leaving write-back does not destage at once: dirty lines stay dirty
   * (and keep taking writes) until the destager copies them.
   */
  public void setMode(CacheMode newMode) {
    this.mode = newMode;
  }

  /**
   * Runs write-back only while {@code copiesInSync} says the SSD keeps two copies (a mirror of
   * two SSDs on two nodes, docs/high-availability.md point 2); otherwise the cache acts as
   * write-through: a write to a line not dirty goes to the backing device, and a write to a dirty
   * line (which must go to the SSD, not to shadow it) is also written through, whole line, to the
   * backing device before it returns. So every write acknowledged while the copies are not in
   * sync is on the backing device, and the destager copies the lines dirty from before at full
   * speed. Checked on every write: a mirror dropping a member switches at once, and write-back
   * resumes by itself once the member is back and resynced. {@code () -> false}: never write
   * back (one SSD in an HA engine, no copy on the other node).
   */
  public void writeBackOnlyWhile(BooleanSupplier copiesInSync) {
    this.copiesInSync = copiesInSync;
  }

  /** Whether the cache writes back now: write-back mode with both SSD copies in sync. */
  public boolean writingBack() {
    return mode == CacheMode.WRITE_BACK && copiesInSync.getAsBoolean();
  }

  /** The write mode in force: write-back only while the SSD copies are in sync. */
  private CacheMode effectiveMode() {
    CacheMode m = mode;
    return m == CacheMode.WRITE_BACK && !copiesInSync.getAsBoolean() ? CacheMode.WRITE_THROUGH : m;
  }

  public CacheCounters counters() {
    return stats.snapshot(lines.size(), dirty.size(), layout.lineCount());
  }

  /** Bytes per cache line. */
  public int lineSize() {
    return config.lineSize();
  }

  /** The cache's capacity in lines. */
  public int lineCount() {
    return layout.lineCount();
  }

  /** The state of {@code backingLine}, or null when it is not cached. */
  public LineState lineState(long backingLine) {
    CacheLine l = lines.get(backingLine);
    return l == null ? null : l.state;
  }

  /** Whether the cache has stopped using its SSD (detached, or the SSD was lost clean). */
  public boolean isPassThrough() {
    return passThrough;
  }

  /**
   * Detaches the SSD safely: switches to write-through, destages every dirty line, flushes the
   * backing device, and from then on passes every I/O straight through (the SSD is no longer
   * used; {@link #close} still closes it). I/O is paused only for the last destage pass.
   */
  public void detach() throws IOException {
    setMode(CacheMode.WRITE_THROUGH);
    destageAll();
    // Lock order everywhere: destageLock, then the state lock, then stripes.
    synchronized (destageLock) {
      state.writeLock().lock();
      try {
        throwIfOffline();
        if (passThrough) {
          return;
        }
        destageAll();
        throwIfOffline();
        backing.flush();
        passThrough = true;
        lines.clear();
        LOG.info("flash cache detached; I/O goes straight to the backing device");
      } finally {
        state.writeLock().unlock();
      }
    }
    if (destager != null) {
      destager.stop();
    }
  }

  /** Destages every dirty line (loops while writes keep dirtying lines). */
  public void destageAll() throws IOException {
    while (!dirty.isEmpty()) {
      destageBatch(Math.max(config.destageBatchLines(), 1));
      throwIfOffline();
    }
  }

  // ---------------------------------------------------------------- reads

  private void readCached(long lba, long blocks, ByteBuffer dst) throws IOException {
    if (sequential.bypass(lba, blocks, blockSize)) {
      readStream(lba, blocks, dst);
      return;
    }
    long end = lba + blocks;
    int base = dst.position();
    long passStart = -1;
    for (long cur = lba; cur < end; ) {
      long line = cur / lineBlocks;
      long segEnd = Math.min(end, (line + 1) * lineBlocks);
      ByteBuffer seg = slice(dst, base, (cur - lba) * blockSize, (segEnd - cur) * blockSize);
      boolean served = readSegment(line, cur, seg);
      if (served && passStart >= 0) {
        backing.read(passStart, slice(dst, base, (passStart - lba) * blockSize,
            (cur - passStart) * blockSize));
        passStart = -1;
      } else if (!served && passStart < 0) {
        passStart = cur;
      }
      cur = segEnd;
    }
    if (passStart >= 0) {
      backing.read(passStart, slice(dst, base, (passStart - lba) * blockSize,
          (end - passStart) * blockSize));
    }
    dst.position(base + (int) (blocks * blockSize));
  }

  /**
   * A read that belongs to a sequential stream past the cutoff: one read of the backing device
   * for the whole range (so the disk keeps streaming), then the lines that are not yet destaged
   * laid over it from the SSD. The lines' locks are held throughout, so no destage can change
   * the backing copy between the read and the overlay.
   */
  private void readStream(long lba, long blocks, ByteBuffer dst) throws IOException {
    long firstLine = lba / lineBlocks;
    long lastLine = (lba + blocks - 1) / lineBlocks;
    int base = dst.position();
    List<ReentrantLock> held = lockLines(firstLine, lastLine);
    try {
      backing.read(lba, dst.duplicate());
      for (long line = firstLine; line <= lastLine; line++) {
        CacheLine cached = lines.get(line);
        if (cached == null) {
          stats.readMisses.increment();
          stats.readBypassed.increment();
          continue;
        }
        stats.readHits.increment();
        if (cached.state.holdsUndestagedData()) {
          long from = Math.max(lba, line * lineBlocks);
          long to = Math.min(lba + blocks, (line + 1) * lineBlocks);
          ssdRead(cached.slot, (from - line * lineBlocks) * blockSize,
              slice(dst, base, (from - lba) * blockSize, (to - from) * blockSize));
        }
      }
    } finally {
      unlock(held);
    }
    dst.position(base + (int) (blocks * blockSize));
  }

  /** Serves one line's part of a read from the cache; false when the backing device must. */
  private boolean readSegment(long line, long lba, ByteBuffer seg) throws IOException {
    ReentrantLock lock = stripe(line);
    lock.lock();
    try {
      CacheLine cached = lines.get(line);
      if (cached != null) {
        ssdRead(cached.slot, (lba - line * lineBlocks) * blockSize, seg);
        lru.touch(line);
        stats.readHits.increment();
        return true;
      }
      stats.readMisses.increment();
      if (!promotion.missShouldPromote(line)) {
        return false;
      }
      int slot = allocateSlot();
      if (slot < 0) {
        return false;
      }
      ByteBuffer whole = ByteBuffer.allocate(lineBytes(line));
      try {
        backing.read(line * lineBlocks, whole);
        ssdWrite(slot, whole.flip());
      } catch (IOException | RuntimeException e) {
        freeSlots.add(slot);
        throw e;
      }
      int off = (int) ((lba - line * lineBlocks) * blockSize);
      seg.put(whole.duplicate().position(off).limit(off + seg.remaining()));
      lines.put(line, new CacheLine(line, slot, LineState.CLEAN, 0));
      lru.insert(line);
      stats.promotions.increment();
      return true;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- writes

  private void writeCached(long lba, long blocks, ByteBuffer src, boolean fua)
      throws IOException {
    boolean bypass = sequential.bypass(lba, blocks, blockSize);
    long firstLine = lba / lineBlocks;
    long lastLine = (lba + blocks - 1) / lineBlocks;
    List<ReentrantLock> held = lockLines(firstLine, lastLine);
    try {
      CacheMode m = effectiveMode();
      long end = lba + blocks;
      int base = src.position();
      long passStart = -1;
      boolean ssdWritten = false;
      for (long cur = lba; cur < end; ) {
        long line = cur / lineBlocks;
        long segEnd = Math.min(end, (line + 1) * lineBlocks);
        ByteBuffer seg = slice(src, base, (cur - lba) * blockSize, (segEnd - cur) * blockSize);
        boolean onSsd = writeSegment(line, cur, seg, m, bypass, fua);
        ssdWritten |= onSsd;
        if (onSsd && passStart >= 0) {
          writeBacking(passStart, slice(src, base, (passStart - lba) * blockSize,
              (cur - passStart) * blockSize), fua);
          passStart = -1;
        } else if (!onSsd && passStart < 0) {
          passStart = cur;
        }
        cur = segEnd;
      }
      if (passStart >= 0) {
        writeBacking(passStart, slice(src, base, (passStart - lba) * blockSize,
            (end - passStart) * blockSize), fua);
      }
      if (fua && ssdWritten) {
        ssdFlush();
        if (!copiesInSync.getAsBoolean()) {
          backing.flush(); // the dirty lines' copies written through (writeDirty)
        }
      }
      src.position(base + (int) (blocks * blockSize));
    } finally {
      unlock(held);
    }
    if (destager != null && dirty.size() > layout.lineCount() * config.dirtyWatermark()) {
      destager.wake();
    }
  }

  private void writeBacking(long lba, ByteBuffer data, boolean fua) throws IOException {
    backing.write(lba, data, fua);
  }

  /**
   * Writes one line's part of a request where it belongs. Returns true when it went to the SSD
   * only (dirty), false when the caller must write it to the backing device. Holds the line's
   * stripe lock.
   */
  private boolean writeSegment(long line, long lba, ByteBuffer seg, CacheMode m, boolean bypass,
      boolean fua) throws IOException {
    CacheLine cached = lines.get(line);
    if (cached != null && cached.state.holdsUndestagedData()) {
      return writeDirty(line, cached, lba, seg); // never shadow dirty data, whatever the mode
    }
    if (m == CacheMode.WRITE_BACK && !bypass) {
      return writeDirty(line, cached, lba, seg);
    }
    if (cached != null) {
      if (m == CacheMode.WRITE_THROUGH && !bypass) {
        // Backing first, then the clean copy: both under the line's lock.
        backing.write(lba, seg.duplicate(), fua);
        ssdWrite(cached.slot, (lba - line * lineBlocks) * blockSize, seg.duplicate());
        lru.touch(line);
        stats.writesCached.increment();
        seg.position(seg.limit());
        return true; // already written; nothing left for the caller to pass through
      }
      invalidateClean(line, cached);
    }
    stats.writesToBacking.increment();
    return false;
  }

  /**
   * Puts the new data of {@code line} on the SSD as a dirty line: the whole line image (read from
   * the SSD or, for a line not cached, from the backing device) with the segment laid over it,
   * its CRC in a DIRTY record after it. False when no slot could be freed (every line dirty):
   * then the write goes to the backing device, which is correct because the line is not cached.
   */
  private boolean writeDirty(long line, CacheLine cached, long lba, ByteBuffer seg)
      throws IOException {
    int len = lineBytes(line);
    int off = (int) ((lba - line * lineBlocks) * blockSize);
    boolean whole = off == 0 && seg.remaining() == len;
    ByteBuffer image = ByteBuffer.allocate(len);
    int slot;
    if (cached != null) {
      slot = cached.slot;
      if (!whole) {
        ssdRead(slot, 0, image);
      }
    } else {
      slot = allocateSlot();
      if (slot < 0) {
        stats.writesToBacking.increment();
        if (destager != null) {
          destager.wake();
        }
        return false;
      }
      if (!whole) {
        try {
          backing.read(line * lineBlocks, image);
        } catch (IOException | RuntimeException e) {
          freeSlots.add(slot);
          throw e;
        }
      }
    }
    ByteBuffer newBlocks = seg.duplicate();
    image.clear();
    image.position(off);
    image.put(seg);
    image.clear();
    CRC32C crc = new CRC32C();
    crc.update(image.array(), 0, len);
    int dataCrc = (int) crc.getValue();
    if (cached != null && !whole) {
      // The slot holds the rest of the line already: only the new blocks are written (a 4 KiB
      // write costs the SSD, and a mirror's remote copy, 4 KiB, not the whole line). A crash
      // mid-way leaves a slot whose CRC fails: after a DIRTY record it is kept (acknowledged
      // data with an unacknowledged write in place, as a whole-line rewrite would leave it);
      // after a CLEAN one it is dropped, and the backing device holds the line.
      ssdWrite(slot, off, newBlocks);
    } else {
      ssdWrite(slot, image.duplicate());
    }
    try {
      // No record when the line's record places say DIRTY for it already (a rewrite of a line
      // that stayed dirty): CacheMetadata#writeDirty says why recovery needs none then.
      metadata.writeDirty(slot, line, dataCrc);
    } catch (IOException e) {
      throw new SsdFailure(e);
    }
    if (!copiesInSync.getAsBoolean()) {
      // Checked after the SSD writes, so a member the mirror dropped during them counts: the
      // line is on one SSD only, so it goes to the backing device too before the write returns.
      // It stays DIRTY (the destager writes the CLEAN record after flushing the backing device).
      backing.write(line * lineBlocks, image.duplicate(), false);
    }
    if (cached == null) {
      cached = new CacheLine(line, slot, LineState.DIRTY, dataCrc);
      lines.put(line, cached);
      lru.insert(line);
      promotion.forget(line);
    } else {
      cached.state = LineState.DIRTY;
      cached.dataCrc = dataCrc;
      lru.touch(line);
    }
    dirty.add(line);
    stats.writesCached.increment();
    return true;
  }

  private void invalidateClean(long line, CacheLine cached) {
    lines.remove(line);
    lru.remove(line);
    freeSlots.add(cached.slot);
  }

  // ---------------------------------------------------------------- unmap

  private void unmapCached(long lba, long blocks) throws IOException {
    long firstLine = lba / lineBlocks;
    long lastLine = (lba + blocks - 1) / lineBlocks;
    List<ReentrantLock> held = lockLines(firstLine, lastLine);
    try {
      List<CacheLine> affected = new ArrayList<>();
      if (lastLine - firstLine + 1 <= lines.size()) {
        for (long l = firstLine; l <= lastLine; l++) {
          CacheLine c = lines.get(l);
          if (c != null) {
            affected.add(c);
          }
        }
      } else {
        for (Map.Entry<Long, CacheLine> e : lines.entrySet()) {
          if (e.getKey() >= firstLine && e.getKey() <= lastLine) {
            affected.add(e.getValue());
          }
        }
      }
      List<CacheLine> droppedDirty = new ArrayList<>();
      for (CacheLine c : affected) {
        long lineStart = c.backingLine * lineBlocks;
        long lineEnd = lineStart + lineBytes(c.backingLine) / blockSize;
        long from = Math.max(lba, lineStart);
        long to = Math.min(lba + blocks, lineEnd);
        if (from == lineStart && to == lineEnd) {
          lines.remove(c.backingLine);
          lru.remove(c.backingLine);
          if (c.state.holdsUndestagedData()) {
            droppedDirty.add(c);
          } else {
            freeSlots.add(c.slot);
          }
        } else {
          ByteBuffer zeros = ByteBuffer.allocate((int) ((to - from) * blockSize));
          if (c.state.holdsUndestagedData()) {
            writeDirty(c.backingLine, c, from, zeros);
          } else {
            ssdWrite(c.slot, (from - lineStart) * blockSize, zeros);
          }
        }
      }
      backing.unmap(lba, blocks);
      if (!droppedDirty.isEmpty()) {
        // The unmap must be durable below before the records that held newer data go away.
        backing.flush();
        for (CacheLine c : droppedDirty) {
          try {
            metadata.write(c.slot, c.backingLine, LineRecord.EMPTY, 0);
          } catch (IOException e) {
            throw new SsdFailure(e);
          }
          dirty.remove(c.backingLine);
          freeSlots.add(c.slot);
        }
      }
    } finally {
      unlock(held);
    }
  }

  // ---------------------------------------------------------------- destaging

  /**
   * Copies up to {@code max} dirty lines to the backing device, in LBA order from where the last
   * batch stopped, flushes the backing device once, then marks each line CLEAN with a record
   * unless a write dirtied it again meanwhile. Returns the number of lines made clean.
   */
  int destageBatch(int max) throws IOException {
    synchronized (destageLock) {
      SsdFailure failure;
      enter();
      try {
        return passThrough ? 0 : destageLocked(max);
      } catch (SsdFailure f) {
        failure = f;
      } finally {
        state.readLock().unlock();
      }
      ssdLost(failure.getCause());
      return 0;
    }
  }

  private int destageLocked(int max) throws IOException {
    List<CacheLine> copied = new ArrayList<>();
    for (Long line : pickDirty(max)) {
      ReentrantLock lock = stripe(line);
      lock.lock();
      try {
        CacheLine c = lines.get(line);
        if (c == null || !c.state.holdsUndestagedData()) {
          dirty.remove(line);
          continue;
        }
        ByteBuffer data = ByteBuffer.allocate(lineBytes(line));
        ssdRead(c.slot, 0, data);
        data.flip();
        // Under the line's lock, so an unmap or write of the line is ordered after this copy.
        backing.write(line * lineBlocks, data, false);
        c.state = LineState.DESTAGING;
        copied.add(c);
      } finally {
        lock.unlock();
      }
    }
    if (copied.isEmpty()) {
      return 0;
    }
    backing.flush(); // a CLEAN record may only exist once the copy is durable below
    int cleaned = 0;
    for (CacheLine c : copied) {
      ReentrantLock lock = stripe(c.backingLine);
      lock.lock();
      try {
        if (lines.get(c.backingLine) == c && c.state == LineState.DESTAGING) {
          try {
            metadata.write(c.slot, c.backingLine, LineRecord.CLEAN, 0);
          } catch (IOException e) {
            throw new SsdFailure(e);
          }
          c.state = LineState.CLEAN;
          dirty.remove(c.backingLine);
          stats.destaged.increment();
          cleaned++;
        }
      } finally {
        lock.unlock();
      }
    }
    return cleaned;
  }

  private List<Long> pickDirty(int max) {
    List<Long> picked = new ArrayList<>(max);
    Long next = dirty.ceiling(destageCursor);
    while (picked.size() < max) {
      if (next == null) {
        next = dirty.isEmpty() ? null : dirty.first();
        if (next == null || picked.contains(next)) {
          break;
        }
      }
      if (picked.contains(next)) {
        break;
      }
      picked.add(next);
      next = dirty.higher(next);
    }
    if (!picked.isEmpty()) {
      destageCursor = picked.get(picked.size() - 1) + 1;
    }
    return picked;
  }

  int dirtyLineCount() {
    return dirty.size();
  }

  /** Whether the destager works without pause: many dirty lines, or any while on one copy. */
  boolean aboveDirtyWatermark() {
    return dirty.size() > layout.lineCount() * config.dirtyWatermark()
        || (!dirty.isEmpty() && !copiesInSync.getAsBoolean());
  }

  CacheConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- slots and eviction

  /** A free SSD slot, evicting the coldest clean line if needed; -1 when every line is dirty. */
  private int allocateSlot() {
    Integer free = freeSlots.poll();
    if (free != null) {
      return free;
    }
    for (Long victim : lru.coldest(EVICTION_SCAN)) {
      ReentrantLock lock = stripe(victim);
      if (!lock.tryLock()) {
        continue; // its owner is busy; lock order forbids waiting
      }
      try {
        CacheLine c = lines.get(victim);
        if (c == null || c.state != LineState.CLEAN) {
          continue;
        }
        lines.remove(victim);
        lru.remove(victim);
        stats.evictions.increment();
        return c.slot;
      } finally {
        lock.unlock();
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------- SSD failure

  private void enter() throws DeviceOfflineException {
    state.readLock().lock();
    if (offline != null) {
      state.readLock().unlock();
      throw offlineException();
    }
  }

  private void throwIfOffline() throws DeviceOfflineException {
    if (offline != null) {
      throw offlineException();
    }
  }

  private DeviceOfflineException offlineException() {
    return new DeviceOfflineException("the flash cache SSD failed while holding data not yet "
        + "written to the backing device; the volume is offline until the SSD is restored",
        offline);
  }

  /**
   * Decides, with all I/O drained, what losing the SSD means: nothing dirty, so the backing
   * device is complete and the cache steps aside; or dirty data, so the volume goes offline.
   */
  private void ssdLost(IOException cause) throws DeviceOfflineException {
    state.writeLock().lock();
    try {
      if (offline == null && !passThrough) {
        if (dirty.isEmpty()) {
          LOG.log(Level.WARNING, "flash cache SSD failed with no dirty data; passing I/O "
              + "through to the backing device", cause);
          passThrough = true;
          lines.clear();
        } else {
          LOG.log(Level.SEVERE, "flash cache SSD failed holding " + dirty.size()
              + " dirty lines; the volume goes offline", cause);
          offline = cause;
        }
      }
    } finally {
      state.writeLock().unlock();
    }
    throwIfOffline();
  }

  /** An SSD I/O error, told apart from a backing one so the caller can decide. */
  private static final class SsdFailure extends RuntimeException {
    SsdFailure(IOException cause) {
      super(cause.getMessage(), cause, false, false);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }

  private void ssdRead(int slot, long byteOffset, ByteBuffer dst) {
    try {
      ssd.read((layout.slotOffset(slot) + byteOffset) / ssd.blockSize(), dst);
    } catch (IOException e) {
      throw new SsdFailure(e);
    }
  }

  private void ssdWrite(int slot, ByteBuffer src) {
    ssdWrite(slot, 0, src);
  }

  private void ssdWrite(int slot, long byteOffset, ByteBuffer src) {
    try {
      ssd.write((layout.slotOffset(slot) + byteOffset) / ssd.blockSize(), src, false);
    } catch (IOException e) {
      throw new SsdFailure(e);
    }
  }

  private void ssdFlush() {
    try {
      ssd.flush();
    } catch (IOException e) {
      throw new SsdFailure(e);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Bytes of backing line {@code line}: a full line except perhaps the last. */
  private int lineBytes(long line) {
    long blocks = Math.min(lineBlocks, blockCount() - line * lineBlocks);
    return (int) (blocks * blockSize);
  }

  private ReentrantLock stripe(long line) {
    return stripes[stripeIndex(line)];
  }

  /** A hash of the line number, so neighbouring lines fall into different stripes. */
  private static int stripeIndex(long line) {
    return (int) ((line * 0x9E3779B97F4A7C15L) >>> 52); // top 12 bits: 0..4095
  }

  /** Locks the stripes of lines {@code first..last} in ascending stripe order. */
  private List<ReentrantLock> lockLines(long first, long last) {
    boolean[] want = new boolean[STRIPES];
    if (last - first + 1 >= STRIPES) {
      java.util.Arrays.fill(want, true);
    } else {
      for (long l = first; l <= last; l++) {
        want[stripeIndex(l)] = true;
      }
    }
    List<ReentrantLock> held = new ArrayList<>();
    for (int i = 0; i < STRIPES; i++) {
      if (want[i]) {
        stripes[i].lock();
        held.add(stripes[i]);
      }
    }
    return held;
  }

  private static void unlock(List<ReentrantLock> held) {
    for (int i = held.size() - 1; i >= 0; i--) {
      held.get(i).unlock();
    }
  }

  private static ByteBuffer slice(ByteBuffer b, int base, long offset, long length) {
    ByteBuffer s = b.duplicate();
    s.limit(base + (int) (offset + length));
    s.position(base + (int) offset);
    return s;
  }

  private long checkRange(long lba, long bytes) {
    if (bytes % blockSize != 0) {
      throw new IllegalArgumentException(bytes + " bytes is not a whole number of blocks");
    }
    long blocks = bytes / blockSize;
    long count = blockCount();
    if (lba < 0 || lba > count || blocks > count - lba) {
      throw new IllegalArgumentException(
          "blocks " + lba + "+" + blocks + " outside the device of " + count + " blocks");
    }
    return blocks;
  }
}
