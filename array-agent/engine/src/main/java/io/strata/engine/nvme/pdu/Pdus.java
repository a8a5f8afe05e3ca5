package io.strata.engine.nvme.pdu;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Builds each PDU type with its fields at the byte offsets of the NVMe/TCP transport binding,
 * and reads them back. Offsets are from the PDU's first byte (the common header is bytes 0-7).
 */
public final class Pdus {
  private Pdus() {}

  private static final ByteBuffer NO_DATA = ByteBuffer.allocate(0);

  /** DGST bit 0 of ICReq/ICResp: header digests. */
  public static final int DIGEST_HEADER = 0x01;
  /** DGST bit 1 of ICReq/ICResp: data digests. */
  public static final int DIGEST_DATA = 0x02;

  /** The size of a submission queue entry (an NVMe command) in a command capsule. */
  public static final int SQE_LENGTH = 64;
  /** The size of a completion queue entry in a response capsule. */
  public static final int CQE_LENGTH = 16;

  // ICReq: PFV u16 @8, HPDA u8 @10, DGST u8 @11, MAXR2T u32 @12 (0's based).
  public static Pdu icReq(int hpda, int digests, int maxR2t) {
    Pdu pdu = Pdu.blank(PduType.IC_REQ, 0, NO_DATA);
    pdu.fields().putShort(8, (short) 0).put(10, (byte) hpda).put(11, (byte) digests)
        .putInt(12, maxR2t);
    return pdu;
  }

  public static int pfv(Pdu icReqOrResp) {
    return icReqOrResp.fields().getShort(8) & 0xffff;
  }

  /** HPDA of an ICReq, CPDA of an ICResp: data alignment is (this + 1) * 4 bytes. */
  public static int dataAlignment(Pdu icReqOrResp) {
    return icReqOrResp.fields().get(10) & 0xff;
  }

  public static int digests(Pdu icReqOrResp) {
    return icReqOrResp.fields().get(11) & 0xff;
  }

  public static long maxR2t(Pdu icReq) {
    return Integer.toUnsignedLong(icReq.fields().getInt(12));
  }

  // ICResp: PFV u16 @8, CPDA u8 @10, DGST u8 @11, MAXH2CDATA u32 @12.
  public static Pdu icResp(int cpda, int digests, int maxH2cData) {
    Pdu pdu = Pdu.blank(PduType.IC_RESP, 0, NO_DATA);
    pdu.fields().putShort(8, (short) 0).put(10, (byte) cpda).put(11, (byte) digests)
        .putInt(12, maxH2cData);
    return pdu;
  }

  public static long maxH2cData(Pdu icResp) {
    return Integer.toUnsignedLong(icResp.fields().getInt(12));
  }

  // CapsuleCmd: the 64-byte SQE @8, then in-capsule data (if any) at PDO.
  public static Pdu capsuleCommand(byte[] sqe, ByteBuffer inCapsuleData) {
    if (sqe.length != SQE_LENGTH) {
      throw new IllegalArgumentException("an SQE is 64 bytes, not " + sqe.length);
    }
    Pdu pdu = Pdu.blank(PduType.CAPSULE_CMD, 0, inCapsuleData == null ? NO_DATA : inCapsuleData);
    pdu.fields().put(8, sqe);
    return pdu;
  }

  public static byte[] sqe(Pdu capsuleCommand) {
    return Arrays.copyOfRange(capsuleCommand.header(), 8, 8 + SQE_LENGTH);
  }

  // CapsuleResp: the 16-byte CQE @8.
  public static Pdu capsuleResponse(byte[] cqe) {
    if (cqe.length != CQE_LENGTH) {
      throw new IllegalArgumentException("a CQE is 16 bytes, not " + cqe.length);
    }
    Pdu pdu = Pdu.blank(PduType.CAPSULE_RESP, 0, NO_DATA);
    pdu.fields().put(8, cqe);
    return pdu;
  }

  public static byte[] cqe(Pdu capsuleResponse) {
    return Arrays.copyOfRange(capsuleResponse.header(), 8, 8 + CQE_LENGTH);
  }

  // H2CData/C2HData: CCCID u16 @8, TTAG u16 @10 (H2C), DATAO u32 @12, DATAL u32 @16.
  public static Pdu h2cData(int cccid, int ttag, int offset, ByteBuffer data, boolean last) {
    return dataPdu(PduType.H2C_DATA, cccid, ttag, offset, data, last ? Pdu.FLAG_LAST_PDU : 0);
  }

  public static Pdu c2hData(int cccid, int offset, ByteBuffer data, boolean last) {
    return dataPdu(PduType.C2H_DATA, cccid, 0, offset, data, last ? Pdu.FLAG_LAST_PDU : 0);
  }

  private static Pdu dataPdu(PduType type, int cccid, int ttag, int offset, ByteBuffer data,
      int flags) {
    Pdu pdu = Pdu.blank(type, flags, data);
    pdu.fields().putShort(8, (short) cccid).putShort(10, (short) ttag).putInt(12, offset)
        .putInt(16, data.remaining());
    return pdu;
  }

  /** CCCID of H2CData, C2HData and R2T: the command identifier the PDU belongs to. */
  public static int commandId(Pdu pdu) {
    return pdu.fields().getShort(8) & 0xffff;
  }

  /** TTAG of H2CData and R2T: the transfer the controller asked for. */
  public static int transferTag(Pdu pdu) {
    return pdu.fields().getShort(10) & 0xffff;
  }

  /** DATAO of H2CData/C2HData, R2TO of R2T. */
  public static long dataOffset(Pdu pdu) {
    return Integer.toUnsignedLong(pdu.fields().getInt(12));
  }

  /** DATAL of H2CData/C2HData, R2TL of R2T. */
  public static long dataLength(Pdu pdu) {
    return Integer.toUnsignedLong(pdu.fields().getInt(16));
  }

  // R2T: CCCID u16 @8, TTAG u16 @10, R2TO u32 @12, R2TL u32 @16.
  public static Pdu r2t(int cccid, int ttag, int offset, int length) {
    Pdu pdu = Pdu.blank(PduType.R2T, 0, NO_DATA);
    pdu.fields().putShort(8, (short) cccid).putShort(10, (short) ttag).putInt(12, offset)
        .putInt(16, length);
    return pdu;
  }

  // TermReq: FES u16 @8, FEI u32 @10, then as data the offending PDU header (at most 128 bytes).
  public static Pdu termReq(PduType type, int fes, int fei, byte[] offendingHeader) {
    byte[] data = Arrays.copyOf(offendingHeader, Math.min(offendingHeader.length, 128));
    Pdu pdu = Pdu.blank(type, 0, ByteBuffer.wrap(data));
    pdu.fields().putShort(8, (short) fes).putInt(10, fei);
    return pdu;
  }

  public static int terminationStatus(Pdu termReq) {
    return termReq.fields().getShort(8) & 0xffff;
  }
}
