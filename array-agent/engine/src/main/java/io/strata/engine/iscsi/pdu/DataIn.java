package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * SCSI Data-In (RFC 7143 11.7). When {@code statusPresent} the PDU also completes the command
 * (phase collapse) and carries status, StatSN and residual.
 */
public record DataIn(
    boolean finalPdu,
    boolean overflow,
    boolean underflow,
    boolean statusPresent,
    int status,
    long lun,
    int itt,
    int statSn,
    int expCmdSn,
    int maxCmdSn,
    int dataSn,
    int bufferOffset,
    int residualCount,
    ByteBuffer data)
    implements Pdu {
  public Opcode opcode() {
    return Opcode.DATA_IN;
  }
}
