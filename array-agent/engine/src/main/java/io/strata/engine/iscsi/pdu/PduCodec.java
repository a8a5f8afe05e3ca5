package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The wire layout of every PDU (RFC 7143 section 11): turns a received header and data segment
 * into a record, and a record into header bytes. Stateless; framing is {@link PduDecoder}'s job.
 */
public final class PduCodec {
  public static final int BHS_LENGTH = 48;
  private static final int AHS_EXTENDED_CDB = 1;
  private static final int AHS_BIDI_READ_LENGTH = 2;

  private PduCodec() {}

  /** Thrown for a header whose fields make no sense; the decoder turns it into a Reject. */
  public static final class InvalidPduException extends Exception {
    final int rejectReason;

    InvalidPduException(int rejectReason, String message) {
      super(message);
      this.rejectReason = rejectReason;
    }

    /** The Reject reason code (RFC 7143 11.17.1) this problem earns. */
    public int rejectReason() {
      return rejectReason;
    }
  }

  // ---------------------------------------------------------------- decoding (initiator PDUs)

  /** Builds the record for a received header, its AHS bytes and its data segment. */
  public static Pdu decode(byte[] bhs, byte[] ahs, ByteBuffer data) throws InvalidPduException {
    Opcode opcode = Opcode.of(bhs[0]);
    if (opcode == null || !opcode.fromInitiator()) {
      throw new InvalidPduException(
          Reject.COMMAND_NOT_SUPPORTED, "opcode 0x" + Integer.toHexString(bhs[0] & 0x3f));
    }
    boolean immediate = (bhs[0] & 0x40) != 0;
    int flags = bhs[1] & 0xff;
    long lun = get64(bhs, 8);
    int itt = get32(bhs, 16);
    if (opcode != Opcode.SCSI_COMMAND && ahs.length > 0) {
      throw new InvalidPduException(Reject.PROTOCOL_ERROR, opcode + " with an AHS");
    }
    switch (opcode) {
      case NOP_OUT:
        return new NopOut(immediate, lun, itt, get32(bhs, 20), get32(bhs, 24), get32(bhs, 28), data);
      case SCSI_COMMAND:
        return new ScsiCommandPdu(
            immediate,
            (flags & 0x80) != 0,
            (flags & 0x40) != 0,
            (flags & 0x20) != 0,
            flags & 0x07,
            lun,
            itt,
            get32(bhs, 20),
            get32(bhs, 24),
            get32(bhs, 28),
            cdb(bhs, ahs),
            data);
      case TASK_MANAGEMENT_REQUEST:
        requireNoData(opcode, data);
        return new TaskManagementRequest(
            immediate,
            flags & 0x7f,
            lun,
            itt,
            get32(bhs, 20),
            get32(bhs, 24),
            get32(bhs, 28),
            get32(bhs, 32),
            get32(bhs, 36));
      case LOGIN_REQUEST:
        return new LoginRequest(
            (flags & 0x80) != 0,
            (flags & 0x40) != 0,
            (flags >> 2) & 3,
            flags & 3,
            bhs[2] & 0xff,
            bhs[3] & 0xff,
            get48(bhs, 8),
            get16(bhs, 14),
            itt,
            get16(bhs, 20),
            get32(bhs, 24),
            get32(bhs, 28),
            data);
      case TEXT_REQUEST:
        return new TextRequest(
            immediate,
            (flags & 0x80) != 0,
            (flags & 0x40) != 0,
            lun,
            itt,
            get32(bhs, 20),
            get32(bhs, 24),
            get32(bhs, 28),
            data);
      case DATA_OUT:
        return new DataOut(
            (flags & 0x80) != 0,
            lun,
            itt,
            get32(bhs, 20),
            get32(bhs, 28),
            get32(bhs, 36),
            get32(bhs, 40),
            data);
      case LOGOUT_REQUEST:
        requireNoData(opcode, data);
        return new LogoutRequest(
            immediate, flags & 0x7f, itt, get16(bhs, 20), get32(bhs, 24), get32(bhs, 28));
      case SNACK_REQUEST:
        return new SnackRequest(
            flags & 0x0f, lun, itt, get32(bhs, 20), get32(bhs, 28), get32(bhs, 40), get32(bhs, 44));
      default:
        throw new IllegalStateException("unreachable: " + opcode);
    }
  }

  // ---------------------------------------------------------------- decoding (target PDUs)

  /**
   * Builds the record for a header a target sent, for the engine's own initiator (remote
   * drives). The mirror image of {@link #decode}: only target opcodes are accepted.
   */
  public static Pdu decodeFromTarget(byte[] bhs, byte[] ahs, ByteBuffer data)
      throws InvalidPduException {
    Opcode opcode = Opcode.of(bhs[0]);
    if (opcode == null || opcode.fromInitiator()) {
      throw new InvalidPduException(
          Reject.COMMAND_NOT_SUPPORTED, "opcode 0x" + Integer.toHexString(bhs[0] & 0x3f));
    }
    if (ahs.length > 0) {
      throw new InvalidPduException(Reject.PROTOCOL_ERROR, opcode + " with an AHS");
    }
    int flags = bhs[1] & 0xff;
    long lun = get64(bhs, 8);
    int itt = get32(bhs, 16);
    int statSn = get32(bhs, 24);
    int expCmdSn = get32(bhs, 28);
    int maxCmdSn = get32(bhs, 32);
    return switch (opcode) {
      case NOP_IN -> new NopIn(lun, itt, get32(bhs, 20), statSn, expCmdSn, maxCmdSn, data);
      case SCSI_RESPONSE -> new ScsiResponsePdu((flags & 0x04) != 0, (flags & 0x02) != 0,
          bhs[2] & 0xff, bhs[3] & 0xff, itt, statSn, expCmdSn, maxCmdSn, get32(bhs, 36),
          get32(bhs, 44), data);
      case TASK_MANAGEMENT_RESPONSE -> new TaskManagementResponse(bhs[2] & 0xff, itt, statSn,
          expCmdSn, maxCmdSn);
      case LOGIN_RESPONSE -> new LoginResponse((flags & 0x80) != 0, (flags & 0x40) != 0,
          (flags >> 2) & 3, flags & 3, bhs[2] & 0xff, bhs[3] & 0xff, get48(bhs, 8),
          get16(bhs, 14), itt, statSn, expCmdSn, maxCmdSn, bhs[36] & 0xff, bhs[37] & 0xff, data);
      case TEXT_RESPONSE -> new TextResponse((flags & 0x80) != 0, (flags & 0x40) != 0, lun, itt,
          get32(bhs, 20), statSn, expCmdSn, maxCmdSn, data);
      case DATA_IN -> new DataIn((flags & 0x80) != 0, (flags & 0x04) != 0, (flags & 0x02) != 0,
          (flags & 0x01) != 0, bhs[3] & 0xff, lun, itt, statSn, expCmdSn, maxCmdSn,
          get32(bhs, 36), get32(bhs, 40), get32(bhs, 44), data);
      case LOGOUT_RESPONSE -> new LogoutResponse(bhs[2] & 0xff, itt, statSn, expCmdSn, maxCmdSn,
          get16(bhs, 40), get16(bhs, 42));
      case READY_TO_TRANSFER -> new ReadyToTransfer(lun, itt, get32(bhs, 20), statSn, expCmdSn,
          maxCmdSn, get32(bhs, 36), get32(bhs, 40), get32(bhs, 44));
      case ASYNC_MESSAGE -> new AsyncMessage(lun, statSn, expCmdSn, maxCmdSn, bhs[36] & 0xff,
          get16(bhs, 38), get16(bhs, 40), get16(bhs, 42));
      case REJECT -> new Reject(bhs[2] & 0xff, statSn, expCmdSn, maxCmdSn, get32(bhs, 36), data);
      default -> throw new IllegalStateException("unreachable: " + opcode);
    };
  }

  private static void requireNoData(Opcode opcode, ByteBuffer data) throws InvalidPduException {
    if (data.hasRemaining()) {
      throw new InvalidPduException(Reject.PROTOCOL_ERROR, opcode + " with a data segment");
    }
  }

  /** The CDB: 16 bytes from the BHS, extended by an Extended CDB AHS when present. */
  private static byte[] cdb(byte[] bhs, byte[] ahs) throws InvalidPduException {
    if (ahs.length == 0) {
      return Arrays.copyOfRange(bhs, 32, 48); // the common case: a CDB of up to 16 bytes
    }
    byte[] extension = new byte[0];
    int at = 0;
    while (at < ahs.length) {
      if (ahs.length - at < 4) {
        throw new InvalidPduException(Reject.PROTOCOL_ERROR, "truncated AHS");
      }
      int length = get16(ahs, at);
      int type = ahs[at + 2] & 0xff;
      int padded = 4 + ((length - 1 + 3) & ~3);
      if (length < 1 || at + 3 + length > ahs.length) {
        throw new InvalidPduException(Reject.PROTOCOL_ERROR, "AHS length " + length);
      }
      if (type == AHS_EXTENDED_CDB) {
        extension = Arrays.copyOfRange(ahs, at + 4, at + 3 + length);
      } else if (type != AHS_BIDI_READ_LENGTH) {
        throw new InvalidPduException(Reject.PROTOCOL_ERROR, "AHS type " + type);
      }
      at += padded;
    }
    byte[] cdb = Arrays.copyOf(Arrays.copyOfRange(bhs, 32, 48), 16 + extension.length);
    System.arraycopy(extension, 0, cdb, 16, extension.length);
    return cdb;
  }

  // ---------------------------------------------------------------- encoding (any PDU)

  /** The 48-byte BHS of {@code pdu}, DataSegmentLength taken from its data. */
  public static byte[] encodeHeader(Pdu pdu) {
    byte[] h = new byte[BHS_LENGTH];
    h[0] = (byte) pdu.opcode().code();
    put24(h, 5, pdu.data().remaining());
    if (pdu instanceof NopOut p) {
      immediate(h, p.immediate());
      h[1] = (byte) 0x80;
      put64(h, 8, p.lun());
      put32(h, 16, p.itt());
      put32(h, 20, p.ttt());
      put32(h, 24, p.cmdSn());
      put32(h, 28, p.expStatSn());
    } else if (pdu instanceof ScsiCommandPdu p) {
      immediate(h, p.immediate());
      h[1] =
          (byte)
              ((p.finalPdu() ? 0x80 : 0)
                  | (p.read() ? 0x40 : 0)
                  | (p.write() ? 0x20 : 0)
                  | (p.taskAttribute() & 7));
      put64(h, 8, p.lun());
      put32(h, 16, p.itt());
      put32(h, 20, p.expectedDataTransferLength());
      put32(h, 24, p.cmdSn());
      put32(h, 28, p.expStatSn());
      System.arraycopy(p.cdb(), 0, h, 32, Math.min(16, p.cdb().length));
    } else if (pdu instanceof TaskManagementRequest p) {
      immediate(h, p.immediate());
      h[1] = (byte) (0x80 | p.function());
      put64(h, 8, p.lun());
      put32(h, 16, p.itt());
      put32(h, 20, p.referencedTaskTag());
      put32(h, 24, p.cmdSn());
      put32(h, 28, p.expStatSn());
      put32(h, 32, p.refCmdSn());
      put32(h, 36, p.expDataSn());
    } else if (pdu instanceof LoginRequest p) {
      immediate(h, true);
      h[1] = stages(p.transit(), p.continues(), p.currentStage(), p.nextStage());
      h[2] = (byte) p.versionMax();
      h[3] = (byte) p.versionMin();
      put48(h, 8, p.isid());
      put16(h, 14, p.tsih());
      put32(h, 16, p.itt());
      put16(h, 20, p.cid());
      put32(h, 24, p.cmdSn());
      put32(h, 28, p.expStatSn());
    } else if (pdu instanceof TextRequest p) {
      immediate(h, p.immediate());
      h[1] = (byte) ((p.finalPdu() ? 0x80 : 0) | (p.continues() ? 0x40 : 0));
      put64(h, 8, p.lun());
      put32(h, 16, p.itt());
      put32(h, 20, p.ttt());
      put32(h, 24, p.cmdSn());
      put32(h, 28, p.expStatSn());
    } else if (pdu instanceof DataOut p) {
      h[1] = (byte) (p.finalPdu() ? 0x80 : 0);
      put64(h, 8, p.lun());
      put32(h, 16, p.itt());
      put32(h, 20, p.ttt());
      put32(h, 28, p.expStatSn());
      put32(h, 36, p.dataSn());
      put32(h, 40, p.bufferOffset());
    } else if (pdu instanceof LogoutRequest p) {
      immediate(h, p.immediate());
      h[1] = (byte) (0x80 | p.reason());
      put32(h, 16, p.itt());
      put16(h, 20, p.cid());
      put32(h, 24, p.cmdSn());
      put32(h, 28, p.expStatSn());
    } else if (pdu instanceof SnackRequest p) {
      h[1] = (byte) (0x80 | p.type());
      put64(h, 8, p.lun());
      put32(h, 16, p.itt());
      put32(h, 20, p.ttt());
      put32(h, 28, p.expStatSn());
      put32(h, 40, p.begRun());
      put32(h, 44, p.runLength());
    } else if (pdu instanceof NopIn p) {
      h[1] = (byte) 0x80;
      put64(h, 8, p.lun());
      put32(h, 16, p.itt());
      put32(h, 20, p.ttt());
      statusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
    } else if (pdu instanceof ScsiResponsePdu p) {
      h[1] = (byte) (0x80 | (p.overflow() ? 0x04 : 0) | (p.underflow() ? 0x02 : 0));
      h[2] = (byte) p.response();
      h[3] = (byte) p.status();
      put32(h, 16, p.itt());
      statusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
      put32(h, 36, p.expDataSn());
      put32(h, 44, p.residualCount());
    } else if (pdu instanceof TaskManagementResponse p) {
      h[1] = (byte) 0x80;
      h[2] = (byte) p.response();
      put32(h, 16, p.itt());
      statusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
    } else if (pdu instanceof LoginResponse p) {
      h[1] = stages(p.transit(), p.continues(), p.currentStage(), p.nextStage());
      h[2] = (byte) p.versionMax();
      h[3] = (byte) p.versionActive();
      put48(h, 8, p.isid());
      put16(h, 14, p.tsih());
      put32(h, 16, p.itt());
      statusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
      h[36] = (byte) p.statusClass();
      h[37] = (byte) p.statusDetail();
    } else if (pdu instanceof TextResponse p) {
      h[1] = (byte) ((p.finalPdu() ? 0x80 : 0) | (p.continues() ? 0x40 : 0));
      put64(h, 8, p.lun());
      put32(h, 16, p.itt());
      put32(h, 20, p.ttt());
      statusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
    } else if (pdu instanceof DataIn p) {
      h[1] =
          (byte)
              ((p.finalPdu() ? 0x80 : 0)
                  | (p.statusPresent() && p.overflow() ? 0x04 : 0)
                  | (p.statusPresent() && p.underflow() ? 0x02 : 0)
                  | (p.statusPresent() ? 0x01 : 0));
      h[3] = (byte) (p.statusPresent() ? p.status() : 0);
      put64(h, 8, p.lun());
      put32(h, 16, p.itt());
      put32(h, 20, -1);
      statusNumbers(h, p.statusPresent() ? p.statSn() : 0, p.expCmdSn(), p.maxCmdSn());
      put32(h, 36, p.dataSn());
      put32(h, 40, p.bufferOffset());
      put32(h, 44, p.statusPresent() ? p.residualCount() : 0);
    } else if (pdu instanceof LogoutResponse p) {
      h[1] = (byte) 0x80;
      h[2] = (byte) p.response();
      put32(h, 16, p.itt());
      statusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
      put16(h, 40, p.time2Wait());
      put16(h, 42, p.time2Retain());
    } else if (pdu instanceof ReadyToTransfer p) {
      h[1] = (byte) 0x80;
      put64(h, 8, p.lun());
      put32(h, 16, p.itt());
      put32(h, 20, p.ttt());
      statusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
      put32(h, 36, p.r2tSn());
      put32(h, 40, p.bufferOffset());
      put32(h, 44, p.desiredLength());
    } else if (pdu instanceof AsyncMessage p) {
      h[1] = (byte) 0x80;
      put64(h, 8, p.lun());
      put32(h, 16, -1);
      statusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
      h[36] = (byte) p.event();
      put16(h, 38, p.parameter1());
      put16(h, 40, p.parameter2());
      put16(h, 42, p.parameter3());
    } else if (pdu instanceof Reject p) {
      h[1] = (byte) 0x80;
      h[2] = (byte) p.reason();
      put32(h, 16, -1);
      statusNumbers(h, p.statSn(), p.expCmdSn(), p.maxCmdSn());
      put32(h, 36, p.dataSn());
    }
    return h;
  }

  /**
   * The complete wire form of {@code pdu}: header (+ digest), data, padding (+ digest). The data
   * buffer is shared, not copied.
   */
  public static ByteBuffer[] encode(Pdu pdu, boolean headerDigest, boolean dataDigest) {
    byte[] header = encodeHeader(pdu);
    ByteBuffer head = ByteBuffer.allocate(BHS_LENGTH + (headerDigest ? 4 : 0));
    head.put(header);
    if (headerDigest) {
      putLittleEndian32(head, Digests.crc32c(ByteBuffer.wrap(header)));
    }
    head.flip();
    ByteBuffer data = pdu.data().duplicate();
    if (!data.hasRemaining()) {
      return new ByteBuffer[] {head};
    }
    int pad = Digests.padding(data.remaining());
    ByteBuffer tail = ByteBuffer.allocate(pad + (dataDigest ? 4 : 0));
    tail.position(pad);
    if (dataDigest) {
      putLittleEndian32(tail, Digests.dataDigest(data));
    }
    tail.flip();
    return new ByteBuffer[] {head, data, tail};
  }

  /** {@link #encode} into one array, for tests and small control PDUs. */
  public static byte[] encodeToBytes(Pdu pdu, boolean headerDigest, boolean dataDigest) {
    ByteBuffer[] parts = encode(pdu, headerDigest, dataDigest);
    int total = 0;
    for (ByteBuffer part : parts) {
      total += part.remaining();
    }
    ByteBuffer all = ByteBuffer.allocate(total);
    for (ByteBuffer part : parts) {
      all.put(part.duplicate());
    }
    return all.array();
  }

  static void putLittleEndian32(ByteBuffer to, int value) {
    to.put((byte) value).put((byte) (value >>> 8)).put((byte) (value >>> 16)).put((byte) (value >>> 24));
  }

  static int getLittleEndian32(byte[] from, int at) {
    return (from[at] & 0xff)
        | (from[at + 1] & 0xff) << 8
        | (from[at + 2] & 0xff) << 16
        | (from[at + 3] & 0xff) << 24;
  }

  private static void immediate(byte[] h, boolean immediate) {
    if (immediate) {
      h[0] |= 0x40;
    }
  }

  private static byte stages(boolean transit, boolean cont, int csg, int nsg) {
    return (byte) ((transit ? 0x80 : 0) | (cont ? 0x40 : 0) | (csg & 3) << 2 | (transit ? nsg & 3 : 0));
  }

  private static void statusNumbers(byte[] h, int statSn, int expCmdSn, int maxCmdSn) {
    put32(h, 24, statSn);
    put32(h, 28, expCmdSn);
    put32(h, 32, maxCmdSn);
  }

  public static int get16(byte[] b, int at) {
    return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
  }

  public static int get24(byte[] b, int at) {
    return (b[at] & 0xff) << 16 | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff);
  }

  public static int get32(byte[] b, int at) {
    return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
  }

  static long get48(byte[] b, int at) {
    return ((long) get16(b, at) << 32) | (get32(b, at + 2) & 0xffffffffL);
  }

  public static long get64(byte[] b, int at) {
    return ((long) get32(b, at) << 32) | (get32(b, at + 4) & 0xffffffffL);
  }

  static void put16(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 8);
    b[at + 1] = (byte) v;
  }

  static void put24(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 16);
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) v;
  }

  static void put32(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  static void put48(byte[] b, int at, long v) {
    put16(b, at, (int) (v >>> 32));
    put32(b, at + 2, (int) v);
  }

  static void put64(byte[] b, int at, long v) {
    put32(b, at, (int) (v >>> 32));
    put32(b, at + 4, (int) v);
  }
}
