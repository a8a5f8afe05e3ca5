package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;

/** NOP-Out (RFC 7143 11.18): a ping from the initiator, or its answer to our NOP-In. */
public record NopOut(
    boolean immediate,
    long lun,
    int itt,
    int ttt,
    int cmdSn,
    int expStatSn,
    ByteBuffer data)
    implements Pdu {
  public Opcode opcode() {
    return Opcode.NOP_OUT;
  }
}
