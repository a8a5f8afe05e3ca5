package io.strata.engine.iscsi.pdu;

/** Task Management Function Request (RFC 7143 11.5). */
public record TaskManagementRequest(
    boolean immediate,
    int function,
    long lun,
    int itt,
    int referencedTaskTag,
    int cmdSn,
    int expStatSn,
    int refCmdSn,
    int expDataSn)
    implements Pdu {
  public static final int ABORT_TASK = 1;
  public static final int ABORT_TASK_SET = 2;
  public static final int CLEAR_ACA = 3;
  public static final int CLEAR_TASK_SET = 4;
  public static final int LOGICAL_UNIT_RESET = 5;
  public static final int TARGET_WARM_RESET = 6;
  public static final int TARGET_COLD_RESET = 7;
  public static final int TASK_REASSIGN = 8;

  public Opcode opcode() {
    return Opcode.TASK_MANAGEMENT_REQUEST;
  }
}
