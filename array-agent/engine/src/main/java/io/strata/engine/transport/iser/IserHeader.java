package io.strata.engine.transport.iser;

import java.nio.ByteBuffer;

/**
 * The iSER header that precedes every iSCSI PDU in an RDMA Send message (RFC 7145 9.2): one flags
 * byte whose high nibble is the opcode, the write STag/VA the initiator exposes for solicited
 * Data-Out (we RDMA READ from it) and the read STag/VA for Data-In (we RDMA WRITE into it).
 */
public record IserHeader(int flags, int writeStag, long writeVa, int readStag, long readVa) {
  public static final int LENGTH = 28;
  /** Opcode (high nibble) of a message that carries an iSCSI control-type PDU. */
  public static final int ISCSI_CONTROL = 0x10;
  /** iSER Hello and HelloReply (RFC 7145 9.3/9.4), which this target does not take part in. */
  public static final int HELLO = 0x20;
  public static final int HELLO_REPLY = 0x30;
  /** Write STag valid: the initiator has data for us to RDMA READ. */
  public static final int WSV = 0x08;
  /** Read STag valid: the initiator has a buffer for us to RDMA WRITE into. */
  public static final int RSV = 0x04;

  /** What a target sends: an iSCSI control header with no STags. */
  public static final IserHeader TARGET_CONTROL = new IserHeader(ISCSI_CONTROL, 0, 0, 0, 0);

  public int opcode() {
    return flags & 0xf0;
  }

  public boolean writeValid() {
    return (flags & WSV) != 0;
  }

  public boolean readValid() {
    return (flags & RSV) != 0;
  }

  /** Writes the 28 bytes at {@code out}'s position (big-endian, as all of iSCSI). */
  public void encode(ByteBuffer out) {
    out.put((byte) flags).put((byte) 0).put((byte) 0).put((byte) 0);
    out.putInt(writeStag).putLong(writeVa).putInt(readStag).putLong(readVa);
  }

  /** Reads the header at {@code in}'s position; the caller has checked 28 bytes remain. */
  public static IserHeader decode(ByteBuffer in) {
    int flags = in.get() & 0xff;
    in.position(in.position() + 3);
    int writeStag = in.getInt();
    long writeVa = in.getLong();
    int readStag = in.getInt();
    long readVa = in.getLong();
    return new IserHeader(flags, writeStag, writeVa, readStag, readVa);
  }
}
