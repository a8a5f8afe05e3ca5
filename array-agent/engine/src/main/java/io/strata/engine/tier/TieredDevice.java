package io.strata.engine.tier;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.LbaStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A device over an SSD tier and an HDD tier that keeps hot extents on the SSD.
 *
 * <p>Capacity and homes: the device is as large as the HDD tier, and every logical extent has a
 * home at the same offset on the HDD. The {@link TierMap} on the SSD lists the extents that
 * currently live in an SSD slot instead; while an extent is on the SSD its HDD home is stale and
 * unused. (The SSD therefore adds speed, not capacity: simpler and always able to demote, since
 * the home is never given away. Pools that want SSD capacity to add up would allocate homes in
 * the thin-volume layer instead.)
 *
 * <p>Request path: look the extent up, read or write the tier it is on, add one to its heat.
 * Nothing else: moves happen on the mover thread ({@link #runMoverOnce}).
 *
 * <p>A move copies the extent without blocking I/O, then takes the extent's write lock, and
 * switches the map entry (persisted and flushed) only if no write touched the extent during the
 * copy; otherwise it copies again, and the third attempt copies under the lock. So a write that
 * races a move is never lost: it either lands before the copy that is kept or after the switch.
 * A crash before the map page is durable leaves the extent where it was (its copy in the new
 * place is ignored); after, in the new place, whose copy was flushed first.
 *
 * <p>Owns both devices: {@link #close} closes them.
 */
public final class TieredDevice implements BlockDevice {
  private static final Logger LOG = Logger.getLogger(TieredDevice.class.getName());
  private static final int LOCK_STRIPES = 1024;
  private static final int COPY_ATTEMPTS_WITHOUT_LOCK = 2;

  private final BlockDevice ssd;
  private final BlockDevice hdd;
  private final TierConfig config;
  private final TierMap map;
  private final HeatMap heat;
  private final PinMap pins = new PinMap();
  private final int blockSize;
  private final long extentBlocks;
  private final long movableExtents;
  private final int reserveSlots;
  private final ReentrantReadWriteLock[] locks = new ReentrantReadWriteLock[LOCK_STRIPES];
  private final LongSupplier nanoClock;
  private final Object moverLock = new Object();
  private final LongAdder promotions = new LongAdder();
  private final LongAdder demotions = new LongAdder();
  private final LongAdder ssdIos = new LongAdder();
  private final LongAdder hddIos = new LongAdder();
  private volatile long movingExtent = -1;
  private volatile boolean movingTouched;
  private long lastRunNanos;
  private double moveCreditBytes;
  private final Thread mover;
  private volatile boolean running = true;

  private TieredDevice(BlockDevice ssd, BlockDevice hdd, TierConfig config, TierMap map,
      LongSupplier nanoClock) {
    this.ssd = ssd;
    this.hdd = hdd;
    this.config = config;
    this.map = map;
    this.blockSize = hdd.blockSize();
    this.extentBlocks = config.extentSize() / blockSize;
    long extents = (hdd.blockCount() + extentBlocks - 1) / extentBlocks;
    this.movableExtents = hdd.blockCount() / extentBlocks;
    this.heat = new HeatMap((int) extents, config.heatHalfLife().toNanos());
    this.reserveSlots = (int) Math.floor(map.slots() * config.ssdReserveFraction());
    this.nanoClock = nanoClock;
    this.lastRunNanos = nanoClock.getAsLong();
    for (int i = 0; i < LOCK_STRIPES; i++) {
      locks[i] = new ReentrantReadWriteLock();
    }
    this.mover = config.backgroundMover() ? new Thread(this::moverLoop, "tier-mover") : null;
  }

  /** Opens a tiered device, formatting a blank SSD tier or loading its map. */
  public static TieredDevice open(BlockDevice ssd, BlockDevice hdd, TierConfig config)
      throws IOException {
    return open(ssd, hdd, config, System::nanoTime);
  }

  static TieredDevice open(BlockDevice ssd, BlockDevice hdd, TierConfig config,
      LongSupplier nanoClock) throws IOException {
    if (config.extentSize() % hdd.blockSize() != 0 || ssd.blockSize() > hdd.blockSize()) {
      throw new IllegalArgumentException("extent size " + config.extentSize()
          + " must be a multiple of the HDD block size " + hdd.blockSize()
          + ", and the SSD's block size " + ssd.blockSize() + " must not exceed it");
    }
    long extentBlocks = config.extentSize() / hdd.blockSize();
    long extents = (hdd.blockCount() + extentBlocks - 1) / extentBlocks;
    TierMap map = TierMap.open(ssd, config.extentSize(), extents);
    TieredDevice device = new TieredDevice(ssd, hdd, config, map, nanoClock);
    if (device.mover != null) {
      device.mover.setDaemon(true);
      device.mover.start();
    }
    return device;
  }

  // ---------------------------------------------------------------- BlockDevice

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public long blockCount() {
    return hdd.blockCount();
  }

  @Override
  public boolean thinProvisioned() {
    return hdd.thinProvisioned();
  }

  @Override
  public boolean readOnly() {
    return hdd.readOnly();
  }

  private enum Op { READ, WRITE, UNMAP }

  @Override
  public void read(long lba, ByteBuffer dst) throws IOException {
    perExtent(lba, checkRange(lba, dst.remaining()), dst, Op.READ, false);
  }

  @Override
  public void write(long lba, ByteBuffer src, boolean fua) throws IOException {
    perExtent(lba, checkRange(lba, src.remaining()), src, Op.WRITE, fua);
  }

  @Override
  public void unmap(long lba, long blocks) throws IOException {
    if (blocks > 0) {
      checkRange(lba, blocks * blockSize);
      perExtent(lba, blocks, null, Op.UNMAP, false);
    }
  }

  private void perExtent(long lba, long blocks, ByteBuffer buf, Op op, boolean fua)
      throws IOException {
    long end = lba + blocks;
    int base = buf == null ? 0 : buf.position();
    for (long cur = lba; cur < end; ) {
      long extent = cur / extentBlocks;
      long segEnd = Math.min(end, (extent + 1) * extentBlocks);
      ReentrantReadWriteLock lock = lockOf(extent);
      lock.readLock().lock();
      try {
        if (op != Op.READ && movingExtent == extent) {
          movingTouched = true;
        }
        int slot = map.slotOf(extent);
        BlockDevice dev = slot < 0 ? hdd : ssd;
        long physical = slot < 0 ? cur
            : (map.slotOffset(slot) + (cur - extent * extentBlocks) * blockSize) / ssd.blockSize();
        (slot < 0 ? hddIos : ssdIos).increment();
        if (op == Op.UNMAP) {
          dev.unmap(physical, (segEnd - cur) * blockSize / dev.blockSize());
        } else {
          ByteBuffer seg = buf.duplicate();
          seg.position(base + (int) ((cur - lba) * blockSize));
          seg.limit(base + (int) ((segEnd - lba) * blockSize));
          if (op == Op.READ) {
            dev.read(physical, seg);
          } else {
            dev.write(physical, seg, fua);
          }
        }
      } finally {
        lock.readLock().unlock();
      }
      heat.touch(extent);
      cur = segEnd;
    }
    if (buf != null) {
      buf.position(base + (int) (blocks * blockSize));
    }
  }

  @Override
  public void flush() throws IOException {
    ssd.flush();
    hdd.flush();
  }

  @Override
  public LbaStatus status(long lba) {
    long extent = lba / extentBlocks;
    long extentEnd = Math.min(blockCount(), (extent + 1) * extentBlocks);
    ReentrantReadWriteLock lock = lockOf(extent);
    lock.readLock().lock();
    try {
      int slot = map.slotOf(extent);
      if (slot < 0) {
        LbaStatus s = hdd.status(lba);
        return new LbaStatus(lba, Math.min(s.blocks(), extentEnd - lba), s.mapped());
      }
      int ratio = blockSize / ssd.blockSize();
      long physical = (map.slotOffset(slot) / blockSize + (lba - extent * extentBlocks)) * ratio;
      LbaStatus s = ssd.status(physical);
      return new LbaStatus(lba, Math.min(s.blocks() / ratio, extentEnd - lba), s.mapped());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() throws IOException {
    running = false;
    if (mover != null) {
      // Never interrupt: an interrupt during FileChannel I/O closes the channel.
      java.util.concurrent.locks.LockSupport.unpark(mover);
      try {
        mover.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      flush();
    } finally {
      try {
        ssd.close();
      } finally {
        hdd.close();
      }
    }
  }

  // ---------------------------------------------------------------- management

  /** Pins the extents that hold {@code [lba, lba+blocks)} to {@code tier} (a volume's range). */
  public void pin(long lba, long blocks, Tier tier) {
    pins.pin(lba / extentBlocks, (lba + blocks + extentBlocks - 1) / extentBlocks, tier);
  }

  /** A block range pinned to a tier. */
  public record PinnedRange(long lba, long blocks, Tier tier) {}

  /**
   * Replaces every pin with {@code ranges} at once (the layout's pinned volumes, whose extents
   * change as they are written), so the mover never sees a half-updated set.
   */
  public void replacePins(List<PinnedRange> ranges) {
    PinMap next = new PinMap();
    for (PinnedRange r : ranges) {
      next.pin(r.lba() / extentBlocks, (r.lba() + r.blocks() + extentBlocks - 1) / extentBlocks,
          r.tier());
    }
    pins.replaceWith(next);
  }

  /** The tier {@code extent} is pinned to, or null. */
  public Tier pinnedTier(long extent) {
    return pins.pinned(extent);
  }

  public void unpin(long lba, long blocks) {
    pins.unpin(lba / extentBlocks, (lba + blocks + extentBlocks - 1) / extentBlocks);
  }

  /**
   * Puts the extents of {@code [lba, lba+blocks)} on {@code tier} at once and pins them there,
   * WITHOUT copying their content: only for space whose every block the caller overwrites next
   * (a thin volume's freshly allocated extent, before its first write). The map change is durable
   * before this returns, so the write that follows lands where a restart will look for it.
   * Ranges that do not cover whole tier extents, and an SSD with no free slot, are left to the
   * mover (pinned all the same).
   *
   * @return whether every extent of the range is on {@code tier} now
   */
  public boolean placeForOverwrite(long lba, long blocks, Tier tier) throws IOException {
    pin(lba, blocks, tier);
    if (lba % extentBlocks != 0 || blocks % extentBlocks != 0) {
      return false;
    }
    boolean placed = true;
    synchronized (moverLock) { // never beside a move of the same extent
      for (long extent = lba / extentBlocks; extent < (lba + blocks) / extentBlocks; extent++) {
        ReentrantReadWriteLock lock = lockOf(extent);
        lock.writeLock().lock();
        try {
          int slot = map.slotOf(extent);
          if (tier == Tier.SSD && slot < 0) {
            int free = map.freeSlot();
            if (free < 0) {
              placed = false;
              continue;
            }
            map.set(free, extent);
            ssd.flush();
          } else if (tier == Tier.HDD && slot >= 0) {
            map.set(slot, -1);
            ssd.flush();
          }
        } finally {
          lock.writeLock().unlock();
        }
      }
    }
    return placed;
  }

  /** The tier block {@code lba} lives on now. */
  public Tier tierOfBlock(long lba) {
    return tierOf(lba / extentBlocks);
  }

  /** The tier extent {@code extent} lives on now. */
  public Tier tierOf(long extent) {
    return map.slotOf(extent) < 0 ? Tier.HDD : Tier.SSD;
  }

  /** Bytes per extent, the unit the mover moves. */
  public int extentSize() {
    return config.extentSize();
  }

  public TierCounters counters() {
    return new TierCounters(promotions.sum(), demotions.sum(), ssdIos.sum(), hddIos.sum(),
        map.usedSlots(), map.slots(), reserveSlots);
  }

  double heatOf(long extent) {
    return heat.heat(extent);
  }

  /**
   * One round of the mover: decays heat by the time since the last round, earns move credit at
   * the configured rate, plans and executes that many moves. Returns the moves made.
   */
  public int runMoverOnce() throws IOException {
    synchronized (moverLock) {
      long now = nanoClock.getAsLong();
      long elapsed = Math.max(0, now - lastRunNanos);
      lastRunNanos = now;
      heat.decay(elapsed);
      double maxCredit = Math.max(config.extentSize(),
          config.moveBytesPerSecond() * Math.max(1.0, config.moverInterval().toNanos() / 1e9));
      moveCreditBytes = Math.min(maxCredit,
          moveCreditBytes + config.moveBytesPerSecond() * (elapsed / 1e9));
      int budget = (int) (moveCreditBytes / config.extentSize());
      List<Move> plan = MovePlanner.plan(heat, map.slotsByExtent(), movableExtents, pins,
          map.slots(), reserveSlots, budget, config.swapHysteresis(), config.minPromoteHeat());
      int done = 0;
      for (Move m : plan) {
        boolean moved = m.to() == Tier.SSD ? promote(m.extent()) : demote(m.extent());
        if (moved) {
          moveCreditBytes -= config.extentSize();
          done++;
        }
      }
      return done;
    }
  }

  private void moverLoop() {
    long intervalNanos = config.moverInterval().toNanos();
    while (running) {
      java.util.concurrent.locks.LockSupport.parkNanos(intervalNanos);
      if (!running) {
        return;
      }
      try {
        runMoverOnce();
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "tier mover round failed; retrying next round", e);
      }
    }
  }

  // ---------------------------------------------------------------- moves

  private boolean promote(long extent) throws IOException {
    if (map.slotOf(extent) >= 0) {
      return false;
    }
    int slot = map.freeSlot();
    if (slot < 0) {
      return false;
    }
    long ssdLba = map.slotOffset(slot) / ssd.blockSize();
    long hddLba = extent * extentBlocks;
    moveExtent(extent, hdd, hddLba, ssd, ssdLba, slot, extent);
    promotions.increment();
    return true;
  }

  private boolean demote(long extent) throws IOException {
    int slot = map.slotOf(extent);
    if (slot < 0) {
      return false;
    }
    long ssdLba = map.slotOffset(slot) / ssd.blockSize();
    long hddLba = extent * extentBlocks;
    moveExtent(extent, ssd, ssdLba, hdd, hddLba, slot, -1);
    demotions.increment();
    return true;
  }

  /**
   * Copies the extent from one place to another and switches the map entry of {@code slot} to
   * {@code newEntry} (the extent for a promotion, -1 for a demotion) once a copy completed with
   * no write to the extent in between.
   */
  private void moveExtent(long extent, BlockDevice from, long fromLba, BlockDevice to,
      long toLba, int slot, long newEntry) throws IOException {
    ReentrantReadWriteLock lock = lockOf(extent);
    // Barrier: I/O to the extent that started before the move is over before the first copy,
    // and every write after it sees movingExtent and marks the extent touched.
    lock.writeLock().lock();
    movingExtent = extent;
    movingTouched = false;
    lock.writeLock().unlock();
    try {
      for (int attempt = 0; ; attempt++) {
        boolean underLock = attempt >= COPY_ATTEMPTS_WITHOUT_LOCK;
        if (underLock) {
          lock.writeLock().lock();
        }
        try {
          copy(from, fromLba, to, toLba);
          if (!underLock) {
            lock.writeLock().lock();
          }
          if (movingTouched && !underLock) {
            movingTouched = false;
            continue; // a write raced the copy: copy again
          }
          to.flush(); // the copy is durable before the map says it is there
          map.set(slot, newEntry);
          ssd.flush(); // and the switch is durable before any I/O goes to the new place
          return;
        } finally {
          if (lock.isWriteLockedByCurrentThread()) {
            lock.writeLock().unlock();
          }
        }
      }
    } finally {
      movingExtent = -1;
    }
  }

  private void copy(BlockDevice from, long fromLba, BlockDevice to, long toLba)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(config.extentSize());
    from.read(fromLba, buf);
    buf.flip();
    to.write(toLba, buf, false);
  }

  // ---------------------------------------------------------------- helpers

  private ReentrantReadWriteLock lockOf(long extent) {
    return locks[(int) Math.floorMod(extent, (long) LOCK_STRIPES)];
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
