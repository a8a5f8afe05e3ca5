package io.strata.engine.iscsi.pdu;

/** Asynchronous Message (RFC 7143 11.9); event 1 asks the initiator to log out. */
public record AsyncMessage(
    long lun,
    int statSn,
    int expCmdSn,
    int maxCmdSn,
    int event,
    int parameter1,
    int parameter2,
    int parameter3)
    implements Pdu {
  public static final int LOGOUT_REQUESTED = 1;

  public Opcode opcode() {
    return Opcode.ASYNC_MESSAGE;
  }
}
