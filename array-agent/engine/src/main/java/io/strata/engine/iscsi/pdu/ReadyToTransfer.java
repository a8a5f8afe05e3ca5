package io.strata.engine.iscsi.pdu;

/** Ready To Transfer, R2T (RFC 7143 11.8): asks for {@code desiredLength} bytes at an offset. */
public record ReadyToTransfer(
    long lun,
    int itt,
    int ttt,
    int statSn,
    int expCmdSn,
    int maxCmdSn,
    int r2tSn,
    int bufferOffset,
    int desiredLength)
    implements Pdu {
  public Opcode opcode() {
    return Opcode.READY_TO_TRANSFER;
  }
}
