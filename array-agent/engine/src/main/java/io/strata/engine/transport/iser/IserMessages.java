package io.strata.engine.transport.iser;

import io.strata.engine.iscsi.pdu.DecodeFailure;
import io.strata.engine.iscsi.pdu.Pdu;
import io.strata.engine.iscsi.pdu.PduCodec;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Turns one received RDMA Send message into an iSER header plus an iSCSI PDU, and a PDU to send
 * into a message. In iSER each message holds exactly one PDU (no stream framing) and no digests;
 * the data segment may arrive with or without its pad bytes.
 *
 * <p>Every length is checked against the message before it is trusted: a message shorter than
 * the iSER and iSCSI headers (a bug class a kernel iSER target once had), lengths that
 * point past the message, or a data segment above the negotiated limit end the connection
 * cleanly via {@link MalformedMessage}.
 */
public final class IserMessages {
  /** iSER header plus the iSCSI basic header segment. */
  public static final int HEADERS_LENGTH = IserHeader.LENGTH + PduCodec.BHS_LENGTH;

  private IserMessages() {}

  /** A message that cannot be trusted: the connection must close. */
  public static final class MalformedMessage extends Exception {
    public MalformedMessage(String why) {
      super(why);
    }
  }

  /** What one message held: the PDU, or a PDU-level problem the iSCSI layer answers. */
  public record Received(IserHeader header, Pdu pdu, DecodeFailure failure) {}

  /**
   * Decodes {@code message} (position to limit); {@code maxDataSegment} is the receive limit
   * agreed at login (TargetRecvDataSegmentLength) or the login default.
   */
  public static Received decode(ByteBuffer message, int maxDataSegment) throws MalformedMessage {
    ByteBuffer in = message.slice();
    int total = in.remaining();
    if (total < IserHeader.LENGTH) {
      throw new MalformedMessage("message of " + total + " bytes is shorter than the iSER header");
    }
    IserHeader header = IserHeader.decode(in);
    if (header.opcode() != IserHeader.ISCSI_CONTROL) {
      throw new MalformedMessage(
          "iSER opcode 0x" + Integer.toHexString(header.opcode()) + " is not an iSCSI control PDU");
    }
    if (total < HEADERS_LENGTH) {
      throw new MalformedMessage(
          "message of " + total + " bytes is shorter than the iSER and iSCSI headers");
    }
    byte[] bhs = new byte[PduCodec.BHS_LENGTH];
    in.get(bhs);
    int ahsLength = (bhs[4] & 0xff) * 4;
    int dataLength = PduCodec.get24(bhs, 5);
    if (dataLength > maxDataSegment) {
      throw new MalformedMessage(
          "DataSegmentLength " + dataLength + " exceeds the agreed " + maxDataSegment);
    }
    long needed = (long) HEADERS_LENGTH + ahsLength + dataLength;
    long padded = needed + ((4 - (dataLength & 3)) & 3);
    if (total < needed || total > padded) {
      throw new MalformedMessage(
          "message of " + total + " bytes does not match its headers (" + needed + " expected)");
    }
    byte[] ahs = new byte[ahsLength];
    in.get(ahs);
    ByteBuffer data = Pdu.NO_DATA;
    if (dataLength > 0) {
      // Copied: the receive buffer goes back to the adapter as soon as this returns.
      byte[] copy = new byte[dataLength];
      in.get(copy);
      data = ByteBuffer.wrap(copy);
    }
    try {
      return new Received(header, PduCodec.decode(bhs, ahs, data), null);
    } catch (PduCodec.InvalidPduException e) {
      return new Received(header, null, new DecodeFailure(e.rejectReason(), bhs, false, e.getMessage()));
    }
  }

  /** The length of the message that carries {@code pdu} (header, BHS, AHS, data, padding). */
  public static int encodedLength(Pdu pdu) {
    int n = IserHeader.LENGTH;
    for (ByteBuffer part : PduCodec.encode(pdu, false, false)) {
      n += part.remaining();
    }
    return n;
  }

  /** Writes {@code header} then {@code pdu} at {@code out}'s position; returns the bytes written. */
  public static int encode(IserHeader header, Pdu pdu, ByteBuffer out) {
    int start = out.position();
    header.encode(out);
    for (ByteBuffer part : PduCodec.encode(pdu, false, false)) {
      out.put(part.duplicate());
    }
    return out.position() - start;
  }

  /** The whole message as bytes, for tests and small control messages. */
  public static byte[] encodeToBytes(IserHeader header, Pdu pdu) {
    ByteBuffer out = ByteBuffer.allocate(encodedLength(pdu));
    encode(header, pdu, out);
    return Arrays.copyOf(out.array(), out.position());
  }
}
