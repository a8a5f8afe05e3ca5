package io.strata.engine.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * The stripe journal of a degraded parity pool (what md's PPL and raid5 journal are for): before
 * a write into a stripe one of whose data units is missing, the missing units' contents over the
 * range written (as they will be after the write) are made durable on every member that takes
 * writes. A crash between the write's data and its parity then loses nothing: at the next start
 * each record's stripe gets P (and Q) recomputed from the data still present and the journalled
 * units, so the missing unit reads what it held (or, if it was the one written, the new data),
 * never the XOR of a half-made stripe.
 *
 * <p>Without it the write-intent bitmap is no help once a data unit is gone: recomputing parity
 * needs every data unit, and the missing one is known only through the (possibly stale) parity.
 *
 * <p>Stored in the label area of every member, blocks {@link #FIRST_BLOCK} to the data offset,
 * as fixed slots of one header block and up to {@code parities} stripe units: magic "STRATASJ",
 * sequence number, the pool's label generation, the oldest sequence still in flight when it was
 * written, stripe, member LBA, length, the data unit indexes, CRC32C over header and payload. A
 * record is valid at start if its checksum holds, it is not older than the oldest record in
 * flight when the newest one was written (an older one was finished and may since have been
 * overwritten by a newer write of its stripe in a reused slot) and not older than the last time
 * every member was in sync (it belongs to an earlier degraded spell that is over). A slot is
 * reused only after its write finished; the next record's forced write then also makes that
 * write durable on every member (a forced write flushes the whole drive).
 */
final class StripeJournal {
  static final long MAGIC = 0x535452415441534AL; // "STRATASJ"
  /** After the write-intent bitmap (blocks 8 to 1023) and the scrub checkpoint (1032). */
  static final long FIRST_BLOCK = 1040;
  static final long AREA_BLOCKS = Pool.DATA_OFFSET_BLOCKS - FIRST_BLOCK;
  private static final int HEADER_FIXED = 8 * 6 + 4 + 4;

  /** How the journal writes a member (the pool drops a member that fails). */
  @FunctionalInterface
  interface MemberWriter {
    void write(int member, long lba, ByteBuffer src) throws IOException;
  }

  /** A record read back at start. */
  record Entry(long seq, long generation, long oldestLive, long stripe, long memberLba,
      int[] units, byte[][] values) {
    /** The journalled value of data unit {@code unit}, or null. */
    byte[] valueOf(int unit) {
      for (int k = 0; k < units.length; k++) {
        if (units[k] == unit) {
          return values[k];
        }
      }
      return null;
    }
  }

  /** A record being written or guarding a write: its slot and sequence number. */
  record Ticket(int slot, long seq) {}

  private final int slotBlocks;
  private final int slots;
  private final boolean[] busy;
  private final TreeSet<Long> live = new TreeSet<>();
  private long lastSeq;

  StripeJournal(int maxUnits, int unitBlocks) {
    this.slotBlocks = 1 + maxUnits * unitBlocks;
    this.slots = (int) (AREA_BLOCKS / slotBlocks);
    this.busy = new boolean[slots];
  }

  int slots() {
    return slots;
  }

  /**
   * Makes a record durable (forced) on each of {@code members} and returns its ticket, to
   * {@link #release} once the stripe's writes are done. Waits while every slot is taken.
   */
  Ticket record(long generation, long stripe, long memberLba, int[] units, byte[][] values,
      List<Integer> members, MemberWriter writer) throws IOException {
    Ticket ticket;
    long oldest;
    synchronized (this) {
      int slot;
      while ((slot = freeSlot()) < 0) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("waiting for a stripe journal slot");
        }
      }
      busy[slot] = true;
      ticket = new Ticket(slot, ++lastSeq);
      live.add(ticket.seq());
      oldest = live.first();
    }
    ByteBuffer image = encode(ticket.seq(), generation, oldest, stripe, memberLba, units, values);
    try {
      for (int m : members) {
        writer.write(m, FIRST_BLOCK + (long) ticket.slot() * slotBlocks, image.duplicate());
      }
    } catch (IOException | RuntimeException e) {
      release(ticket);
      throw e;
    }
    return ticket;
  }

  private int freeSlot() {
    for (int s = 0; s < slots; s++) {
      if (!busy[s]) {
        return s;
      }
    }
    return -1;
  }

  /** The write the record guarded is done (or failed): its slot may be reused. */
  synchronized void release(Ticket ticket) {
    busy[ticket.slot()] = false;
    live.remove(ticket.seq());
    notifyAll();
  }

  private static ByteBuffer encode(long seq, long generation, long oldest, long stripe,
      long memberLba, int[] units, byte[][] values) {
    int bytes = values[0].length;
    ByteBuffer b = ByteBuffer.allocate(Pool.BLOCK_SIZE + units.length * bytes);
    b.putLong(MAGIC).putLong(seq).putLong(generation).putLong(oldest).putLong(stripe)
        .putLong(memberLba).putInt(bytes).putInt(units.length);
    for (int u : units) {
      b.putInt(u);
    }
    b.position(Pool.BLOCK_SIZE);
    for (byte[] v : values) {
      b.put(v);
    }
    b.putInt(Pool.BLOCK_SIZE - 4, crc(b.array(), 0, b.capacity()));
    return b.clear();
  }

  private static int crc(byte[] area, int at, int length) {
    CRC32C crc = new CRC32C();
    crc.update(area, at, Pool.BLOCK_SIZE - 4);
    crc.update(area, at + Pool.BLOCK_SIZE, length - Pool.BLOCK_SIZE);
    return (int) crc.getValue();
  }

  /**
   * The records that still guard a stripe, oldest first, from the journal areas of members
   * ({@code areas}: each member's blocks from {@link #FIRST_BLOCK}, as read): valid, not older
   * than the oldest in flight when the newest was written, and written at a generation of at
   * least {@code sinceGeneration}. Also continues the sequence after every record seen.
   */
  synchronized List<Entry> load(List<ByteBuffer> areas, long sinceGeneration) {
    TreeMap<Long, Entry> found = new TreeMap<>();
    for (ByteBuffer area : areas) {
      for (int s = 0; s < slots; s++) {
        Entry e = decode(area, s * slotBlocks * Pool.BLOCK_SIZE);
        if (e != null) {
          found.putIfAbsent(e.seq(), e);
        }
      }
    }
    if (found.isEmpty()) {
      return List.of();
    }
    lastSeq = Math.max(lastSeq, found.lastKey());
    long floor = found.lastEntry().getValue().oldestLive();
    List<Entry> out = new ArrayList<>();
    for (Entry e : found.values()) {
      if (e.seq() >= floor && e.generation() >= sinceGeneration) {
        out.add(e);
      }
    }
    out.sort(Comparator.comparingLong(Entry::seq));
    return out;
  }

  /** Whether any slot of {@code area} holds something (a record, valid or torn). */
  boolean anyWritten(ByteBuffer area) {
    for (int s = 0; s < slots; s++) {
      if (area.getLong(s * slotBlocks * Pool.BLOCK_SIZE) == MAGIC) {
        return true;
      }
    }
    return false;
  }

  private Entry decode(ByteBuffer area, int at) {
    if (area.getLong(at) != MAGIC) {
      return null;
    }
    int bytes = area.getInt(at + 48);
    int count = area.getInt(at + 52);
    if (bytes <= 0 || bytes % Pool.BLOCK_SIZE != 0 || count <= 0
        || 1 + (long) count * bytes / Pool.BLOCK_SIZE > slotBlocks
        || HEADER_FIXED + 4L * count > Pool.BLOCK_SIZE - 4) {
      return null;
    }
    int length = Pool.BLOCK_SIZE + count * bytes;
    if (area.getInt(at + Pool.BLOCK_SIZE - 4) != crc(area.array(), at, length)) {
      return null; // torn: its stripe's writes had not started
    }
    int[] units = new int[count];
    byte[][] values = new byte[count][bytes];
    for (int k = 0; k < count; k++) {
      units[k] = area.getInt(at + HEADER_FIXED + 4 * k);
      area.get(at + Pool.BLOCK_SIZE + k * bytes, values[k]);
    }
    return new Entry(area.getLong(at + 8), area.getLong(at + 16), area.getLong(at + 24),
        area.getLong(at + 32), area.getLong(at + 40), units, values);
  }
}
