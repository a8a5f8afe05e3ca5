package io.strata.engine.iscsi.pdu;

/** Task Management Function Response (RFC 7143 11.6). */
public record TaskManagementResponse(
    int response, int itt, int statSn, int expCmdSn, int maxCmdSn) implements Pdu {
  public static final int COMPLETE = 0;
  public static final int NO_SUCH_TASK = 1;
  public static final int NO_SUCH_LUN = 2;
  public static final int TASK_STILL_ALLEGIANT = 3;
  public static final int REASSIGNMENT_NOT_SUPPORTED = 4;
  public static final int NOT_SUPPORTED = 5;
  public static final int AUTHORIZATION_FAILED = 6;
  public static final int REJECTED = 255;

  public Opcode opcode() {
    return Opcode.TASK_MANAGEMENT_RESPONSE;
  }
}
