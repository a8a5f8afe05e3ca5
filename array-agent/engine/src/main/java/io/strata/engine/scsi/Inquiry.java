package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiSpec.*;

import io.strata.engine.block.BlockDevice;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Standard INQUIRY data and the vital product data pages (SPC-4 6.6, 7.8; SBC-3 6.6). */
final class Inquiry {
  private Inquiry() {}

  static final int VPD_SUPPORTED_PAGES = 0x00;
  static final int VPD_UNIT_SERIAL_NUMBER = 0x80;
  static final int VPD_DEVICE_IDENTIFICATION = 0x83;
  static final int VPD_EXTENDED_INQUIRY = 0x86;
  static final int VPD_THIRD_PARTY_COPY = 0x8f;
  static final int VPD_BLOCK_LIMITS = 0xb0;
  static final int VPD_BLOCK_DEVICE_CHARACTERISTICS = 0xb1;
  static final int VPD_LOGICAL_BLOCK_PROVISIONING = 0xb2;

  private static final int[] PAGES = {
    VPD_SUPPORTED_PAGES, VPD_UNIT_SERIAL_NUMBER, VPD_DEVICE_IDENTIFICATION, VPD_EXTENDED_INQUIRY,
    VPD_THIRD_PARTY_COPY, VPD_BLOCK_LIMITS, VPD_BLOCK_DEVICE_CHARACTERISTICS, VPD_LOGICAL_BLOCK_PROVISIONING
  };

  /** Version descriptors: SAM-5, iSCSI, SPC-4, SBC-3. */
  private static final int[] VERSION_DESCRIPTORS = {0x00a0, 0x0960, 0x0460, 0x04c0};

  /** The 96 bytes of standard INQUIRY data. */
  static byte[] standard(LogicalUnit lu) {
    byte[] b = new byte[96];
    b[0] = 0x00; // peripheral qualifier 0, direct access block device
    b[1] = 0x00; // not removable
    b[2] = 0x06; // SPC-4
    b[3] = 0x12; // HISUP, response data format 2
    b[4] = (byte) (b.length - 5);
    b[5] = 0x10 | 0x08; // TPGS=01b (implicit ALUA), 3PC (EXTENDED COPY)
    b[6] = 0x00;
    b[7] = 0x02; // CMDQUE
    ascii(b, 8, 8, LogicalUnit.VENDOR);
    ascii(b, 16, 16, LogicalUnit.PRODUCT);
    ascii(b, 32, 4, LogicalUnit.REVISION);
    for (int i = 0; i < VERSION_DESCRIPTORS.length; i++) {
      Cdb.put16(b, 58 + 2 * i, VERSION_DESCRIPTORS[i]);
    }
    return b;
  }

  private static void ascii(byte[] b, int off, int len, String s) {
    for (int i = 0; i < len; i++) {
      b[off + i] = (byte) (i < s.length() ? s.charAt(i) : ' ');
    }
  }

  static byte[] vpd(Request r, int page) throws CheckCondition {
    switch (page) {
      case VPD_SUPPORTED_PAGES:
        {
          byte[] list = new byte[PAGES.length];
          for (int i = 0; i < PAGES.length; i++) {
            list[i] = (byte) PAGES[i];
          }
          return page(page, list);
        }
      case VPD_UNIT_SERIAL_NUMBER:
        return page(page, r.lu().serial().getBytes(StandardCharsets.US_ASCII));
      case VPD_DEVICE_IDENTIFICATION:
        return page(page, deviceIdentification(r));
      case VPD_EXTENDED_INQUIRY:
        {
          byte[] p = new byte[60];
          p[1] = 0x07; // HEADSUP, ORDSUP, SIMPSUP: the task attributes we accept
          p[2] = 0x01; // V_SUP: VERIFY with a write cache checks the medium
          p[4] = 0x01; // LUICLR: a unit attention is cleared for the nexus that received it
          return page(page, p);
        }
      case VPD_THIRD_PARTY_COPY:
        return page(page, thirdPartyCopy());
      case VPD_BLOCK_LIMITS:
        return page(page, blockLimits(r.lu().device()));
      case VPD_BLOCK_DEVICE_CHARACTERISTICS:
        {
          byte[] p = new byte[60];
          Cdb.put16(p, 0, 0x0001); // MEDIUM ROTATION RATE: non-rotating
          return page(page, p);
        }
      case VPD_LOGICAL_BLOCK_PROVISIONING:
        return page(page, provisioning(r.lu().device()));
      default:
        throw CheckCondition.invalidCdbField(2, -1);
    }
  }

  private static byte[] page(int code, byte[] body) {
    byte[] b = new byte[4 + body.length];
    b[1] = (byte) code;
    Cdb.put16(b, 2, body.length);
    System.arraycopy(body, 0, b, 4, body.length);
    return b;
  }

  /**
   * Designators: the logical unit's NAA id and T10 vendor id, the relative target port and its
   * target port group (for ALUA), and the target port's and target device's SCSI names.
   */
  private static byte[] deviceIdentification(Request r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // NAA, binary, associated with the logical unit.
    designator(out, 0x01, 0x03, r.lu().naa());
    // T10 vendor id: vendor then the serial, ASCII, logical unit.
    String t10 = String.format("%-8s%s", LogicalUnit.VENDOR, r.lu().serial());
    designator(out, 0x02, 0x01, t10.getBytes(StandardCharsets.US_ASCII));
    int port = r.nexus().relativeTargetPortId();
    byte[] id = new byte[4];
    Cdb.put16(id, 2, port);
    byte[] group = new byte[4];
    Cdb.put16(group, 2, r.target().targetPortGroup(port));
    // Relative target port (type 4) and target port group (type 5): PIV=1, target port.
    designator(out, (PROTOCOL_ID_ISCSI << 4) | 0x01, 0x80 | 0x10 | 0x04, id);
    designator(out, (PROTOCOL_ID_ISCSI << 4) | 0x01, 0x80 | 0x10 | 0x05, group);
    // SCSI name strings (type 8, UTF-8), of the target port and of the target device.
    String target = r.target().targetName();
    designator(out, (PROTOCOL_ID_ISCSI << 4) | 0x03, 0x80 | 0x10 | 0x08,
        scsiName(target + ",t,0x" + String.format("%04x", port)));
    designator(out, (PROTOCOL_ID_ISCSI << 4) | 0x03, 0x80 | 0x20 | 0x08, scsiName(target));
    return out.toByteArray();
  }

  private static void designator(ByteArrayOutputStream out, int codeSet, int typeAndAssoc,
      byte[] value) {
    out.write(codeSet);
    out.write(typeAndAssoc);
    out.write(0);
    out.write(value.length);
    out.writeBytes(value);
  }

  /** A SCSI name string: UTF-8, NUL-terminated, padded with NULs to a multiple of four. */
  private static byte[] scsiName(String name) {
    byte[] s = name.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[(s.length + 1 + 3) / 4 * 4];
    System.arraycopy(s, 0, b, 0, s.length);
    return b;
  }

  /**
   * Third-party copy page: one Supported Commands descriptor listing EXTENDED COPY (LID1) and the
   * RECEIVE COPY RESULTS service actions we answer.
   */
  private static byte[] thirdPartyCopy() {
    byte[] commands = {
      (byte) EXTENDED_COPY, 1, XCOPY_LID1,
      (byte) RECEIVE_COPY_RESULTS, 2, RCR_COPY_STATUS, RCR_OPERATING_PARAMETERS
    };
    int body = 1 + commands.length;
    int padded = (body + 3) / 4 * 4;
    byte[] d = new byte[4 + padded];
    Cdb.put16(d, 0, 0x0001); // SUPPORTED COMMANDS descriptor
    Cdb.put16(d, 2, padded);
    d[4] = (byte) commands.length;
    System.arraycopy(commands, 0, d, 5, commands.length);
    return d;
  }

  private static byte[] blockLimits(BlockDevice dev) {
    byte[] p = new byte[60];
    int bs = dev.blockSize();
    p[0] = 0x00; // WSNZ=0: WRITE SAME with zero blocks means "to the last block"
    p[1] = (byte) BlockLimits.MAX_COMPARE_AND_WRITE_BLOCKS;
    Cdb.put16(p, 2, Math.max(1, 4096 / bs)); // OPTIMAL TRANSFER LENGTH GRANULARITY
    Cdb.put32(p, 4, BlockLimits.maxTransferBlocks(bs));
    Cdb.put32(p, 8, BlockLimits.OPTIMAL_TRANSFER_BYTES / bs);
    if (dev.thinProvisioned()) {
      Cdb.put32(p, 16, BlockLimits.MAX_UNMAP_BLOCKS);
      Cdb.put32(p, 20, BlockLimits.MAX_UNMAP_DESCRIPTORS);
      Cdb.put32(p, 24, 1); // OPTIMAL UNMAP GRANULARITY: any block
      Cdb.put32(p, 28, 0x8000_0000L); // UGAVALID, alignment 0
    }
    Cdb.put64(p, 32, BlockLimits.MAX_WRITE_SAME_BLOCKS);
    return p;
  }

  private static byte[] provisioning(BlockDevice dev) {
    byte[] p = new byte[4];
    p[0] = 0; // THRESHOLD EXPONENT: no thresholds
    if (dev.thinProvisioned()) {
      p[1] = (byte) (0x80 | 0x40 | 0x20 | 0x04); // LBPU, LBPWS, LBPWS10, LBPRZ
      p[2] = 0x02; // PROVISIONING TYPE: thin
    } else {
      p[1] = 0;
      p[2] = 0x00;
    }
    return p;
  }
}
