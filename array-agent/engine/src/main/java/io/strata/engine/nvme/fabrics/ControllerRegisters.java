package io.strata.engine.nvme.fabrics;

import io.strata.engine.nvme.command.Status;

/**
 * The controller properties a host reads and writes with Property Get/Set (fabrics have no
 * registers): CAP, VS, CC and CSTS. Enabling sets CSTS.RDY; disabling resets the controller (its
 * I/O queues go); a shutdown notification flushes every namespace and reports shutdown complete.
 */
public final class ControllerRegisters {
  public static final int CAP = 0x00;
  public static final int VS = 0x08;
  public static final int CC = 0x14;
  public static final int CSTS = 0x1C;

  /** Entries per queue the controller supports, 0's based (128). */
  public static final int MAX_QUEUE_ENTRIES = 127;
  /** NVMe 1.3: what the Identify data here describes. */
  public static final int VERSION = 0x00010300;

  private static final long CAP_VALUE =
      MAX_QUEUE_ENTRIES // MQES
          | 1L << 16 // CQR: queues must be contiguous (required for fabrics)
          | 15L << 24 // TO: ready within 7.5 s (units of 500 ms)
          | 1L << 37; // CSS: the NVM command set; MPSMIN = MPSMAX = 0 (4 KiB pages)

  private final Runnable flushAll;
  private final Runnable reset;
  private int cc;
  private int csts;

  ControllerRegisters(Runnable flushAll, Runnable reset) {
    this.flushAll = flushAll;
    this.reset = reset;
  }

  /** Result of a Property Get: the value, or the status when the property does not exist. */
  public record Value(int status, long value) {}

  public synchronized Value get(int offset, boolean eightBytes) {
    return switch (offset) {
      case CAP -> new Value(Status.SUCCESS, eightBytes ? CAP_VALUE : CAP_VALUE & 0xFFFFFFFFL);
      case VS -> fourBytes(eightBytes, VERSION);
      case CC -> fourBytes(eightBytes, cc);
      case CSTS -> fourBytes(eightBytes, csts);
      default -> new Value(Status.INVALID_FIELD, 0);
    };
  }

  private static Value fourBytes(boolean eightBytes, int value) {
    return eightBytes ? new Value(Status.INVALID_FIELD, 0)
        : new Value(Status.SUCCESS, Integer.toUnsignedLong(value));
  }

  /** Property Set; only CC is writable. Returns the status. */
  public int set(int offset, boolean eightBytes, long value) {
    if (offset != CC || eightBytes) {
      return Status.INVALID_FIELD;
    }
    boolean flush = false;
    boolean resetNow = false;
    synchronized (this) {
      int next = (int) value;
      boolean wasEnabled = (cc & 1) != 0;
      boolean enable = (next & 1) != 0;
      int shutdown = (next >> 14) & 0x3;
      cc = next;
      if (enable && !wasEnabled) {
        csts = 1; // RDY, shutdown status cleared
      } else if (!enable && wasEnabled) {
        csts = 0;
        resetNow = true;
      }
      if (shutdown != 0) {
        flush = true;
        csts = (csts & ~0xC) | (2 << 2); // SHST: shutdown processing complete
      }
    }
    // Outside the lock: these close queues and write to drives.
    if (flush) {
      flushAll.run();
    }
    if (resetNow) {
      reset.run();
    }
    return Status.SUCCESS;
  }

  public synchronized boolean ready() {
    return (csts & 1) != 0;
  }
}
