package io.strata.engine.tier;

import io.strata.engine.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Which logical extents live on the SSD, and in which slot: the persistent half of the extent
 * map (an extent not listed lives at its home on the HDD, the same offset as its logical one).
 *
 * <p>Stored at the head of the SSD tier device:
 *
 * <pre>
 *   unit 0                superblock: magic, version, extent size, slots, logical extents, CRC32C
 *   units 1 .. 2P         P table pages, each twice (A, B); a page holds 509 slot entries
 *                         (extent + 1, or 0 for a free slot), a sequence number and a CRC32C
 *   data start ..         the slots, aligned to the extent size
 * </pre>
 *
 * A change rewrites one page into its older copy, so a torn write leaves the other copy, which
 * has the state before the change: the move it belonged to simply did not happen. Only the
 * mover changes the map, one entry at a time.
 */
final class TierMap {
  static final int UNIT = 4096;
  static final int ENTRIES_PER_PAGE = 509;
  private static final int PAGE_HEADER = 16;
  private static final int PAGE_CRC_AT = PAGE_HEADER + ENTRIES_PER_PAGE * 8;
  private static final long MAGIC = io.strata.engine.pool.DriveLabel.TIER_MAGIC;
  private static final int VERSION = 1;
  private static final int SUPER_FIELDS = 8 + 4 + 4 + 4 + 8;

  private final BlockDevice ssd;
  private final int extentSize;
  private final int slots;
  private final long dataStart;
  private final long[] slotToExtent;
  private final int[] extentToSlot;
  private final long[] pageSeq;
  private final int[] pageCopy;

  private TierMap(BlockDevice ssd, int extentSize, int slots, long logicalExtents) {
    this.ssd = ssd;
    this.extentSize = extentSize;
    this.slots = slots;
    this.dataStart = dataStart(slots, extentSize);
    this.slotToExtent = new long[slots];
    Arrays.fill(slotToExtent, -1);
    this.extentToSlot = new int[(int) logicalExtents];
    Arrays.fill(extentToSlot, -1);
    int pages = pages(slots);
    this.pageSeq = new long[pages];
    this.pageCopy = new int[pages];
  }

  private static int pages(int slots) {
    return (slots + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE;
  }

  private static long dataStart(int slots, int extentSize) {
    long meta = (1L + 2L * pages(slots)) * UNIT;
    return (meta + extentSize - 1) / extentSize * extentSize;
  }

  /** Opens the map on {@code ssd}: formats a blank device, loads and checks a formatted one. */
  static TierMap open(BlockDevice ssd, int extentSize, long logicalExtents) throws IOException {
    if (logicalExtents > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many extents: " + logicalExtents);
    }
    ByteBuffer unit = ByteBuffer.allocate(UNIT);
    ssd.read(0, unit);
    if (isBlank(unit)) {
      return format(ssd, extentSize, logicalExtents);
    }
    CRC32C crc = new CRC32C();
    crc.update(unit.array(), 0, SUPER_FIELDS);
    if (unit.getLong(0) != MAGIC || unit.getInt(SUPER_FIELDS) != (int) crc.getValue()
        || unit.getInt(8) != VERSION) {
      throw new TierMapException("the SSD tier's superblock is not a Strata tier map or fails "
          + "its checksum; refusing to use it");
    }
    int storedExtent = unit.getInt(12);
    int slots = unit.getInt(16);
    long storedExtents = unit.getLong(20);
    if (storedExtent != extentSize) {
      throw new TierMapException("the SSD tier was formatted with " + storedExtent
          + "-byte extents, not " + extentSize);
    }
    if (storedExtents > logicalExtents) {
      throw new TierMapException("the SSD tier belongs to a device of " + storedExtents
          + " extents; this one has " + logicalExtents);
    }
    TierMap map = new TierMap(ssd, extentSize, slots, logicalExtents);
    map.loadPages();
    return map;
  }

  private static boolean isBlank(ByteBuffer unit) {
    for (int i = 0; i < unit.limit(); i++) {
      if (unit.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static TierMap format(BlockDevice ssd, int extentSize, long logicalExtents)
      throws IOException {
    long bytes = ssd.blockCount() * ssd.blockSize();
    int slots = (int) Math.min(Integer.MAX_VALUE, bytes / extentSize);
    while (slots > 0 && dataStart(slots, extentSize) + (long) slots * extentSize > bytes) {
      slots--;
    }
    if (slots < 1) {
      throw new IllegalArgumentException("an SSD tier of " + bytes
          + " bytes cannot hold one " + extentSize + "-byte extent and its map");
    }
    TierMap map = new TierMap(ssd, extentSize, slots, logicalExtents);
    for (int p = 0; p < map.pageSeq.length; p++) {
      map.writePage(p, 0, 1);
      map.writePage(p, 1, 0);
      map.pageSeq[p] = 1;
      map.pageCopy[p] = 0;
    }
    ssd.flush();
    ByteBuffer sb = ByteBuffer.allocate(UNIT);
    sb.putLong(MAGIC).putInt(VERSION).putInt(extentSize).putInt(slots).putLong(logicalExtents);
    CRC32C crc = new CRC32C();
    crc.update(sb.array(), 0, SUPER_FIELDS);
    sb.putInt((int) crc.getValue());
    ssd.write(0, sb.clear(), true);
    ssd.flush();
    return map;
  }

  private void loadPages() throws IOException {
    for (int p = 0; p < pageSeq.length; p++) {
      long bestSeq = -1;
      ByteBuffer best = null;
      for (int copy = 0; copy < 2; copy++) {
        ByteBuffer page = ByteBuffer.allocate(UNIT);
        ssd.read(pageOffset(p, copy) / ssd.blockSize(), page);
        CRC32C crc = new CRC32C();
        crc.update(page.array(), 0, PAGE_CRC_AT);
        if (page.getInt(PAGE_CRC_AT) != (int) crc.getValue() || page.getInt(8) != p) {
          continue;
        }
        long seq = page.getLong(0);
        if (seq > bestSeq) {
          bestSeq = seq;
          best = page;
          pageCopy[p] = copy;
        }
      }
      if (best == null) {
        throw new TierMapException("both copies of tier map page " + p
            + " fail their checksum; refusing to guess where extents live");
      }
      pageSeq[p] = bestSeq;
      for (int i = 0; i < ENTRIES_PER_PAGE; i++) {
        int slot = p * ENTRIES_PER_PAGE + i;
        long entry = best.getLong(PAGE_HEADER + i * 8);
        if (slot >= slots || entry == 0) {
          continue;
        }
        long extent = entry - 1;
        if (extent < 0 || extent >= extentToSlot.length || extentToSlot[(int) extent] >= 0) {
          throw new TierMapException("tier map slot " + slot + " names extent " + extent
              + ", which is out of range or already placed");
        }
        slotToExtent[slot] = extent;
        extentToSlot[(int) extent] = slot;
      }
    }
  }

  private long pageOffset(int page, int copy) {
    return (1L + 2L * page + copy) * UNIT;
  }

  private void writePage(int p, int copy, long seq) throws IOException {
    ByteBuffer page = ByteBuffer.allocate(UNIT);
    page.putLong(seq).putInt(p).putInt(0);
    for (int i = 0; i < ENTRIES_PER_PAGE; i++) {
      int slot = p * ENTRIES_PER_PAGE + i;
      page.putLong(slot < slots ? slotToExtent[slot] + 1 : 0);
    }
    CRC32C crc = new CRC32C();
    crc.update(page.array(), 0, PAGE_CRC_AT);
    page.putInt(PAGE_CRC_AT, (int) crc.getValue());
    page.clear();
    ssd.write(pageOffset(p, copy) / ssd.blockSize(), page, false);
  }

  /** Records that {@code extent} now lives in {@code slot} (or nowhere on SSD, extent = -1). */
  synchronized void set(int slot, long extent) throws IOException {
    long old = slotToExtent[slot];
    slotToExtent[slot] = extent;
    int p = slot / ENTRIES_PER_PAGE;
    int copy = 1 - pageCopy[p];
    try {
      writePage(p, copy, pageSeq[p] + 1);
    } catch (IOException e) {
      slotToExtent[slot] = old;
      throw e;
    }
    pageSeq[p]++;
    pageCopy[p] = copy;
    if (old >= 0) {
      extentToSlot[(int) old] = -1;
    }
    if (extent >= 0) {
      extentToSlot[(int) extent] = slot;
    }
  }

  /** The slot of {@code extent}, or -1 when it is at home (including extents added by growth). */
  int slotOf(long extent) {
    return extent < extentToSlot.length ? extentToSlot[(int) extent] : -1;
  }

  int[] slotsByExtent() {
    return extentToSlot;
  }

  synchronized int freeSlot() {
    for (int s = 0; s < slots; s++) {
      if (slotToExtent[s] < 0) {
        return s;
      }
    }
    return -1;
  }

  synchronized int usedSlots() {
    int n = 0;
    for (long e : slotToExtent) {
      if (e >= 0) {
        n++;
      }
    }
    return n;
  }

  int slots() {
    return slots;
  }

  /** Byte offset of {@code slot} on the SSD. */
  long slotOffset(int slot) {
    return dataStart + (long) slot * extentSize;
  }
}
