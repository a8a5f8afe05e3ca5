package io.strata.engine.volume;

import static io.strata.engine.volume.MetadataState.BLOCK_SIZE;
import static io.strata.engine.volume.MetadataState.EXTENT_BLOCKS;
import static io.strata.engine.volume.MetadataState.EXTENT_BYTES;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.GrowableDevice;
import io.strata.engine.block.OutOfSpaceException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * A pool's volume metadata kept on the pool device itself, in a reserved area at its end: any
 * engine that opens the pool's drives (on this node or another) has every volume, snapshot,
 * clone, extent map and named record, and the area is mirrored or parity-protected like the data.
 *
 * <p>Layout, in 512-byte blocks of the pool device (big-endian numbers):
 *
 * <pre>
 *   [0, dataExtents * 2048)          the volumes' 1 MiB extents
 *   areaStart = dataExtents * 2048   checkpoint slot 0 (slotBlocks)
 *   areaStart + slotBlocks           checkpoint slot 1 (slotBlocks)
 *   areaStart + 2 * slotBlocks       journal (journalBlocks)
 *   ...                              unused up to the last block
 *   last block of the device         area header
 * </pre>
 *
 * <p>Area header: magic "STRMETA1" (8), version (4), format id (8, random at format), data extents
 * (8), area start (8), slot blocks (8), journal blocks (8), pool name (UTF), CRC32C (4) of
 * everything before it. Written when the pool is made, and again at the new end whenever the
 * pool grows ({@link #grow}); the last block of the device is where the header is.
 *
 * <p>A grown pool (a mirror given more pairs) keeps its slots and journal where they were: its
 * new capacity becomes extents after the area, from {@code grownStart} (the block after the
 * first header) up to the extent holding the new last block, which keeps the header. Such a
 * header is version 2: after the journal blocks come grown start (8) and grown extents (8).
 * Physical extents {@code 0..dataExtents} are at {@code pe * 2048}, the grown ones at {@code
 * grownStart + (pe - dataExtents) * 2048}. The header is moved with one FUA write before any
 * record names a new extent; an engine stopped between the pool's growth and that write finds
 * the header at one of the pool's former ends ({@link GrowableDevice}) and the grow is simply
 * asked again. The checkpoint slots keep the size they were given when the pool was made, so a
 * pool grows only while they hold two maps per extent (four times its size at first).
 *
 * <p>Checkpoint slot: first block magic "STRCKPT2" (8), version (4), format id (8), last sequence
 * number it holds (8), body length (8), CRC32C of the body (4), CRC32C of these fields (4); the body
 * ({@link MetadataState#writeTo}) from the slot's second block. A checkpoint goes to the slot that
 * does not hold the newest one: body, flush, then the first block with FUA. Opening takes the
 * valid slot with the highest sequence number, so a crash during a checkpoint (a torn body fails
 * its checksum) falls back to the previous one, whose journal records are still in place: the
 * journal starts again from its beginning only once the new checkpoint is durable.
 *
 * <p>Journal: records as in the file journal (body length (4), CRC32C (4), body = sequence number
 * (8) + the encoded {@link MetadataRecord}), except that the checksum also covers the format id
 * (records of an earlier pool on the same drives never pass it). A sync writes the blocks that
 * changed since the last one, with FUA; the block holding the tail is rewritten as records join
 * it (each block write is assumed atomic, as databases assume of their logs). Replay applies
 * records while each has a good checksum and the next sequence number; the first that does not is
 * the end (what follows is a torn write that was never acknowledged, or records older than the
 * checkpoint). A good record whose sequence number skips ahead means the metadata is corrupt.
 * After replay the stale bytes past the end are zeroed on the device, so that a record of a torn
 * write can never line up behind a new one.
 */
final class PoolMetadataArea implements MetadataLog {
  private static final Logger LOG = Logger.getLogger(PoolMetadataArea.class.getName());
  static final long HEADER_MAGIC = 0x5354524d45544131L; // "STRMETA1"
  static final long SLOT_MAGIC = 0x5354524350545432L; // "STRCPTT2"
  static final int VERSION = 1;
  /** The header of a grown area (see the class comment); slots stay version 1. */
  static final int GROWN_VERSION = 2;
  /** A pool grows only while its checkpoint slots hold this many maps per extent. */
  static final int MIN_MAPS_PER_EXTENT_AFTER_GROW = 2;
  private static final int MAX_RECORD = 1 << 16;
  private static final int CHUNK = 1 << 20;
  /**
   * How many maps may point at each physical extent on average (a volume and its snapshots and
   * clones) before a checkpoint no longer fits its slot: what sizes the slots when a pool is made.
   */
  static final int MAPS_PER_EXTENT = Integer.getInteger("strata.volume.metadataMapsPerExtent", 8);

  /** Where everything of the area is, in blocks of the pool device. */
  record Geometry(long formatId, long dataExtents, long areaStart, long slotBlocks,
      long journalBlocks, long headerLba, long grownStart, long grownExtents) {

    Geometry(long formatId, long dataExtents, long areaStart, long slotBlocks,
        long journalBlocks, long headerLba) {
      this(formatId, dataExtents, areaStart, slotBlocks, journalBlocks, headerLba, 0, 0);
    }

    /** Extents for volumes: below the area and, once grown, after it. */
    long totalExtents() {
      return dataExtents + grownExtents;
    }

    /** Where physical extent {@code pe} starts on the device. */
    long extentLba(long pe) {
      return pe < dataExtents ? pe * EXTENT_BLOCKS
          : grownStart + (pe - dataExtents) * EXTENT_BLOCKS;
    }

    /** The end of the area's own blocks (slots and journal, and the first header). */
    private long areaEnd() {
      return grownExtents == 0 ? headerLba + 1 : grownStart;
    }

    /** The area for a pool of {@code poolBlocks} blocks, sized as the class comment says. */
    static Geometry plan(long poolBlocks, int mapsPerExtent, long formatId) throws IOException {
      long extents = poolBlocks / EXTENT_BLOCKS;
      long slotBytes = roundUp((64L << 10)
          + (long) MetadataState.BYTES_PER_MAPPING * extents * mapsPerExtent, 4096);
      long journalBytes = roundUp(Math.max(256L << 10, Math.min(8L << 20, extents * 64)), 4096);
      long areaBytes = 2 * slotBytes + journalBytes + 4096;
      long dataExtents = (poolBlocks * BLOCK_SIZE - areaBytes) / EXTENT_BYTES;
      if (dataExtents < 1) {
        throw new IOException("a pool of " + poolBlocks * BLOCK_SIZE / 1024 + " KiB has no room"
            + " for its volume metadata (" + areaBytes / 1024 + " KiB) and one extent");
      }
      return new Geometry(formatId, dataExtents, dataExtents * EXTENT_BLOCKS,
          slotBytes / BLOCK_SIZE, journalBytes / BLOCK_SIZE, poolBlocks - 1);
    }

    long slotStart(int slot) {
      return areaStart + slot * slotBlocks;
    }

    long journalStart() {
      return areaStart + 2 * slotBlocks;
    }

    /** Bytes of the pool the area takes from the volumes. */
    long reservedBytes() {
      long grownEnd = grownExtents == 0 ? headerLba + 1 : grownStart + grownExtents * EXTENT_BLOCKS;
      return (areaEnd() - areaStart + headerLba + 1 - grownEnd) * BLOCK_SIZE;
    }

    byte[] encode(String poolName) {
      ByteBuffer b = ByteBuffer.allocate(BLOCK_SIZE);
      byte[] name = poolName.getBytes(StandardCharsets.UTF_8);
      b.putLong(HEADER_MAGIC).putInt(grownExtents == 0 ? VERSION : GROWN_VERSION)
          .putLong(formatId).putLong(dataExtents)
          .putLong(areaStart).putLong(slotBlocks).putLong(journalBlocks);
      if (grownExtents > 0) {
        b.putLong(grownStart).putLong(grownExtents);
      }
      b.putShort((short) name.length).put(name);
      b.putInt(crc32c(0, b.array(), b.position()));
      return b.array();
    }

    /** The geometry in header block {@code block}, or null when it holds no area header. */
    static Geometry decode(byte[] block, long headerLba, String poolName) throws IOException {
      ByteBuffer b = ByteBuffer.wrap(block);
      if (b.getLong() != HEADER_MAGIC) {
        return null;
      }
      int version = b.getInt();
      long formatId = b.getLong();
      long dataExtents = b.getLong();
      long areaStart = b.getLong();
      long slotBlocks = b.getLong();
      long journalBlocks = b.getLong();
      long grownStart = 0;
      long grownExtents = 0;
      if (version == GROWN_VERSION) {
        grownStart = b.getLong();
        grownExtents = b.getLong();
      }
      int nameLength = b.getShort();
      if (nameLength < 0 || nameLength > BLOCK_SIZE - b.position() - 4) {
        throw new MetadataCorruptException("the metadata area header of pool " + poolName
            + " is damaged (name length " + nameLength + ")");
      }
      byte[] name = new byte[nameLength];
      b.get(name);
      int end = b.position();
      if (b.getInt() != crc32c(0, block, end)) {
        throw new MetadataCorruptException("the metadata area header of pool " + poolName
            + " fails its checksum; the volume metadata will not be guessed");
      }
      if (version != VERSION && version != GROWN_VERSION) {
        throw new MetadataCorruptException("pool " + poolName + " has metadata area version "
            + version + "; this engine reads versions " + VERSION + " and " + GROWN_VERSION);
      }
      String owner = new String(name, StandardCharsets.UTF_8);
      if (!owner.equals(poolName)) {
        throw new MetadataCorruptException("the metadata area on pool " + poolName
            + " belongs to pool '" + owner + "'");
      }
      Geometry g = new Geometry(formatId, dataExtents, areaStart, slotBlocks, journalBlocks,
          headerLba, grownStart, grownExtents);
      if (dataExtents < 1 || areaStart != dataExtents * EXTENT_BLOCKS || slotBlocks < 2
          || journalBlocks < 1 || g.journalStart() + journalBlocks > g.areaEnd() - 1
          || grownExtents < 0 || grownExtents > 0 && (grownStart % EXTENT_BLOCKS != 0
              || grownStart + grownExtents * EXTENT_BLOCKS > headerLba)) {
        throw new MetadataCorruptException("the metadata area header of pool " + poolName
            + " describes an impossible layout: " + g);
      }
      return g;
    }
  }

  /** What opening found: the state after replay and the area to append to. */
  record Opened(MetadataState state, PoolMetadataArea area, int replayed) {}

  private final BlockDevice device;
  private final String poolName;
  /** Replaced when the pool grows ({@link #grow}); the slots and journal never move. */
  private volatile Geometry geometry;
  /** The journal region as it is (or is being made) on the device. */
  private final byte[] image;
  /** Guards {@link #image}, {@link #end}, {@link #dirtyFrom} and {@link #appendedSeq}. */
  private final Object imageLock = new Object();
  private int end;
  /** The first byte of the image not yet written to the device. */
  private int dirtyFrom;
  private long appendedSeq;
  private long durableSeq;
  /** The slot holding the newest durable checkpoint. */
  private int newestSlot;
  private final Object syncLock = new Object();

  private PoolMetadataArea(BlockDevice device, String poolName, Geometry geometry, byte[] image,
      int end, long seq, int newestSlot) {
    this.device = device;
    this.poolName = poolName;
    this.geometry = geometry;
    this.image = image;
    this.end = end;
    this.dirtyFrom = end;
    this.appendedSeq = seq;
    this.durableSeq = seq;
    this.newestSlot = newestSlot;
  }

  /** Whether {@code device} carries a metadata area (of any pool): its last block's magic. */
  static boolean present(BlockDevice device) throws IOException {
    byte[] block = readBlocks(device, device.blockCount() - 1, 1);
    return ByteBuffer.wrap(block).getLong() == HEADER_MAGIC;
  }

  /**
   * Makes a new, empty metadata area on {@code device} (a pool that was just made: whatever its
   * drives held before is not this pool's).
   */
  static Opened format(BlockDevice device, String poolName) throws IOException {
    checkBlockSize(device);
    Geometry g = Geometry.plan(device.blockCount(), MAPS_PER_EXTENT,
        new SecureRandom().nextLong());
    MetadataState state = new MetadataState(poolName, g.dataExtents());
    byte[] image = new byte[(int) (g.journalBlocks() * BLOCK_SIZE)];
    device.write(g.journalStart(), ByteBuffer.allocate(BLOCK_SIZE), false);
    PoolMetadataArea area = new PoolMetadataArea(device, poolName, g, image, 0, 0, 1);
    area.writeCheckpoint(0, state);
    device.write(g.headerLba(), ByteBuffer.wrap(g.encode(poolName)), true);
    device.flush();
    LOG.info("pool " + poolName + ": volume metadata area of " + g.reservedBytes() / 1024
        + " KiB made at the end of the pool (" + g.dataExtents() + " extents for volumes)");
    return new Opened(state, area, 0);
  }

  /** Opens the area on {@code device} and replays its journal; null when it has none. */
  static Opened open(BlockDevice device, String poolName) throws IOException {
    checkBlockSize(device);
    long headerLba = device.blockCount() - 1;
    Geometry g = Geometry.decode(readBlocks(device, headerLba, 1), headerLba, poolName);
    if (g == null) {
      g = headerAtFormerEnd(device, poolName);
    }
    if (g == null) {
      return null;
    }
    Slot[] slots = {readSlotHeader(device, g, 0), readSlotHeader(device, g, 1)};
    MetadataState state = null;
    int newest = -1;
    for (int attempt = 0; attempt < 2 && state == null; attempt++) {
      int best = -1;
      for (int i = 0; i < 2; i++) {
        if (slots[i] != null && (best < 0 || slots[i].seq() > slots[best].seq())) {
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      state = readSlotBody(device, g, best, slots[best], poolName);
      if (state == null) {
        slots[best] = null; // torn by a crash during a checkpoint: the other slot is older
      } else {
        newest = best;
      }
    }
    if (state == null) {
      throw new MetadataCorruptException("neither checkpoint slot of pool " + poolName
          + "'s metadata area is readable; the volume metadata is corrupt and will not be used");
    }
    if (!state.poolName().equals(poolName) || state.physicalExtents() < g.dataExtents()
        || state.physicalExtents() > g.totalExtents()) {
      throw new MetadataCorruptException("the checkpoint on pool " + poolName + " is of pool '"
          + state.poolName() + "' with " + state.physicalExtents() + " extents, the area says "
          + g.totalExtents());
    }
    if (state.physicalExtents() < g.totalExtents()) {
      state.grow(g.totalExtents()); // grown since the checkpoint: the records may use them
    }
    byte[] image = readBlocks(device, g.journalStart(), (int) g.journalBlocks());
    int[] endAndCount = replay(image, state, g.formatId(), poolName);
    int end = endAndCount[0];
    PoolMetadataArea area = new PoolMetadataArea(device, poolName, g, image, end,
        state.lastSeq(), newest);
    area.zeroPastEnd();
    return new Opened(state, area, endAndCount[1]);
  }

  /**
   * The header of a pool whose growth was interrupted before the header moved to its new end:
   * at the largest former end that holds one with a readable checkpoint slot of its format (what
   * a volume wrote at a former end that is now inside an extent has no slot to go with it).
   */
  private static Geometry headerAtFormerEnd(BlockDevice device, String poolName)
      throws IOException {
    if (!(device instanceof GrowableDevice grown)) {
      return null;
    }
    for (long blocks : grown.formerBlockCounts()) {
      Geometry g;
      try {
        g = Geometry.decode(readBlocks(device, blocks - 1, 1), blocks - 1, poolName);
      } catch (MetadataCorruptException e) {
        continue;
      }
      if (g != null && (readSlotHeader(device, g, 0) != null
          || readSlotHeader(device, g, 1) != null)) {
        LOG.info("pool " + poolName + ": volume metadata header found where the pool ended"
            + " before it grew (block " + (blocks - 1) + "); the grow is completed when asked again");
        return g;
      }
    }
    return null;
  }

  /**
   * The pool grew to {@code deviceBlocks}: its capacity after the area becomes extents, and the
   * header is written (one FUA block) at the new last block, which from then on is where it is.
   * Returns the extents for volumes now. Refused when the checkpoint slots, sized when the pool
   * was made, would hold fewer than {@link #MIN_MAPS_PER_EXTENT_AFTER_GROW} maps per extent.
   */
  long grow(long deviceBlocks) throws IOException {
    Geometry g = geometry;
    long grownStart = g.grownExtents() == 0 ? g.headerLba() + 1 : g.grownStart();
    long headerLba = deviceBlocks - 1;
    long grownExtents = (headerLba - grownStart) / EXTENT_BLOCKS;
    if (grownExtents <= g.grownExtents()) {
      return g.totalExtents(); // nothing new (or less than an extent more)
    }
    long total = g.dataExtents() + grownExtents;
    long slotBytes = (g.slotBlocks() - 1) * BLOCK_SIZE;
    if ((64L << 10) + (long) MetadataState.BYTES_PER_MAPPING * total
        * MIN_MAPS_PER_EXTENT_AFTER_GROW > slotBytes) {
      throw new IllegalArgumentException("pool " + poolName + " cannot grow to " + total
          + " extents: its volume metadata was sized for " + g.dataExtents() + " when it was made"
          + " (a pool grows to about " + MAPS_PER_EXTENT / MIN_MAPS_PER_EXTENT_AFTER_GROW
          + " times its first size)");
    }
    Geometry next = new Geometry(g.formatId(), g.dataExtents(), g.areaStart(), g.slotBlocks(),
        g.journalBlocks(), headerLba, grownStart, grownExtents);
    device.write(headerLba, ByteBuffer.wrap(next.encode(poolName)), true);
    device.flush();
    geometry = next;
    LOG.info("pool " + poolName + ": volume metadata now has " + total + " extents for volumes"
        + " (" + grownExtents + " after the area)");
    return total;
  }

  /** The pool device's size now (grown, when it grew). */
  long deviceBlocks() {
    return device.blockCount();
  }

  /** Where physical extent {@code pe} starts on the pool device. */
  long extentLba(long pe) {
    return geometry.extentLba(pe);
  }

  /**
   * Applies the journal's records that follow the checkpoint; returns where the journal ends and
   * how many records were applied.
   */
  private static int[] replay(byte[] image, MetadataState state, long formatId, String poolName)
      throws IOException {
    ByteBuffer b = ByteBuffer.wrap(image);
    int pos = 0;
    int replayed = 0;
    while (pos + 8 <= image.length) {
      int length = b.getInt(pos);
      int crc = b.getInt(pos + 4);
      if (length == 0 && crc == 0) {
        break; // never written since the area was made or zeroed
      }
      if (length < 9 || length > MAX_RECORD || pos + 8L + length > image.length
          || crc32c(formatId, image, pos + 8, length) != crc) {
        LOG.warning("pool " + poolName + ": the metadata journal ends at byte " + pos
            + " (what follows is a torn write, never acknowledged, or older than the checkpoint)");
        break;
      }
      DataInputStream in = new DataInputStream(
          new ByteArrayInputStream(image, pos + 8, length));
      long seq = in.readLong();
      if (seq <= state.lastSeq()) {
        break; // a record from before the checkpoint: the journal was started again after it
      }
      if (seq != state.lastSeq() + 1) {
        throw new MetadataCorruptException("the metadata journal of pool " + poolName
            + ": record " + seq + " follows record " + state.lastSeq());
      }
      MetadataRecord record;
      try {
        record = MetadataRecord.decode(in);
      } catch (IOException e) {
        throw new MetadataCorruptException("the metadata journal of pool " + poolName
            + ": unreadable record " + seq + " despite a good checksum: " + e.getMessage());
      }
      String wrong = state.check(record);
      if (wrong != null) {
        throw new MetadataCorruptException("the metadata journal of pool " + poolName
            + ": record " + seq + " cannot apply: " + wrong);
      }
      state.apply(record);
      state.setLastSeq(seq);
      replayed++;
      pos += 8 + length;
    }
    return new int[] {pos, replayed};
  }

  /** Zeroes the journal past its end, in memory and on the device (see the class comment). */
  private void zeroPastEnd() throws IOException {
    int last = image.length;
    while (last > end && image[last - 1] == 0) {
      last--;
    }
    if (last <= end) {
      return;
    }
    Arrays.fill(image, end, last, (byte) 0);
    int from = end / BLOCK_SIZE * BLOCK_SIZE;
    int to = roundUpInt(last, BLOCK_SIZE);
    writeChunked(geometry.journalStart() + from / BLOCK_SIZE, image, from, to - from);
    device.flush();
  }

  private record Slot(long seq, long length, int crc) {}

  private static Slot readSlotHeader(BlockDevice device, Geometry g, int slot) throws IOException {
    byte[] block = readBlocks(device, g.slotStart(slot), 1);
    ByteBuffer b = ByteBuffer.wrap(block);
    if (b.getLong() != SLOT_MAGIC || b.getInt() != VERSION || b.getLong() != g.formatId()) {
      return null; // never written since the pool was made
    }
    long seq = b.getLong();
    long length = b.getLong();
    int crc = b.getInt();
    int end = b.position();
    if (b.getInt() != crc32c(0, block, end) || length < 0
        || length > (g.slotBlocks() - 1) * BLOCK_SIZE) {
      return null; // torn
    }
    return new Slot(seq, length, crc);
  }

  /** The state in {@code slot}, or null when its body fails the checksum (a torn checkpoint). */
  private static MetadataState readSlotBody(BlockDevice device, Geometry g, int index, Slot slot,
      String poolName) throws IOException {
    int blocks = (int) ((slot.length() + BLOCK_SIZE - 1) / BLOCK_SIZE);
    byte[] body = readBlocks(device, g.slotStart(index) + 1, blocks);
    if (crc32c(0, body, (int) slot.length()) != slot.crc()) {
      LOG.warning("pool " + poolName + ": checkpoint slot " + index + " fails its checksum (a"
          + " checkpoint torn by a crash); using the other slot and its journal");
      return null;
    }
    String where = "checkpoint slot " + index + " of pool " + poolName;
    MetadataState state = MetadataState.fromCheckpointBody(body, (int) slot.length(), where);
    if (state.lastSeq() != slot.seq()) {
      throw new MetadataCorruptException(where + " says it holds record " + slot.seq()
          + " but its body holds " + state.lastSeq());
    }
    return state;
  }

  /** Writes {@code state} to {@code slot}: body, flush, then its first block with FUA. */
  private void writeCheckpoint(int slot, MetadataState state) throws IOException {
    byte[] body = state.checkpointBody();
    if (body.length > checkpointCapacity()) {
      throw new OutOfSpaceException("the volume metadata of pool " + poolName + " ("
          + body.length + " bytes) no longer fits its checkpoint slot (" + checkpointCapacity()
          + " bytes)");
    }
    int padded = roundUpInt(body.length, BLOCK_SIZE);
    writeChunked(geometry.slotStart(slot) + 1, Arrays.copyOf(body, padded), 0, padded);
    device.flush();
    ByteBuffer head = ByteBuffer.allocate(BLOCK_SIZE);
    head.putLong(SLOT_MAGIC).putInt(VERSION).putLong(geometry.formatId())
        .putLong(state.lastSeq()).putLong(body.length).putInt(crc32c(0, body, body.length));
    head.putInt(crc32c(0, head.array(), head.position()));
    device.write(geometry.slotStart(slot), head.clear(), true);
    newestSlot = slot;
  }

  private void writeChunked(long lba, byte[] bytes, int from, int length) throws IOException {
    for (int done = 0; done < length; done += CHUNK) {
      int n = Math.min(CHUNK, length - done);
      device.write(lba + done / BLOCK_SIZE, ByteBuffer.wrap(bytes, from + done, n).slice(),
          false);
    }
  }

  // ------------------------------------------------------------------ MetadataLog

  @Override
  public long append(MetadataRecord record) throws IOException {
    byte[] framed;
    synchronized (imageLock) {
      long seq = appendedSeq + 1;
      framed = frame(seq, record);
      if (end + framed.length > image.length) {
        throw new IOException("the metadata journal of pool " + poolName + " is full");
      }
      System.arraycopy(framed, 0, image, end, framed.length);
      end += framed.length;
      appendedSeq = seq;
      return seq;
    }
  }

  private byte[] frame(long seq, MetadataRecord record) {
    byte[] encoded = record.encode();
    ByteBuffer framed = ByteBuffer.allocate(16 + encoded.length);
    framed.putInt(8 + encoded.length).putInt(0).putLong(seq).put(encoded);
    framed.putInt(4, crc32c(geometry.formatId(), framed.array(), 8, 8 + encoded.length));
    return framed.array();
  }

  @Override
  public void sync(long seq) throws IOException {
    synchronized (syncLock) {
      if (durableSeq >= seq) {
        return;
      }
      long target;
      int from;
      byte[] blocks;
      synchronized (imageLock) {
        target = appendedSeq;
        from = dirtyFrom / BLOCK_SIZE * BLOCK_SIZE;
        blocks = Arrays.copyOfRange(image, from, roundUpInt(end, BLOCK_SIZE));
        dirtyFrom = end;
      }
      try {
        if (blocks.length > 0) {
          device.write(geometry.journalStart() + from / BLOCK_SIZE, ByteBuffer.wrap(blocks),
              true);
        }
      } catch (IOException | RuntimeException e) {
        synchronized (imageLock) {
          dirtyFrom = Math.min(dirtyFrom, from); // written again by the next sync
        }
        throw e;
      }
      durableSeq = target;
    }
  }

  @Override
  public long durableSeq() {
    synchronized (syncLock) {
      return durableSeq;
    }
  }

  @Override
  public boolean fits(MetadataRecord record) {
    synchronized (imageLock) {
      return end + 16 + record.encode().length <= image.length;
    }
  }

  @Override
  public boolean checkpointDue() {
    synchronized (imageLock) {
      return end > Math.min(VolumeStore.CHECKPOINT_BYTES, image.length * 3L / 4);
    }
  }

  @Override
  public long checkpointCapacity() {
    return (geometry.slotBlocks() - 1) * BLOCK_SIZE;
  }

  @Override
  public void checkpoint(MetadataState state) throws IOException {
    synchronized (syncLock) {
      writeCheckpoint(1 - newestSlot, state);
      synchronized (imageLock) {
        durableSeq = appendedSeq;
        Arrays.fill(image, 0, end, (byte) 0);
        end = 0;
        dirtyFrom = 0;
      }
    }
  }

  @Override
  public void abandon() {
    // nothing is held open: what a kill leaves behind is what reached the device
  }

  @Override
  public void close() throws IOException {
    sync(Long.MAX_VALUE);
    device.flush();
  }

  @Override
  public String where() {
    return "the metadata area at the end of pool " + poolName;
  }

  Geometry geometry() {
    return geometry;
  }

  // ------------------------------------------------------------------ helpers

  private static void checkBlockSize(BlockDevice device) {
    if (device.blockSize() != BLOCK_SIZE) {
      throw new IllegalArgumentException("pools of " + device.blockSize() + "-byte blocks");
    }
  }

  private static byte[] readBlocks(BlockDevice device, long lba, int blocks) throws IOException {
    byte[] bytes = new byte[blocks * BLOCK_SIZE];
    for (int done = 0; done < bytes.length; done += CHUNK) {
      int n = Math.min(CHUNK, bytes.length - done);
      device.read(lba + done / BLOCK_SIZE, ByteBuffer.wrap(bytes, done, n).slice());
    }
    return bytes;
  }

  /** CRC32C of {@code length} bytes of {@code bytes} from 0, seeded with {@code formatId}. */
  private static int crc32c(long formatId, byte[] bytes, int length) {
    return crc32c(formatId, bytes, 0, length);
  }

  private static int crc32c(long formatId, byte[] bytes, int from, int length) {
    CRC32C crc = new CRC32C();
    if (formatId != 0) {
      crc.update(ByteBuffer.allocate(8).putLong(formatId).flip());
    }
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }

  private static long roundUp(long n, long unit) {
    return (n + unit - 1) / unit * unit;
  }

  private static int roundUpInt(int n, int unit) {
    return (n + unit - 1) / unit * unit;
  }
}
