package io.strata.engine.nvme.command;

/**
 * Completion status codes, each as {@code SCT << 8 | SC} (status code type, status code) of the
 * NVMe base and fabrics specifications.
 */
public final class Status {
  private Status() {}

  public static final int SUCCESS = 0x000;
  public static final int INVALID_OPCODE = 0x001;
  public static final int INVALID_FIELD = 0x002;
  public static final int DATA_TRANSFER_ERROR = 0x004;
  public static final int INTERNAL_ERROR = 0x006;
  public static final int INVALID_NAMESPACE = 0x00B;
  public static final int COMMAND_SEQUENCE_ERROR = 0x00C;
  public static final int DATA_SGL_LENGTH_INVALID = 0x00F;
  public static final int SGL_DESCRIPTOR_TYPE_INVALID = 0x011;
  public static final int NAMESPACE_WRITE_PROTECTED = 0x020;
  public static final int LBA_OUT_OF_RANGE = 0x080;
  public static final int CAPACITY_EXCEEDED = 0x081;
  public static final int NAMESPACE_NOT_READY = 0x082;

  public static final int INVALID_LOG_PAGE = 0x109;
  public static final int ASYNC_EVENT_LIMIT_EXCEEDED = 0x105;
  public static final int FEATURE_NOT_SAVEABLE = 0x10D;

  public static final int CONNECT_INCOMPATIBLE_FORMAT = 0x180;
  public static final int CONNECT_CONTROLLER_BUSY = 0x181;
  public static final int CONNECT_INVALID_PARAMETERS = 0x182;
  public static final int CONNECT_INVALID_HOST = 0x184;

  public static final int WRITE_FAULT = 0x280;
  public static final int UNRECOVERED_READ_ERROR = 0x281;

  /**
   * The 16-bit status field of a completion (phase tag bit 0 left 0 as fabrics do): SC in bits
   * 8:1, SCT in 11:9, DNR in 15. Every error but a namespace not ready (a device offline for a
   * moment) says do not retry.
   */
  public static int field(int status) {
    int sc = status & 0xff;
    int sct = (status >> 8) & 0x7;
    boolean dnr = status != SUCCESS && status != NAMESPACE_NOT_READY;
    return (sc << 1) | (sct << 9) | (dnr ? 0x8000 : 0);
  }

  /** The status code ({@code SCT << 8 | SC}) of a completion's status field. */
  public static int of(int field) {
    return ((field >> 1) & 0xff) | (((field >> 9) & 0x7) << 8);
  }
}
