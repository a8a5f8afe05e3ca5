package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;

/** Login Request (RFC 7143 11.12). Stages: 0 security, 1 operational, 3 full feature. */
public record LoginRequest(
    boolean transit,
    boolean continues,
    int currentStage,
    int nextStage,
    int versionMax,
    int versionMin,
    long isid,
    int tsih,
    int itt,
    int cid,
    int cmdSn,
    int expStatSn,
    ByteBuffer data)
    implements Pdu {
  public Opcode opcode() {
    return Opcode.LOGIN_REQUEST;
  }
}
