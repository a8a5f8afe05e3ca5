package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;

/** Login Response (RFC 7143 11.13). */
public record LoginResponse(
    boolean transit,
    boolean continues,
    int currentStage,
    int nextStage,
    int versionMax,
    int versionActive,
    long isid,
    int tsih,
    int itt,
    int statSn,
    int expCmdSn,
    int maxCmdSn,
    int statusClass,
    int statusDetail,
    ByteBuffer data)
    implements Pdu {
  public Opcode opcode() {
    return Opcode.LOGIN_RESPONSE;
  }
}
