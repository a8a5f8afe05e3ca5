package io.strata.engine.stats;

import static io.strata.engine.scsi.ScsiSpec.*;

import io.strata.engine.scsi.LogicalUnitTarget;
import io.strata.engine.scsi.Nexus;
import io.strata.engine.scsi.ScsiCommand;
import io.strata.engine.scsi.ScsiResponse;
import io.strata.engine.scsi.ScsiTarget;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts the reads and writes an engine completes (successfully), in front of its SCSI target,
 * for the whole engine and per LUN ({@link VolumeCounters}: operations, bytes, latencies, queue
 * depth). The counters only grow; whoever samples them takes differences.
 *
 * <p>On the data path: two {@code System.nanoTime()} calls, striped-counter increments and a
 * wait-free histogram record (striped per thread) per read or write, all in the LUN's
 * {@link VolumeCounters}; the LUN's counters are found by index in an array that is copied only
 * when a LUN is seen for the first time. No lock, no allocation. The engine's totals are not
 * counted a second time: {@link #snapshot()} adds the LUNs' counters up when it is read.
 */
public final class IoCounters implements ScsiTarget {
  private final ScsiTarget target;
  /** Per LUN number; grown (copied) under the lock when a higher LUN first shows up. */
  private volatile VolumeCounters[] byLun = new VolumeCounters[0];
  /** I/O to a LUN we cannot number: in the engine's totals, in no volume's figures. */
  private final VolumeCounters unnumbered = new VolumeCounters();

  public IoCounters(ScsiTarget target) {
    this.target = target;
  }

  /** A consistent-enough reading of the four counters (each is exact; they are not read atomically together). */
  public record Snapshot(long readOps, long writeOps, long readBytes, long writeBytes) {
    Snapshot plus(Snapshot o) {
      return new Snapshot(readOps + o.readOps, writeOps + o.writeOps, readBytes + o.readBytes,
          writeBytes + o.writeBytes);
    }
  }

  public Snapshot snapshot() {
    Snapshot total = unnumbered.totals();
    for (VolumeCounters lun : byLun) {
      if (lun != null) {
        total = total.plus(lun.totals());
      }
    }
    return total;
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
    lun.inFlight.increment();
    long started = System.nanoTime();
    ScsiResponse response;
    try {
      response = target.execute(command);
    } finally {
      lun.inFlight.decrement();
    }
    if (response.status() != GOOD) {
      return response;
    }
    long nanos = System.nanoTime() - started;
    if (kind == READ) {
      lun.readOps.increment();
      lun.readBytes.add(response.dataIn() == null ? 0 : response.dataIn().remaining());
      lun.readLatency.record(nanos);
    } else {
      lun.writeOps.increment();
      lun.writeBytes.add(command.dataOut() == null ? 0 : command.dataOut().limit());
      lun.writeLatency.record(nanos);
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

  /** The counters of LUN {@code lun}, made on its first I/O; {@link #unnumbered} for a LUN we cannot number. */
  private VolumeCounters countersOf(int lun) {
    if (lun < 0) {
      return unnumbered;
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
