package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;

/** NOP-In (RFC 7143 11.19): our answer to a ping, or our own ping (ITT 0xffffffff). */
public record NopIn(
    long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn, ByteBuffer data)
    implements Pdu {
  public Opcode opcode() {
    return Opcode.NOP_IN;
  }
}
