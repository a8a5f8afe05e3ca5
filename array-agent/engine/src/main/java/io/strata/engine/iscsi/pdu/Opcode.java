package io.strata.engine.iscsi.pdu;

/** Every iSCSI opcode (RFC 7143 section 11.1.1), the one home for their wire codes. */
public enum Opcode {
  NOP_OUT(0x00, true),
  SCSI_COMMAND(0x01, true),
  TASK_MANAGEMENT_REQUEST(0x02, true),
  LOGIN_REQUEST(0x03, true),
  TEXT_REQUEST(0x04, true),
  DATA_OUT(0x05, true),
  LOGOUT_REQUEST(0x06, true),
  SNACK_REQUEST(0x10, true),
  NOP_IN(0x20, false),
  SCSI_RESPONSE(0x21, false),
  TASK_MANAGEMENT_RESPONSE(0x22, false),
  LOGIN_RESPONSE(0x23, false),
  TEXT_RESPONSE(0x24, false),
  DATA_IN(0x25, false),
  LOGOUT_RESPONSE(0x26, false),
  READY_TO_TRANSFER(0x31, false),
  ASYNC_MESSAGE(0x32, false),
  REJECT(0x3f, false);

  private static final Opcode[] BY_CODE = new Opcode[64];

  static {
    for (Opcode op : values()) {
      if (BY_CODE[op.code] != null) {
        throw new ExceptionInInitializerError("duplicate iSCSI opcode " + op.code);
      }
      BY_CODE[op.code] = op;
    }
  }

  private final int code;
  private final boolean fromInitiator;

  Opcode(int code, boolean fromInitiator) {
    this.code = code;
    this.fromInitiator = fromInitiator;
  }

  public int code() {
    return code;
  }

  public boolean fromInitiator() {
    return fromInitiator;
  }

  /** The opcode for the low six bits of BHS byte 0, or null when RFC 7143 defines none. */
  public static Opcode of(int code) {
    return BY_CODE[code & 0x3f];
  }
}
