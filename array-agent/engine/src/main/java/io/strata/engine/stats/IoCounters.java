package io.strata.engine.stats;

import static io.strata.engine.scsi.ScsiSpec.*;

import io.strata.engine.scsi.Nexus;
import io.strata.engine.scsi.ScsiCommand;
import io.strata.engine.scsi.ScsiResponse;
import io.strata.engine.scsi.ScsiTarget;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the reads and writes an engine completes (successfully), in front of its SCSI target.
 * The counters only grow; whoever samples them takes differences.
 */
public final class IoCounters implements ScsiTarget {
  private final ScsiTarget target;
  private final LongAdder readOps = new LongAdder();
  private final LongAdder writeOps = new LongAdder();
  private final LongAdder readBytes = new LongAdder();
  private final LongAdder writeBytes = new LongAdder();

  public IoCounters(ScsiTarget target) {
    this.target = target;
  }

  /** A consistent-enough reading of the four counters (each is exact; they are not read atomically together). */
  public record Snapshot(long readOps, long writeOps, long readBytes, long writeBytes) {}

  public Snapshot snapshot() {
    return new Snapshot(readOps.sum(), writeOps.sum(), readBytes.sum(), writeBytes.sum());
  }

  @Override
  public ScsiResponse execute(ScsiCommand command) {
    ScsiResponse response = target.execute(command);
    if (response.status() == GOOD && command.cdb() != null && command.cdb().length > 0) {
      switch (command.cdb()[0] & 0xff) {
        case READ_6, READ_10, READ_12, READ_16 -> {
          readOps.increment();
          readBytes.add(response.dataIn() == null ? 0 : response.dataIn().remaining());
        }
        case WRITE_6, WRITE_10, WRITE_12, WRITE_16 -> {
          writeOps.increment();
          writeBytes.add(command.dataOut() == null ? 0 : command.dataOut().limit());
        }
        default -> {}
      }
    }
    return response;
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
