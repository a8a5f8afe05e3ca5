package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;

/** Text Response (RFC 7143 11.11). */
public record TextResponse(
    boolean finalPdu,
    boolean continues,
    long lun,
    int itt,
    int ttt,
    int statSn,
    int expCmdSn,
    int maxCmdSn,
    ByteBuffer data)
    implements Pdu {
  public Opcode opcode() {
    return Opcode.TEXT_RESPONSE;
  }
}
