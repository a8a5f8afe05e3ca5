package io.strata.engine.stats;

import static io.strata.engine.scsi.ScsiSpec.*;

import io.strata.engine.scsi.LogicalUnitTarget;
import io.strata.engine.scsi.Nexus;
import io.strata.engine.scsi.ScsiCommand;
import io.strata.engine.scsi.ScsiResponse;
import io.strata.engine.scsi.ScsiTarget;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the reads and writes an engine completes (successfully), in front of its SCSI target,
 * for the whole engine and per LUN ({@link VolumeCounters}: operations, bytes, latencies, queue
 * depth). The counters only grow; whoever samples them takes differences.
 *
 * <p>On the data path: two {@code System.nanoTime()} calls, striped-counter increments and a
 * wait-free histogram record per read or write; the LUN's counters are found by index in an
 * array that is copied only when a LUN is seen for the first time. No lock, no allocation.
 */
public final class IoCounters implements ScsiTarget {
  private final ScsiTarget target;
  private final LongAdder readOps = new LongAdder();
  private final LongAdder writeOps = new LongAdder();
  private final LongAdder readBytes = new LongAdder();
  private final LongAdder writeBytes = new LongAdder();
  /** Per LUN number; grown (copied) under the lock when a higher LUN first shows up. */
  private volatile VolumeCounters[] byLun = new VolumeCounters[0];

  public IoCounters(ScsiTarget target) {
    this.target = target;
  }

  /** A consistent-enough reading of the four counters (each is exact; they are not read atomically together). */
  public record Snapshot(long readOps, long writeOps, long readBytes, long writeBytes) {}

  public Snapshot snapshot() {
    return new Snapshot(readOps.sum(), writeOps.sum(), readBytes.sum(), writeBytes.sum());
  }

  /** Per LUN number, the LUNs that did I/O since the engine started (a reading for each). */
  public Map<Integer, VolumeCounters.Reading> readLuns() {
    VolumeCounters[] luns = byLun;
    Map<Integer, VolumeCounters.Reading> out = new LinkedHashMap<>();
    for (int i = 0; i < luns.length; i++) {
      if (luns[i] != null) {
        out.put(i, luns[i].read());
      }
    }
    return out;
  }

  @Override
  public ScsiResponse execute(ScsiCommand command) {
    int kind = kindOf(command);
    if (kind == OTHER) {
      return target.execute(command);
    }
    VolumeCounters lun = countersOf(LogicalUnitTarget.decodeLun(command.lun()));
    if (lun != null) {
      lun.inFlight.increment();
    }
    long started = System.nanoTime();
    ScsiResponse response;
    try {
      response = target.execute(command);
    } finally {
      if (lun != null) {
        lun.inFlight.decrement();
      }
    }
    if (response.status() != GOOD) {
      return response;
    }
    long nanos = System.nanoTime() - started;
    if (kind == READ) {
      long bytes = response.dataIn() == null ? 0 : response.dataIn().remaining();
      readOps.increment();
      readBytes.add(bytes);
      if (lun != null) {
        lun.readOps.increment();
        lun.readBytes.add(bytes);
        lun.readLatency.record(nanos);
      }
    } else {
      long bytes = command.dataOut() == null ? 0 : command.dataOut().limit();
      writeOps.increment();
      writeBytes.add(bytes);
      if (lun != null) {
        lun.writeOps.increment();
        lun.writeBytes.add(bytes);
        lun.writeLatency.record(nanos);
      }
    }
    return response;
  }

  private static final int OTHER = 0;
  private static final int READ = 1;
  private static final int WRITE = 2;

  private static int kindOf(ScsiCommand command) {
    if (command.cdb() == null || command.cdb().length == 0) {
      return OTHER;
    }
    return switch (command.cdb()[0] & 0xff) {
      case READ_6, READ_10, READ_12, READ_16 -> READ;
      case WRITE_6, WRITE_10, WRITE_12, WRITE_16 -> WRITE;
      default -> OTHER;
    };
  }

  /** The counters of LUN {@code lun}, made on its first I/O; null for a LUN we cannot number. */
  private VolumeCounters countersOf(int lun) {
    if (lun < 0) {
      return null;
    }
    VolumeCounters[] luns = byLun;
    if (lun < luns.length && luns[lun] != null) {
      return luns[lun];
    }
    synchronized (this) { // once per LUN for the engine's life
      luns = byLun;
      if (lun >= luns.length) {
        luns = java.util.Arrays.copyOf(luns, lun + 1);
      } else {
        luns = luns.clone();
      }
      if (luns[lun] == null) {
        luns[lun] = new VolumeCounters();
      }
      byLun = luns;
      return luns[lun];
    }
  }

  @Override
  public void lunReset(Nexus nexus, long lun) {
    target.lunReset(nexus, lun);
  }

  @Override
  public void targetReset(Nexus nexus) {
    target.targetReset(nexus);
  }

  @Override
  public void nexusOpened(Nexus nexus) {
    target.nexusOpened(nexus);
  }

  @Override
  public void nexusClosed(Nexus nexus) {
    target.nexusClosed(nexus);
  }
}
