package io.strata.engine.iscsi.initiator;

import java.io.IOException;

/**
 * The target completed a command with a status other than GOOD (or an iSCSI response other than
 * "completed"); {@link #senseKey()} and {@link #asc()} say why when sense data came with it.
 */
public final class ScsiStatusException extends IOException {
  private final int status;
  private final int senseKey;
  private final int asc;
  private final int ascq;

  ScsiStatusException(String what, int status, int senseKey, int asc, int ascq) {
    super(String.format("%s: SCSI status 0x%02x, sense key 0x%x, ASC/ASCQ 0x%02x/0x%02x", what,
        status, senseKey, asc, ascq));
    this.status = status;
    this.senseKey = senseKey;
    this.asc = asc;
    this.ascq = ascq;
  }

  public int status() {
    return status;
  }

  public int senseKey() {
    return senseKey;
  }

  public int asc() {
    return asc;
  }

  public int ascq() {
    return ascq;
  }

  /** UNIT ATTENTION: the command did not run and may simply be sent again. */
  public boolean unitAttention() {
    return status == ScsiCommands.CHECK_CONDITION && senseKey == 0x6;
  }
}
