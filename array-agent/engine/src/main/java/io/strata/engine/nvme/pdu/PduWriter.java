package io.strata.engine.nvme.pdu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes PDUs as they go on the wire under a connection's {@link Framing}: HLEN, PDO, PLEN and
 * the digest flags are set here (whatever the PDU's header said), the data placed at the
 * alignment the peer asked for, digests appended.
 */
public final class PduWriter {
  private PduWriter() {}

  /** Bytes {@link #encode} writes for {@code pdu}. */
  public static int encodedLength(Pdu pdu, Framing framing) {
    Layout l = layout(pdu, framing);
    return l.plen;
  }

  /** Writes {@code pdu} at {@code out}'s position; it needs {@link #encodedLength} bytes. */
  public static void encode(Pdu pdu, Framing framing, ByteBuffer out) {
    Layout l = layout(pdu, framing);
    ByteBuffer o = out.order(ByteOrder.LITTLE_ENDIAN);
    int start = o.position();
    byte[] header = pdu.header().clone();
    int flags = pdu.flags() & ~(Pdu.FLAG_HDGST | Pdu.FLAG_DDGST);
    if (l.headerDigest) {
      flags |= Pdu.FLAG_HDGST;
    }
    if (l.dataDigest) {
      flags |= Pdu.FLAG_DDGST;
    }
    ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    h.put(0, (byte) pdu.type().code());
    h.put(1, (byte) flags);
    h.put(2, (byte) header.length);
    h.put(3, (byte) l.pdo);
    h.putInt(4, l.plen);
    o.put(header);
    if (l.headerDigest) {
      o.putInt(PduReader.crc32c(ByteBuffer.wrap(header)));
    }
    if (l.pdo > 0) {
      while (o.position() - start < l.pdo) {
        o.put((byte) 0);
      }
      o.put(pdu.data().duplicate());
      if (l.dataDigest) {
        o.putInt(PduReader.crc32c(pdu.data().duplicate()));
      }
    }
  }

  /** {@code pdu} encoded into a new heap buffer, flipped for reading. */
  public static ByteBuffer encode(Pdu pdu, Framing framing) {
    ByteBuffer out = ByteBuffer.allocate(encodedLength(pdu, framing));
    encode(pdu, framing, out);
    return out.flip();
  }

  private record Layout(boolean headerDigest, boolean dataDigest, int pdo, int plen) {}

  private static Layout layout(Pdu pdu, Framing framing) {
    boolean hd = framing.headerDigest() && pdu.type().headerDigestable();
    int headerEnd = pdu.header().length + (hd ? 4 : 0);
    int length = pdu.dataLength();
    if (length == 0) {
      return new Layout(hd, false, 0, headerEnd);
    }
    boolean dd = framing.dataDigest() && pdu.type().dataDigestable();
    int align = framing.dataAlignment();
    int pdo = (headerEnd + align - 1) / align * align;
    if (pdo > 255) {
      throw new IllegalStateException("PDO " + pdo + " does not fit a byte");
    }
    return new Layout(hd, dd, pdo, pdo + length + (dd ? 4 : 0));
  }
}
