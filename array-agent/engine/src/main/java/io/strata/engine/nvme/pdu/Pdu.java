package io.strata.engine.nvme.pdu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One NVMe/TCP PDU: its type, flags, its header (HLEN bytes, the 8-byte common header first, in
 * little-endian wire order) and its data (empty when it has none). Digests and padding are the
 * codec's business: they are not part of a decoded PDU and are added when one is encoded.
 */
public record Pdu(PduType type, int flags, byte[] header, ByteBuffer data) {

  /** FLAGS bit 0: a header digest follows the header. */
  public static final int FLAG_HDGST = 0x01;
  /** FLAGS bit 1: a data digest follows the data. */
  public static final int FLAG_DDGST = 0x02;
  /** FLAGS bit 2 of H2CData/C2HData: the last data PDU of a command (or of an R2T). */
  public static final int FLAG_LAST_PDU = 0x04;
  /** FLAGS bit 3 of C2HData: the command succeeded, no response capsule follows. */
  public static final int FLAG_SUCCESS = 0x08;

  public Pdu {
    if (header.length != type.headerLength()) {
      throw new IllegalArgumentException(type + " header must be " + type.headerLength()
          + " bytes, not " + header.length);
    }
    data = data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A PDU of {@code type} with a zeroed type-specific header, to be filled through {@link #fields}. */
  public static Pdu blank(PduType type, int flags, ByteBuffer data) {
    byte[] header = new byte[type.headerLength()];
    header[0] = (byte) type.code();
    header[2] = (byte) type.headerLength();
    return new Pdu(type, flags, header, data);
  }

  /** The header as a little-endian buffer (absolute gets/puts at the spec's byte offsets). */
  public ByteBuffer fields() {
    return ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Data bytes, or 0. */
  public int dataLength() {
    return data.remaining();
  }

  public boolean hasFlag(int flag) {
    return (flags & flag) != 0;
  }
}
