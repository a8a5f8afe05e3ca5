package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiSpec.*;

import io.strata.engine.scsi.PersistentReservations.Access;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * The commands the target supports: for each, its operation code and service action, the CDB
 * usage data REPORT SUPPORTED OPERATION CODES returns, how it counts for reservations, and the
 * handler. Lookup tries the block (SBC-3) commands, then the primary (SPC-4) commands, and
 * otherwise answers INVALID COMMAND OPERATION CODE: the CDB is classified once, here.
 */
final class CommandSet {

  /** Runs one command. */
  @FunctionalInterface
  interface Handler {
    ScsiResponse run(Request request) throws CheckCondition, IOException, InterruptedException;
  }

  /**
   * One supported command.
   *
   * @param opcode the operation code
   * @param serviceAction the service action, or -1 for commands without one
   * @param usage the CDB usage data (its length is the CDB length)
   * @param access how it counts for persistent reservations
   * @param handler what runs it
   */
  record Command(int opcode, int serviceAction, byte[] usage, Access access, Handler handler) {
    int cdbLength() {
      return usage.length;
    }
  }

  private final List<Command> block;
  private final List<Command> primary;
  private final List<Command> all;
  private final Command[][] byOpcode;

  CommandSet(BlockCommands sbc, PrimaryCommands spc, ExtendedCopy xcopy) {
    List<Command> b = new ArrayList<>();
    add(b, READ_6, -1, "08 1f ff ff ff 07", Access.READ, sbc::read);
    add(b, WRITE_6, -1, "0a 1f ff ff ff 07", Access.WRITE, sbc::write);
    add(b, READ_CAPACITY_10, -1, "25 00 ff ff ff ff 00 00 01 07", Access.ALLOWED,
        sbc::readCapacity10);
    add(b, READ_10, -1, "28 1a ff ff ff ff 00 ff ff 07", Access.READ, sbc::read);
    add(b, WRITE_10, -1, "2a 1a ff ff ff ff 00 ff ff 07", Access.WRITE, sbc::write);
    add(b, WRITE_AND_VERIFY_10, -1, "2e 12 ff ff ff ff 00 ff ff 07", Access.WRITE,
        sbc::writeAndVerify);
    add(b, VERIFY_10, -1, "2f 16 ff ff ff ff 00 ff ff 07", Access.READ, sbc::verify);
    add(b, PRE_FETCH_10, -1, "34 02 ff ff ff ff 00 ff ff 07", Access.READ, sbc::preFetch);
    add(b, SYNCHRONIZE_CACHE_10, -1, "35 02 ff ff ff ff 00 ff ff 07", Access.READ,
        sbc::synchronizeCache);
    add(b, WRITE_SAME_10, -1, "41 08 ff ff ff ff 00 ff ff 07", Access.WRITE, sbc::writeSame);
    add(b, UNMAP, -1, "42 00 00 00 00 00 00 ff ff 07", Access.WRITE, sbc::unmap);
    add(b, READ_16, -1, "88 1a ff ff ff ff ff ff ff ff ff ff ff ff 00 07", Access.READ,
        sbc::read);
    add(b, COMPARE_AND_WRITE, -1, "89 18 ff ff ff ff ff ff ff ff 00 00 00 ff 00 07",
        Access.WRITE, sbc::compareAndWrite);
    add(b, WRITE_16, -1, "8a 1a ff ff ff ff ff ff ff ff ff ff ff ff 00 07", Access.WRITE,
        sbc::write);
    add(b, ORWRITE_16, -1, "8b 18 ff ff ff ff ff ff ff ff ff ff ff ff 00 07", Access.WRITE,
        sbc::orWrite);
    add(b, WRITE_AND_VERIFY_16, -1, "8e 12 ff ff ff ff ff ff ff ff ff ff ff ff 00 07",
        Access.WRITE, sbc::writeAndVerify);
    add(b, VERIFY_16, -1, "8f 16 ff ff ff ff ff ff ff ff ff ff ff ff 00 07", Access.READ,
        sbc::verify);
    add(b, PRE_FETCH_16, -1, "90 02 ff ff ff ff ff ff ff ff ff ff ff ff 00 07", Access.READ,
        sbc::preFetch);
    add(b, SYNCHRONIZE_CACHE_16, -1, "91 02 ff ff ff ff ff ff ff ff ff ff ff ff 00 07",
        Access.READ, sbc::synchronizeCache);
    add(b, WRITE_SAME_16, -1, "93 09 ff ff ff ff ff ff ff ff ff ff ff ff 00 07", Access.WRITE,
        sbc::writeSame);
    add(b, SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16,
        "9e 10 ff ff ff ff ff ff ff ff ff ff ff ff 00 07", Access.ALLOWED, sbc::readCapacity16);
    add(b, SERVICE_ACTION_IN_16, SAI_GET_LBA_STATUS,
        "9e 12 ff ff ff ff ff ff ff ff ff ff ff ff 00 07", Access.READ, sbc::getLbaStatus);
    add(b, READ_12, -1, "a8 1a ff ff ff ff ff ff ff ff 00 07", Access.READ, sbc::read);
    add(b, WRITE_12, -1, "aa 1a ff ff ff ff ff ff ff ff 00 07", Access.WRITE, sbc::write);
    add(b, WRITE_AND_VERIFY_12, -1, "ae 12 ff ff ff ff ff ff ff ff 00 07", Access.WRITE,
        sbc::writeAndVerify);
    add(b, VERIFY_12, -1, "af 16 ff ff ff ff ff ff ff ff 00 07", Access.READ, sbc::verify);
    add(b, START_STOP_UNIT, -1, "1b 01 00 0f f7 07", Access.WRITE, sbc::startStopUnit);
    add(b, PREVENT_ALLOW_MEDIUM_REMOVAL, -1, "1e 00 00 00 03 07", Access.READ,
        sbc::preventAllowMediumRemoval);
    add(b, READ_DEFECT_DATA_10, -1, "37 00 1f 00 00 00 00 ff ff 07", Access.READ,
        DefectData::read10);
    add(b, READ_DEFECT_DATA_12, -1, "b7 1f ff ff ff ff ff ff ff ff 00 07", Access.READ,
        DefectData::read12);

    List<Command> p = new ArrayList<>();
    add(p, TEST_UNIT_READY, -1, "00 00 00 00 00 07", Access.ALLOWED, spc::testUnitReady);
    add(p, REQUEST_SENSE, -1, "03 01 00 00 ff 07", Access.ALLOWED, spc::requestSense);
    add(p, INQUIRY, -1, "12 01 ff ff ff 07", Access.ALLOWED, spc::inquiry);
    add(p, MODE_SELECT_6, -1, "15 11 00 00 ff 07", Access.WRITE, spc::modeSelect);
    add(p, RESERVE_6, -1, "16 00 00 00 00 07", Access.WRITE, spc::reserve);
    add(p, RELEASE_6, -1, "17 00 00 00 00 07", Access.ALLOWED, spc::release);
    add(p, MODE_SENSE_6, -1, "1a 08 ff ff ff 07", Access.READ, spc::modeSense);
    add(p, MODE_SELECT_10, -1, "55 11 00 00 00 00 00 ff ff 07", Access.WRITE, spc::modeSelect);
    add(p, RESERVE_10, -1, "56 00 00 00 00 00 00 00 00 07", Access.WRITE, spc::reserve);
    add(p, RELEASE_10, -1, "57 00 00 00 00 00 00 00 00 07", Access.ALLOWED, spc::release);
    add(p, MODE_SENSE_10, -1, "5a 18 ff ff 00 00 00 ff ff 07", Access.READ, spc::modeSense);
    for (int sa = PRIN_READ_KEYS; sa <= PRIN_READ_FULL_STATUS; sa++) {
      add(p, PERSISTENT_RESERVE_IN, sa, String.format("5e %02x 00 00 00 00 00 ff ff 07", sa),
          Access.ALLOWED, spc::persistentReserveIn);
    }
    for (int sa = PROUT_REGISTER; sa <= PROUT_REGISTER_AND_MOVE; sa++) {
      add(p, PERSISTENT_RESERVE_OUT, sa, String.format("5f %02x ff 00 00 ff ff ff ff 07", sa),
          Access.ALLOWED, spc::persistentReserveOut);
    }
    add(p, EXTENDED_COPY, XCOPY_LID1, "83 00 00 00 00 00 00 00 00 00 ff ff ff ff 00 07",
        Access.WRITE, xcopy::extendedCopy);
    add(p, RECEIVE_COPY_RESULTS, RCR_COPY_STATUS,
        "84 00 ff 00 00 00 00 00 00 00 ff ff ff ff 00 07", Access.READ, xcopy::receiveResults);
    add(p, RECEIVE_COPY_RESULTS, RCR_OPERATING_PARAMETERS,
        "84 03 00 00 00 00 00 00 00 00 ff ff ff ff 00 07", Access.READ, xcopy::receiveResults);
    add(p, REPORT_LUNS, -1, "a0 00 ff 00 00 00 ff ff ff ff 00 07", Access.ALLOWED,
        spc::reportLuns);
    add(p, MAINTENANCE_IN, MI_REPORT_TARGET_PORT_GROUPS, "a3 ea 00 00 00 00 ff ff ff ff 00 07",
        Access.ALLOWED, spc::reportTargetPortGroups);
    add(p, MAINTENANCE_IN, MI_REPORT_SUPPORTED_OPERATION_CODES,
        "a3 0c 87 ff ff ff ff ff ff ff 00 07", Access.ALLOWED, spc::reportSupportedOpcodes);
    add(p, MAINTENANCE_IN, MI_REPORT_SUPPORTED_TMFS, "a3 0d 80 00 00 00 ff ff ff ff 00 07",
        Access.ALLOWED, spc::reportSupportedTmfs);

    this.block = Collections.unmodifiableList(b);
    this.primary = Collections.unmodifiableList(p);
    List<Command> a = new ArrayList<>(p);
    a.addAll(b);
    a.sort((x, y) ->
        x.opcode() != y.opcode()
            ? Integer.compare(x.opcode(), y.opcode())
            : Integer.compare(x.serviceAction(), y.serviceAction()));
    this.all = Collections.unmodifiableList(a);
    // Index by opcode for the per-command lookup; block commands first, then primary ones.
    List<List<Command>> index = new ArrayList<>();
    for (int op = 0; op < 256; op++) {
      index.add(new ArrayList<>());
    }
    for (List<Command> list : List.of(block, primary)) {
      for (Command c : list) {
        index.get(c.opcode()).add(c);
      }
    }
    this.byOpcode = new Command[256][];
    for (int op = 0; op < 256; op++) {
      byOpcode[op] = index.get(op).toArray(new Command[0]);
    }
  }

  private static void add(List<Command> to, int opcode, int sa, String usageHex, Access access,
      Handler handler) {
    byte[] usage = HexFormat.of().parseHex(usageHex.replace(" ", ""));
    if (usage[0] != (byte) opcode || usage.length != Cdb.lengthForOpcode(opcode)) {
      throw new IllegalStateException("usage data of opcode " + Integer.toHexString(opcode));
    }
    to.add(new Command(opcode, sa, usage, access, handler));
  }

  /** Whether {@code opcode} is one whose commands are told apart by a service action. */
  static boolean hasServiceAction(int opcode) {
    switch (opcode) {
      case SERVICE_ACTION_IN_16:
      case MAINTENANCE_IN:
      case MAINTENANCE_OUT:
      case PERSISTENT_RESERVE_IN:
      case PERSISTENT_RESERVE_OUT:
      case EXTENDED_COPY:
      case RECEIVE_COPY_RESULTS:
        return true;
      default:
        return false;
    }
  }

  /** All supported commands, by operation code then service action. */
  List<Command> all() {
    return all;
  }

  /** The supported command with that opcode and service action (-1 for none), or null. */
  Command find(int opcode, int serviceAction) {
    if (opcode < 0 || opcode > 0xff) {
      return null;
    }
    for (Command c : byOpcode[opcode]) {
      if (c.serviceAction() == serviceAction) {
        return c;
      }
    }
    return null;
  }

  /** Classifies a CDB: the command, or CHECK CONDITION for an opcode or service action we lack. */
  Command classify(byte[] cdb) throws CheckCondition {
    int opcode = cdb[0] & 0xff;
    boolean sa = hasServiceAction(opcode);
    Command c = find(opcode, sa ? cdb[1] & 0x1f : -1);
    if (c != null) {
      if (cdb.length < c.cdbLength()) {
        throw CheckCondition.illegalRequest(ASC_INVALID_COMMAND_OPERATION_CODE);
      }
      return c;
    }
    if (sa && isKnownOpcode(opcode)) {
      throw CheckCondition.invalidCdbField(1, 4);
    }
    throw CheckCondition.illegalRequest(ASC_INVALID_COMMAND_OPERATION_CODE);
  }

  private boolean isKnownOpcode(int opcode) {
    return byOpcode[opcode].length > 0;
  }
}
