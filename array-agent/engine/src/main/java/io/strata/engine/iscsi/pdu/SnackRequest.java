package io.strata.engine.iscsi.pdu;

/** SNACK Request (RFC 7143 11.16); only meaningful at ErrorRecoveryLevel above 0. */
public record SnackRequest(
    int type, long lun, int itt, int ttt, int expStatSn, int begRun, int runLength)
    implements Pdu {
  public Opcode opcode() {
    return Opcode.SNACK_REQUEST;
  }
}
