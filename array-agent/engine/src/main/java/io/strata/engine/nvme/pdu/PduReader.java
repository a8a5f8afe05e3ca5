package io.strata.engine.nvme.pdu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Frames the bytes of one connection into PDUs, in whatever pieces they arrive. Every length
 * and flag of the common header is checked before anything is buffered, so a PDU claiming more
 * than the agreed maximum costs nothing; digests are verified before a PDU is handed on. The
 * first error is reported once and everything after it is ignored (the connection is closed).
 */
public final class PduReader {

  /** Where decoded PDUs and the one fatal error go. */
  public interface Sink {
    void pdu(Pdu pdu);

    void error(ProtocolError error);
  }

  private static final int COMMON_HEADER = 8;

  private final Set<PduType> accepted;
  private Framing framing;
  private final byte[] common = new byte[COMMON_HEADER];
  private int commonFilled;
  private PduType type;
  private ByteBuffer rest;
  private boolean failed;

  private PduReader(Set<PduType> accepted, Framing framing) {
    this.accepted = accepted;
    this.framing = framing;
  }

  /** A controller's reader: takes what a host sends. */
  public static PduReader forController() {
    return new PduReader(EnumSet.of(PduType.IC_REQ, PduType.H2C_TERM_REQ, PduType.CAPSULE_CMD,
        PduType.H2C_DATA), Framing.INITIAL);
  }

  /** A host's reader (the test initiator): takes what a controller sends. */
  public static PduReader forHost() {
    return new PduReader(EnumSet.of(PduType.IC_RESP, PduType.C2H_TERM_REQ,
        PduType.CAPSULE_RESP, PduType.C2H_DATA, PduType.R2T), Framing.INITIAL);
  }

  /** Applies from the next PDU's first byte (call it from {@link Sink#pdu} of the ICReq/ICResp). */
  public void framing(Framing next) {
    this.framing = next;
  }

  public Framing framing() {
    return framing;
  }

  /** Whether a fatal error was reported: nothing more will be. */
  public boolean failed() {
    return failed;
  }

  /** Consumes all of {@code in}, reporting each complete PDU (or the first error) to {@code sink}. */
  public void feed(ByteBuffer in, Sink sink) {
    while (in.hasRemaining() && !failed) {
      if (rest == null) {
        int n = Math.min(COMMON_HEADER - commonFilled, in.remaining());
        in.get(common, commonFilled, n);
        commonFilled += n;
        if (commonFilled < COMMON_HEADER) {
          return;
        }
        ProtocolError error = checkCommonHeader();
        if (error != null) {
          fail(error, sink);
          return;
        }
        rest = ByteBuffer.allocate(packetLength() - COMMON_HEADER);
      }
      int n = Math.min(rest.remaining(), in.remaining());
      ByteBuffer slice = in.slice(in.position(), n);
      rest.put(slice);
      in.position(in.position() + n);
      if (!rest.hasRemaining()) {
        Object decoded = complete();
        commonFilled = 0;
        rest = null;
        if (decoded instanceof ProtocolError error) {
          fail(error, sink);
          return;
        }
        sink.pdu((Pdu) decoded);
      }
    }
  }

  private void fail(ProtocolError error, Sink sink) {
    failed = true;
    sink.error(error);
  }

  private int flags() {
    return common[1] & 0xff;
  }

  private int headerLength() {
    return common[2] & 0xff;
  }

  private int dataOffset() {
    return common[3] & 0xff;
  }

  /** PLEN as an int; a value past Integer.MAX_VALUE reads negative and is refused as too long. */
  private int packetLength() {
    return ByteBuffer.wrap(common, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  private boolean headerDigest() {
    return framing.headerDigest() && type.headerDigestable();
  }

  private boolean dataDigest() {
    return framing.dataDigest() && type.dataDigestable();
  }

  private ProtocolError error(int status, int offset, String why) {
    return new ProtocolError(status, offset, common, why);
  }

  private ProtocolError checkCommonHeader() {
    type = PduType.of(common[0] & 0xff);
    if (type == null || !accepted.contains(type)) {
      return error(ProtocolError.INVALID_HEADER_FIELD, 0,
          "PDU type " + (common[0] & 0xff) + " is not one this end receives");
    }
    if (headerLength() != type.headerLength()) {
      return error(ProtocolError.INVALID_HEADER_FIELD, 2, type + " HLEN " + headerLength()
          + ", expected " + type.headerLength());
    }
    boolean hd = headerDigest();
    if (((flags() & Pdu.FLAG_HDGST) != 0) != hd) {
      return error(ProtocolError.INVALID_HEADER_FIELD, 1, "HDGSTF " + ((flags() & 1) != 0)
          + " but header digests " + (hd ? "were" : "were not") + " agreed");
    }
    int headerEnd = headerLength() + (hd ? 4 : 0);
    int plen = packetLength();
    if (plen < 0 || plen > framing.maxPduLength()) {
      return error(ProtocolError.DATA_LIMIT_EXCEEDED, 4, type + " PLEN "
          + Integer.toUnsignedString(plen) + " over the limit of " + framing.maxPduLength());
    }
    if (plen < headerEnd) {
      return error(ProtocolError.INVALID_HEADER_FIELD, 4, type + " PLEN " + plen
          + " shorter than its header (" + headerEnd + ")");
    }
    boolean hasData = plen > headerEnd;
    boolean ddFlag = (flags() & Pdu.FLAG_DDGST) != 0;
    if (!hasData) {
      if (ddFlag) {
        return error(ProtocolError.INVALID_HEADER_FIELD, 1, type + " has DDGSTF but no data");
      }
      return null;
    }
    if (!type.carriesData()) {
      return error(ProtocolError.INVALID_HEADER_FIELD, 4, type + " carries no data, yet PLEN "
          + plen + " is past its header (" + headerEnd + ")");
    }
    boolean dd = dataDigest();
    if (ddFlag != dd) {
      return error(ProtocolError.INVALID_HEADER_FIELD, 1, "DDGSTF " + ddFlag
          + " but data digests " + (dd ? "were" : "were not") + " agreed");
    }
    int pdo = dataOffset();
    if (pdo < headerEnd || pdo >= plen - (dd ? 4 : 0)) {
      return error(ProtocolError.INVALID_HEADER_FIELD, 3, type + " PDO " + pdo
          + " outside " + headerEnd + ".." + (plen - (dd ? 4 : 0) - 1));
    }
    return null;
  }

  /** The PDU now that all PLEN bytes are in, or the error its digests or lengths show. */
  private Object complete() {
    int hlen = headerLength();
    byte[] header = Arrays.copyOf(common, hlen);
    rest.flip();
    rest.get(header, COMMON_HEADER, hlen - COMMON_HEADER);
    int plen = packetLength();
    if (headerDigest()) {
      int sent = rest.order(ByteOrder.LITTLE_ENDIAN).getInt();
      if (sent != crc32c(ByteBuffer.wrap(header))) {
        return new ProtocolError(ProtocolError.HEADER_DIGEST_ERROR, 0, header,
            type + " header digest mismatch");
      }
    }
    ByteBuffer data = ByteBuffer.allocate(0);
    int headerEnd = hlen + (headerDigest() ? 4 : 0);
    if (plen > headerEnd) {
      boolean dd = dataDigest();
      int pdo = dataOffset();
      int length = plen - pdo - (dd ? 4 : 0);
      data = rest.slice(pdo - COMMON_HEADER, length);
      if (dd) {
        int sent = rest.order(ByteOrder.LITTLE_ENDIAN).getInt(pdo - COMMON_HEADER + length);
        if (sent != crc32c(data.duplicate())) {
          // No FES names a data digest error; like Linux nvmet, the connection is ended.
          return new ProtocolError(ProtocolError.INVALID_HEADER_FIELD, 1, header,
              type + " data digest mismatch");
        }
      }
    }
    Pdu pdu = new Pdu(type, flags(), header, data);
    if (type == PduType.H2C_DATA || type == PduType.C2H_DATA) {
      long datal = Integer.toUnsignedLong(pdu.fields().getInt(16));
      if (datal != data.remaining()) {
        return new ProtocolError(ProtocolError.INVALID_HEADER_FIELD, 16, header,
            type + " DATAL " + datal + " but " + data.remaining() + " bytes of data");
      }
    }
    return pdu;
  }

  /** CRC32C as NVMe/TCP digests use it (reflected, inverted; sent little-endian). */
  public static int crc32c(ByteBuffer bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }
}
