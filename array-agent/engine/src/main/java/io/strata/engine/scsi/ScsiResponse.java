package io.strata.engine.scsi;

import java.nio.ByteBuffer;

/**
 * The outcome of one {@link ScsiCommand}: a SAM status, fixed-format sense data when the status is
 * CHECK CONDITION, and the Data-In bytes (possibly more than the initiator asked for: the
 * transport truncates and reports the residual).
 *
 * @param dataOutLength how many Data-Out bytes the CDB called for, so that the transport can
 *     report a write's residual (iSCSI overflow/underflow); -1 when the command has no Data-Out
 *     or the SCSI layer does not say
 */
public record ScsiResponse(int status, byte[] sense, ByteBuffer dataIn, int dataOutLength) {

  /** A response that does not report the Data-Out length. */
  public ScsiResponse(int status, byte[] sense, ByteBuffer dataIn) {
    this(status, sense, dataIn, -1);
  }
}
