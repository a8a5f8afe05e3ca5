package io.strata.engine.scsi;

/**
 * The SCSI target device as the iSCSI (or iSER) layer sees it: it executes commands and task
 * management functions for nexuses, and never knows which transport carried them.
 *
 * <p>{@link #execute} may be called concurrently from many connections; implementations
 * serialise only what SCSI requires (for example COMPARE AND WRITE on overlapping blocks).
 */
public interface ScsiTarget {

  /** Executes one command to completion. Never throws for bad input: that is CHECK CONDITION. */
  ScsiResponse execute(ScsiCommand command);

  /** LUN RESET: aborts what runs on the LUN, clears SPC-2 reservations, raises unit attentions. */
  void lunReset(Nexus nexus, long lun);

  /** TARGET WARM RESET: a LUN reset of every LUN. */
  void targetReset(Nexus nexus);

  /** A nexus logged in: it gets a POWER ON/RESET unit attention on first use. */
  void nexusOpened(Nexus nexus);

  /** A session ended; state kept per nexus may be released (persistent reservations are kept). */
  void nexusClosed(Nexus nexus);
}
