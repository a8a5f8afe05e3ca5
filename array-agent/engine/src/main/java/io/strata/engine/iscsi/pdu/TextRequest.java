package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;

/** Text Request (RFC 7143 11.10), for SendTargets and full-feature negotiation. */
public record TextRequest(
    boolean immediate,
    boolean finalPdu,
    boolean continues,
    long lun,
    int itt,
    int ttt,
    int cmdSn,
    int expStatSn,
    ByteBuffer data)
    implements Pdu {
  public Opcode opcode() {
    return Opcode.TEXT_REQUEST;
  }
}
