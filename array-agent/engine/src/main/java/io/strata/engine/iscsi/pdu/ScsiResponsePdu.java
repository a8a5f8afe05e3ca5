package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * SCSI Response (RFC 7143 11.4). {@code data} is the sense data already prefixed with its 2-byte
 * SenseLength, or empty.
 */
public record ScsiResponsePdu(
    boolean overflow,
    boolean underflow,
    int response,
    int status,
    int itt,
    int statSn,
    int expCmdSn,
    int maxCmdSn,
    int expDataSn,
    int residualCount,
    ByteBuffer data)
    implements Pdu {
  public Opcode opcode() {
    return Opcode.SCSI_RESPONSE;
  }
}
