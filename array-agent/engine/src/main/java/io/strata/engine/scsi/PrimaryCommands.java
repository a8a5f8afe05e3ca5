package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiSpec.*;

import io.strata.engine.scsi.CommandSet.Command;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The primary commands (SPC-4) every logical unit answers: TEST UNIT READY, REQUEST SENSE,
 * INQUIRY, MODE SENSE/SELECT, RESERVE/RELEASE, PERSISTENT RESERVE IN/OUT, REPORT LUNS, REPORT
 * TARGET PORT GROUPS, REPORT SUPPORTED OPERATION CODES and TASK MANAGEMENT FUNCTIONS.
 */
final class PrimaryCommands {
  private CommandSet commands;

  void setCommandSet(CommandSet commands) {
    this.commands = commands;
  }

  /**
   * A command addressed to a LUN that does not exist (or that this initiator may not see): SPC-4
   * 4.8. INQUIRY says "no device here", REPORT LUNS and REQUEST SENSE work, all else fails.
   */
  static ScsiResponse withoutLogicalUnit(
      LogicalUnitTarget target, Command c, Nexus nexus, byte[] cdb) throws CheckCondition {
    switch (c.opcode()) {
      case INQUIRY:
        {
          if ((cdb[1] & 0x01) != 0) {
            throw CheckCondition.illegalRequest(ASC_LOGICAL_UNIT_NOT_SUPPORTED);
          }
          byte[] b = Inquiry.standard(null);
          b[0] = 0x7f; // peripheral qualifier 011b: no logical unit; device type 1Fh
          return Responses.data(b, Cdb.u16(cdb, 3));
        }
      case REPORT_LUNS:
        return reportLuns(target, nexus, cdb);
      case REQUEST_SENSE:
        {
          byte[] sense = SenseData.of(ILLEGAL_REQUEST, ASC_LOGICAL_UNIT_NOT_SUPPORTED).toBytes();
          return Responses.data(sense, Cdb.u8(cdb, 4));
        }
      default:
        throw CheckCondition.illegalRequest(ASC_LOGICAL_UNIT_NOT_SUPPORTED);
    }
  }

  ScsiResponse testUnitReady(Request r) {
    return Responses.good();
  }

  /** REQUEST SENSE: a pending unit attention (which it clears), else NO SENSE. */
  ScsiResponse requestSense(Request r) throws CheckCondition {
    if ((r.cdb()[1] & 0x01) != 0) {
      throw CheckCondition.invalidCdbField(1, 0); // DESC: we return fixed format only
    }
    int ua = r.lu().unitAttentions().take(r.nexus());
    AsymmetricAccess alua = r.target().asymmetricAccess();
    // No unit attention: the sense that says why the unit is not ready on this port, if it is
    // not (SPC-4 6.39: what TEST UNIT READY would report), else NO SENSE.
    int notReady = alua == null ? -1
        : AsymmetricAccess.refusal(alua.own(), TEST_UNIT_READY, -1);
    SenseData sense = ua >= 0 ? SenseData.of(UNIT_ATTENTION, ua)
        : notReady >= 0 ? SenseData.of(NOT_READY, notReady)
        : SenseData.of(NO_SENSE, ASC_NO_ADDITIONAL_SENSE);
    return Responses.data(sense.toBytes(), Cdb.u8(r.cdb(), 4));
  }

  ScsiResponse inquiry(Request r) throws CheckCondition {
    byte[] cdb = r.cdb();
    int allocation = Cdb.u16(cdb, 3);
    boolean evpd = (cdb[1] & 0x01) != 0;
    if ((cdb[1] & 0x02) != 0) {
      throw CheckCondition.invalidCdbField(1, 1); // CMDDT is obsolete
    }
    if (!evpd) {
      if (cdb[2] != 0) {
        throw CheckCondition.invalidCdbField(2, -1);
      }
      return Responses.data(Inquiry.standard(r.lu()), allocation);
    }
    return Responses.data(Inquiry.vpd(r, Cdb.u8(cdb, 2)), allocation);
  }

  // ------------------------------------------------------------------ mode pages

  ScsiResponse modeSense(Request r) throws CheckCondition {
    byte[] cdb = r.cdb();
    boolean ten = r.opcode() == MODE_SENSE_10;
    boolean dbd = (cdb[1] & 0x08) != 0;
    boolean llbaa = ten && (cdb[1] & 0x10) != 0;
    int pc = (cdb[2] >> 6) & 0x03;
    int page = cdb[2] & 0x3f;
    int subpage = Cdb.u8(cdb, 3);
    int allocation = ten ? Cdb.u16(cdb, 7) : Cdb.u8(cdb, 4);
    if (pc == ModePages.PC_SAVED) {
      pc = ModePages.PC_DEFAULT; // no saved parameters: the defaults load at start
    }
    byte[] pages = r.lu().modePages().pages(page, subpage, pc);
    var dev = r.lu().device();
    byte[] descriptor = new byte[0];
    if (!dbd) {
      if (llbaa) {
        descriptor = new byte[16];
        Cdb.put64(descriptor, 0, dev.blockCount());
        Cdb.put32(descriptor, 12, dev.blockSize());
      } else {
        descriptor = new byte[8];
        Cdb.put32(descriptor, 0, Math.min(dev.blockCount(), 0xffff_ffffL));
        Cdb.put32(descriptor, 4, dev.blockSize() & 0xffffff);
      }
    }
    // DPOFUA: DPO and FUA are supported; WP (bit 7) on a write-protected unit.
    int deviceSpecific = 0x10 | (r.lu().readOnly() ? 0x80 : 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (ten) {
      int length = 8 + descriptor.length + pages.length - 2;
      out.write(length >> 8);
      out.write(length);
      out.write(0); // medium type
      out.write(deviceSpecific);
      out.write(llbaa ? 0x01 : 0x00);
      out.write(0);
      out.write(descriptor.length >> 8);
      out.write(descriptor.length);
    } else {
      out.write(4 + descriptor.length + pages.length - 1);
      out.write(0);
      out.write(deviceSpecific);
      out.write(descriptor.length);
    }
    out.writeBytes(descriptor);
    out.writeBytes(pages);
    return Responses.data(out.toByteArray(), allocation);
  }

  ScsiResponse modeSelect(Request r) throws CheckCondition {
    byte[] cdb = r.cdb();
    boolean ten = r.opcode() == MODE_SELECT_10;
    if ((cdb[1] & 0x01) != 0) {
      throw CheckCondition.invalidCdbField(1, 0); // SP: nothing is saved
    }
    int listLength = ten ? Cdb.u16(cdb, 7) : Cdb.u8(cdb, 4);
    if (listLength == 0) {
      return Responses.good();
    }
    if (r.dataOutLength() < listLength) {
      throw CheckCondition.parameterListLength();
    }
    byte[] list = java.util.Arrays.copyOf(r.parameterList(), listLength);
    int headerLength = ten ? 8 : 4;
    if (listLength < headerLength) {
      throw CheckCondition.parameterListLength();
    }
    int descriptorLength = ten ? Cdb.u16(list, 6) : Cdb.u8(list, 3);
    int offset = headerLength + descriptorLength;
    if (offset > listLength) {
      throw CheckCondition.parameterListLength();
    }
    r.lu().modePages().select(list, offset);
    Nexus me = r.nexus();
    r.lu().unitAttentions().raiseAll(ASC_MODE_PARAMETERS_CHANGED, n -> !n.equals(me));
    return Responses.good();
  }

  // ------------------------------------------------------------------ reservations

  /** RESERVE(6)/(10): the SPC-2 reservation of the whole logical unit. */
  ScsiResponse reserve(Request r) throws CheckCondition {
    if (r.opcode() == RESERVE_10 && (r.cdb()[1] & 0x12) != 0) {
      throw CheckCondition.invalidCdbField(1, 4); // third-party and extent reservations
    }
    if (r.lu().reservations().isReserved()) {
      return Responses.reservationConflict();
    }
    return r.lu().spc2Reserve(r.nexus()) ? Responses.good() : Responses.reservationConflict();
  }

  /** RELEASE(6)/(10): a no-op unless this nexus holds the SPC-2 reservation. */
  ScsiResponse release(Request r) throws CheckCondition {
    if (r.opcode() == RELEASE_10 && (r.cdb()[1] & 0x12) != 0) {
      throw CheckCondition.invalidCdbField(1, 4);
    }
    r.lu().spc2Release(r.nexus());
    return Responses.good();
  }

  ScsiResponse persistentReserveIn(Request r) throws CheckCondition {
    PersistentReservations pr = r.lu().reservations();
    int allocation = Cdb.u16(r.cdb(), 7);
    byte[] data;
    switch (r.cdb()[1] & 0x1f) {
      case PRIN_READ_KEYS:
        data = pr.readKeys();
        break;
      case PRIN_READ_RESERVATION:
        data = pr.readReservation();
        break;
      case PRIN_REPORT_CAPABILITIES:
        data = pr.reportCapabilities();
        break;
      case PRIN_READ_FULL_STATUS:
        data = pr.readFullStatus();
        break;
      default:
        throw CheckCondition.invalidCdbField(1, 4);
    }
    return Responses.data(data, allocation);
  }

  ScsiResponse persistentReserveOut(Request r) throws CheckCondition {
    byte[] cdb = r.cdb();
    int action = cdb[1] & 0x1f;
    int scope = (cdb[2] >> 4) & 0x0f;
    int type = cdb[2] & 0x0f;
    long listLength = Cdb.u32(cdb, 5);
    if (r.lu().spc2Holder() != null && !r.lu().spc2Holder().equals(r.nexus())) {
      return Responses.reservationConflict();
    }
    if (action == PROUT_REGISTER_AND_MOVE) {
      if (listLength < 24 || r.dataOutLength() < listLength) {
        throw CheckCondition.parameterListLength();
      }
    } else if (listLength != 24 || r.dataOutLength() < 24) {
      throw CheckCondition.parameterListLength();
    }
    byte[] params = java.util.Arrays.copyOf(r.parameterList(), (int) listLength);
    UnitAttentions uas = r.lu().unitAttentions();
    boolean done =
        r.lu()
            .reservations()
            .out(r.nexus(), action, scope, type, params,
                (registration, ascq) -> uas.raiseAll(ascq, registration::matches));
    return done ? Responses.good() : Responses.reservationConflict();
  }

  // ------------------------------------------------------------------ reports

  ScsiResponse reportLuns(Request r) throws CheckCondition {
    r.lu().unitAttentions().clear(r.nexus(), ASC_REPORTED_LUNS_DATA_HAS_CHANGED);
    return reportLuns(r.target(), r.nexus(), r.cdb());
  }

  static ScsiResponse reportLuns(LogicalUnitTarget target, Nexus nexus, byte[] cdb)
      throws CheckCondition {
    int select = Cdb.u8(cdb, 2);
    long allocation = Cdb.u32(cdb, 6);
    if (select > 0x02 && (select < 0x10 || select > 0x12)) {
      throw CheckCondition.invalidCdbField(2, -1);
    }
    if (allocation < 16) {
      throw CheckCondition.invalidCdbField(6, -1);
    }
    // Well-known LUNs (select 01h) we have none of; 10h-12h concern administrative LUNs.
    List<Integer> luns = select == 0x01 || select == 0x11 ? List.of() : target.visibleLuns(nexus);
    byte[] b = new byte[8 + 8 * luns.size()];
    Cdb.put32(b, 0, 8L * luns.size());
    int i = 8;
    for (int lun : luns) {
      Cdb.put64(b, i, LogicalUnitTarget.encodeLun(lun));
      i += 8;
    }
    return Responses.data(b, allocation);
  }

  /**
   * REPORT TARGET PORT GROUPS, implicit ALUA. A single engine has one active/optimized group per
   * target port; an engine of a highly available array reports its own group and the other
   * engine's, each in its state (see {@link AsymmetricAccess}).
   */
  ScsiResponse reportTargetPortGroups(Request r) throws CheckCondition {
    byte[] cdb = r.cdb();
    int format = (cdb[1] >> 5) & 0x07;
    if (format > 1) {
      throw CheckCondition.invalidCdbField(1, 7);
    }
    long allocation = Cdb.u32(cdb, 6);
    List<byte[]> groups = new ArrayList<>();
    AsymmetricAccess alua = r.target().asymmetricAccess();
    if (alua == null) {
      for (int port : r.target().targetPorts()) {
        // PREF; AO_SUP; the group is the port; status: implicit (the target chose the state)
        groups.add(portGroupDescriptor(0x80, 0x01, port, List.of(port)));
      }
    } else {
      int own = alua.ownGroup();
      int peer = alua.peerGroup();
      // No PREF: either engine may be the active one. S_SUP, AO_SUP (never transitioning).
      groups.add(portGroupDescriptor(alua.own().code, 0x05, own, alua.portsOf(own)));
      groups.add(portGroupDescriptor(alua.peer().code, 0x05, peer, alua.portsOf(peer)));
      groups.sort((a, b) -> Integer.compare(Cdb.u16(a, 2), Cdb.u16(b, 2)));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[format == 1 ? 8 : 4]);
    groups.forEach(out::writeBytes);
    byte[] b = out.toByteArray();
    Cdb.put32(b, 0, b.length - 4L);
    if (format == 1) {
      b[4] = 0x10; // FORMAT TYPE 001b: extended header
      b[5] = 0; // IMPLICIT TRANSITION TIME: not given
    }
    return Responses.data(b, allocation);
  }

  /** One target port group descriptor (SPC-4 6.37, table 282). */
  private static byte[] portGroupDescriptor(int stateByte, int supported, int group,
      List<Integer> ports) {
    byte[] d = new byte[8 + 4 * ports.size()];
    d[0] = (byte) stateByte;
    d[1] = (byte) supported;
    Cdb.put16(d, 2, group);
    d[5] = 0x02; // STATUS CODE: altered by implicit asymmetric access behaviour
    d[7] = (byte) ports.size();
    for (int i = 0; i < ports.size(); i++) {
      Cdb.put16(d, 8 + 4 * i + 2, ports.get(i));
    }
    return d;
  }

  ScsiResponse reportSupportedOpcodes(Request r) throws CheckCondition {
    byte[] cdb = r.cdb();
    boolean rctd = (cdb[2] & 0x80) != 0;
    int options = cdb[2] & 0x07;
    int opcode = Cdb.u8(cdb, 3);
    int sa = Cdb.u16(cdb, 4);
    long allocation = Cdb.u32(cdb, 6);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (options == 0) {
      out.writeBytes(new byte[4]);
      for (Command c : commands.all()) {
        byte[] d = new byte[8];
        d[0] = (byte) c.opcode();
        if (c.serviceAction() >= 0) {
          Cdb.put16(d, 2, c.serviceAction());
          d[5] |= 0x01; // SERVACTV
        }
        if (rctd) {
          d[5] |= 0x02; // CTDP
        }
        Cdb.put16(d, 6, c.cdbLength());
        out.writeBytes(d);
        if (rctd) {
          out.writeBytes(timeoutsDescriptor());
        }
      }
      byte[] b = out.toByteArray();
      Cdb.put32(b, 0, b.length - 4L);
      return Responses.data(b, allocation);
    }
    Command c;
    boolean hasSa = CommandSet.hasServiceAction(opcode);
    switch (options) {
      case 1:
        if (hasSa) {
          throw CheckCondition.invalidCdbField(2, 2);
        }
        c = commands.find(opcode, -1);
        break;
      case 2:
        if (!hasSa) {
          throw CheckCondition.invalidCdbField(2, 2);
        }
        c = commands.find(opcode, sa);
        break;
      case 3:
        c = commands.find(opcode, hasSa ? sa : -1);
        break;
      default:
        throw CheckCondition.invalidCdbField(2, 2);
    }
    byte[] usage = c == null ? new byte[0] : c.usage();
    out.write(0);
    out.write((rctd ? 0x80 : 0) | (c == null ? 0x01 : 0x03)); // CTDP, SUPPORT
    out.write(usage.length >> 8);
    out.write(usage.length);
    out.writeBytes(usage);
    if (rctd) {
      out.writeBytes(timeoutsDescriptor());
    }
    return Responses.data(out.toByteArray(), allocation);
  }

  /** A command timeouts descriptor: no nominal time, 30 s recommended. */
  private static byte[] timeoutsDescriptor() {
    byte[] t = new byte[12];
    Cdb.put16(t, 0, 0x0a);
    Cdb.put32(t, 8, 30);
    return t;
  }

  /** ABORT TASK, ABORT TASK SET, LOGICAL UNIT RESET and (warm) TARGET RESET. */
  ScsiResponse reportSupportedTmfs(Request r) {
    boolean extended = (r.cdb()[2] & 0x80) != 0;
    byte[] b = new byte[extended ? 16 : 4];
    b[0] = (byte) (0x80 | 0x40 | 0x08 | 0x02); // ATS ATSS LURS TRS
    if (extended) {
      b[3] = 0x0c; // ADDITIONAL DATA LENGTH
    }
    return Responses.data(b, Cdb.u32(r.cdb(), 6));
  }
}
