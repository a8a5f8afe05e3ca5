package io.strata.engine.scsi;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;

/**
 * The one home for SCSI wire constants (SAM-5, SPC-4, SBC-3): status codes, operation codes,
 * service actions, sense keys and additional sense codes. Additional sense codes are written as
 * {@code 0xAAQQ} (ASC in the high byte, ASCQ in the low byte).
 */
public final class ScsiSpec {
  private ScsiSpec() {}

  // ---- SAM status
  public static final int GOOD = 0x00;
  public static final int CHECK_CONDITION = 0x02;
  public static final int CONDITION_MET = 0x04;
  public static final int BUSY = 0x08;
  public static final int RESERVATION_CONFLICT = 0x18;
  public static final int TASK_SET_FULL = 0x28;

  // ---- operation codes (SPC-4, SBC-3)
  public static final int TEST_UNIT_READY = 0x00;
  public static final int REQUEST_SENSE = 0x03;
  public static final int READ_6 = 0x08;
  public static final int WRITE_6 = 0x0a;
  public static final int INQUIRY = 0x12;
  public static final int MODE_SELECT_6 = 0x15;
  public static final int RESERVE_6 = 0x16;
  public static final int RELEASE_6 = 0x17;
  public static final int MODE_SENSE_6 = 0x1a;
  public static final int START_STOP_UNIT = 0x1b;
  public static final int SEND_DIAGNOSTIC = 0x1d;
  public static final int PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1e;
  public static final int READ_CAPACITY_10 = 0x25;
  public static final int READ_10 = 0x28;
  public static final int WRITE_10 = 0x2a;
  public static final int WRITE_AND_VERIFY_10 = 0x2e;
  public static final int VERIFY_10 = 0x2f;
  public static final int PRE_FETCH_10 = 0x34;
  public static final int SYNCHRONIZE_CACHE_10 = 0x35;
  public static final int WRITE_SAME_10 = 0x41;
  public static final int UNMAP = 0x42;
  public static final int MODE_SELECT_10 = 0x55;
  public static final int RESERVE_10 = 0x56;
  public static final int RELEASE_10 = 0x57;
  public static final int MODE_SENSE_10 = 0x5a;
  public static final int PERSISTENT_RESERVE_IN = 0x5e;
  public static final int PERSISTENT_RESERVE_OUT = 0x5f;
  public static final int EXTENDED_COPY = 0x83;
  public static final int RECEIVE_COPY_RESULTS = 0x84;
  public static final int READ_16 = 0x88;
  public static final int COMPARE_AND_WRITE = 0x89;
  public static final int WRITE_16 = 0x8a;
  public static final int ORWRITE_16 = 0x8b;
  public static final int WRITE_AND_VERIFY_16 = 0x8e;
  public static final int VERIFY_16 = 0x8f;
  public static final int PRE_FETCH_16 = 0x90;
  public static final int SYNCHRONIZE_CACHE_16 = 0x91;
  public static final int WRITE_SAME_16 = 0x93;
  public static final int SERVICE_ACTION_IN_16 = 0x9e;
  public static final int REPORT_LUNS = 0xa0;
  public static final int MAINTENANCE_IN = 0xa3;
  public static final int MAINTENANCE_OUT = 0xa4;
  public static final int READ_12 = 0xa8;
  public static final int READ_DEFECT_DATA_10 = 0x37;
  public static final int READ_DEFECT_DATA_12 = 0xb7;
  public static final int WRITE_12 = 0xaa;
  public static final int WRITE_AND_VERIFY_12 = 0xae;
  public static final int VERIFY_12 = 0xaf;

  // ---- service actions
  public static final int SAI_READ_CAPACITY_16 = 0x10;
  public static final int SAI_GET_LBA_STATUS = 0x12;
  public static final int MI_REPORT_TARGET_PORT_GROUPS = 0x0a;
  public static final int MI_REPORT_SUPPORTED_OPERATION_CODES = 0x0c;
  public static final int MI_REPORT_SUPPORTED_TMFS = 0x0d;
  public static final int RCR_COPY_STATUS = 0x00;
  public static final int RCR_RECEIVE_DATA = 0x01;
  public static final int RCR_OPERATING_PARAMETERS = 0x03;
  public static final int RCR_FAILED_SEGMENT_DETAILS = 0x04;
  public static final int XCOPY_LID1 = 0x00;

  // ---- sense keys
  public static final int NO_SENSE = 0x0;
  public static final int RECOVERED_ERROR = 0x1;
  public static final int NOT_READY = 0x2;
  public static final int MEDIUM_ERROR = 0x3;
  public static final int HARDWARE_ERROR = 0x4;
  public static final int ILLEGAL_REQUEST = 0x5;
  public static final int UNIT_ATTENTION = 0x6;
  public static final int DATA_PROTECT = 0x7;
  public static final int COPY_ABORTED = 0xa;
  public static final int ABORTED_COMMAND = 0xb;
  public static final int MISCOMPARE = 0xe;

  // ---- additional sense codes (ASC << 8 | ASCQ)
  public static final int ASC_NO_ADDITIONAL_SENSE = 0x0000;
  /** The LUN's backing store is gone (e.g. the flash cache lost its SSD with dirty data). */
  public static final int ASC_LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION_REQUIRED = 0x0403;
  /** The ALUA state of the port is changing (SPC-4 5.16.2.6): try again shortly. */
  public static final int ASC_ASYMMETRIC_ACCESS_STATE_TRANSITION = 0x040a;
  /** The port is in the ALUA standby state (SPC-4 5.16.2.4.4): use another path. */
  public static final int ASC_TARGET_PORT_IN_STANDBY_STATE = 0x040b;
  public static final int ASC_WRITE_ERROR = 0x0c00;
  public static final int ASC_INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT = 0x0e03;
  public static final int ASC_UNRECOVERED_READ_ERROR = 0x1100;
  public static final int ASC_PARAMETER_LIST_LENGTH_ERROR = 0x1a00;
  public static final int ASC_MISCOMPARE_DURING_VERIFY = 0x1d00;
  public static final int ASC_INVALID_COMMAND_OPERATION_CODE = 0x2000;
  public static final int ASC_LBA_OUT_OF_RANGE = 0x2100;
  public static final int ASC_INVALID_FIELD_IN_CDB = 0x2400;
  public static final int ASC_LOGICAL_UNIT_NOT_SUPPORTED = 0x2500;
  public static final int ASC_INVALID_FIELD_IN_PARAMETER_LIST = 0x2600;
  public static final int ASC_TOO_MANY_TARGET_DESCRIPTORS = 0x2606;
  public static final int ASC_UNSUPPORTED_TARGET_DESCRIPTOR_TYPE = 0x2607;
  public static final int ASC_TOO_MANY_SEGMENT_DESCRIPTORS = 0x2608;
  public static final int ASC_UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE = 0x2609;
  public static final int ASC_WRITE_PROTECTED = 0x2700;
  public static final int ASC_SPACE_ALLOCATION_FAILED_WRITE_PROTECT = 0x2707;
  public static final int ASC_POWER_ON_RESET = 0x2900;
  public static final int ASC_PARAMETERS_CHANGED = 0x2a00;
  public static final int ASC_MODE_PARAMETERS_CHANGED = 0x2a01;
  public static final int ASC_RESERVATIONS_PREEMPTED = 0x2a03;
  public static final int ASC_RESERVATIONS_RELEASED = 0x2a04;
  public static final int ASC_REGISTRATIONS_PREEMPTED = 0x2a05;
  public static final int ASC_ASYMMETRIC_ACCESS_STATE_CHANGED = 0x2a06;
  public static final int ASC_CAPACITY_DATA_HAS_CHANGED = 0x2a09;
  public static final int ASC_COMMANDS_CLEARED_BY_ANOTHER_INITIATOR = 0x2f00;
  public static final int ASC_SAVING_PARAMETERS_NOT_SUPPORTED = 0x3900;
  public static final int ASC_REPORTED_LUNS_DATA_HAS_CHANGED = 0x3f0e;
  public static final int ASC_MEDIUM_MAY_HAVE_CHANGED = 0x2800;
  public static final int ASC_INTERNAL_TARGET_FAILURE = 0x4400;
  public static final int ASC_INSUFFICIENT_REGISTRATION_RESOURCES = 0x5504;
  public static final int ASC_COPY_TARGET_DEVICE_NOT_REACHABLE = 0x0d02;
  public static final int ASC_OPERATION_IN_PROGRESS = 0x0016;

  // ---- persistent reservation types and service actions
  public static final int PR_WRITE_EXCLUSIVE = 1;
  public static final int PR_EXCLUSIVE_ACCESS = 3;
  public static final int PR_WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 5;
  public static final int PR_EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 6;
  public static final int PR_WRITE_EXCLUSIVE_ALL_REGISTRANTS = 7;
  public static final int PR_EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 8;

  public static final int PRIN_READ_KEYS = 0;
  public static final int PRIN_READ_RESERVATION = 1;
  public static final int PRIN_REPORT_CAPABILITIES = 2;
  public static final int PRIN_READ_FULL_STATUS = 3;

  public static final int PROUT_REGISTER = 0;
  public static final int PROUT_RESERVE = 1;
  public static final int PROUT_RELEASE = 2;
  public static final int PROUT_CLEAR = 3;
  public static final int PROUT_PREEMPT = 4;
  public static final int PROUT_PREEMPT_AND_ABORT = 5;
  public static final int PROUT_REGISTER_AND_IGNORE_EXISTING_KEY = 6;
  public static final int PROUT_REGISTER_AND_MOVE = 7;

  /** iSCSI's protocol identifier in designators and transport IDs (SPC-4 table 362). */
  public static final int PROTOCOL_ID_ISCSI = 0x5;

  private static final java.util.Set<String> OPCODE_NAMES =
      java.util.Set.of(
          "TEST_UNIT_READY", "REQUEST_SENSE", "READ_6", "WRITE_6", "INQUIRY", "MODE_SELECT_6",
          "RESERVE_6", "RELEASE_6", "MODE_SENSE_6", "START_STOP_UNIT", "SEND_DIAGNOSTIC",
          "PREVENT_ALLOW_MEDIUM_REMOVAL", "READ_CAPACITY_10", "READ_10", "WRITE_10",
          "WRITE_AND_VERIFY_10", "VERIFY_10", "PRE_FETCH_10", "SYNCHRONIZE_CACHE_10",
          "WRITE_SAME_10", "UNMAP", "MODE_SELECT_10", "RESERVE_10", "RELEASE_10", "MODE_SENSE_10",
          "PERSISTENT_RESERVE_IN", "PERSISTENT_RESERVE_OUT", "EXTENDED_COPY",
          "RECEIVE_COPY_RESULTS", "READ_16", "COMPARE_AND_WRITE", "WRITE_16", "ORWRITE_16",
          "WRITE_AND_VERIFY_16", "VERIFY_16", "PRE_FETCH_16", "SYNCHRONIZE_CACHE_16",
          "WRITE_SAME_16", "SERVICE_ACTION_IN_16", "REPORT_LUNS", "MAINTENANCE_IN",
          "MAINTENANCE_OUT", "READ_12", "WRITE_12", "WRITE_AND_VERIFY_12", "VERIFY_12",
          "READ_DEFECT_DATA_10", "READ_DEFECT_DATA_12");

  static {
    checkNoDuplicateOpcodes();
  }

  /** Catches a copy-paste slip in the opcode list when the class loads, as Netty does. */
  private static void checkNoDuplicateOpcodes() {
    Map<Integer, String> seen = new HashMap<>();
    for (String name : OPCODE_NAMES) {
      try {
        Field f = ScsiSpec.class.getField(name);
        String previous = seen.put(f.getInt(null), name);
        if (previous != null) {
          throw new IllegalStateException(
              "opcode 0x" + Integer.toHexString(f.getInt(null)) + " used by " + previous
                  + " and " + name);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
