package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * Frames a byte stream into PDUs. An explicit state machine: it accepts input in pieces of any
 * size (down to one byte) and moves AWAIT_HEADER → AWAIT_AHS → AWAIT_DATA → back, or to BROKEN
 * when the stream can no longer be trusted. Bad input is reported as a {@link DecodeFailure},
 * never thrown. Not thread-safe: one decoder per connection.
 */
public final class PduDecoder {

  /** Where decoded PDUs and failures go, in stream order. */
  public interface Sink {
    void pdu(Pdu pdu);

    void failure(DecodeFailure failure);
  }

  enum State {
    AWAIT_HEADER,
    AWAIT_AHS,
    AWAIT_DATA,
    BROKEN
  }

  private static final int MAX_AHS_BYTES = 255 * 4;
  /** Shared by every PDU without AHS or trailer: most PDUs, so no allocation for them. */
  private static final byte[] NONE = new byte[0];

  private volatile DecodeLimits limits;
  /** Whether the stream comes from a target (our initiator's side) rather than an initiator. */
  private final boolean fromTarget;
  private State state = State.AWAIT_HEADER;
  private final byte[] header = new byte[PduCodec.BHS_LENGTH + 4];
  private int headerFill;
  private byte[] ahs; // AHS plus header digest
  private int ahsFill;
  private int dataLength;
  private ByteBuffer data; // data segment
  private byte[] dataTrailer; // padding plus data digest
  private int trailerFill;

  public PduDecoder(DecodeLimits limits) {
    this(limits, false);
  }

  private PduDecoder(DecodeLimits limits, boolean fromTarget) {
    this.limits = limits;
    this.fromTarget = fromTarget;
  }

  /** A decoder for what a target sends (the engine's own initiator reads with it). */
  public static PduDecoder forTargetPdus(DecodeLimits limits) {
    return new PduDecoder(limits, true);
  }

  /** Takes effect from the next PDU; login calls it once the new values are agreed. */
  public void limits(DecodeLimits limits) {
    this.limits = limits;
  }

  public DecodeLimits limits() {
    return limits;
  }

  State state() {
    return state;
  }

  /** Consumes all of {@code in}, delivering every PDU completed by it. */
  public void feed(ByteBuffer in, Sink sink) {
    while (in.hasRemaining() && state != State.BROKEN) {
      switch (state) {
        case AWAIT_HEADER -> readHeader(in, sink);
        case AWAIT_AHS -> readAhs(in, sink);
        case AWAIT_DATA -> readData(in, sink);
        default -> throw new IllegalStateException();
      }
    }
    if (state == State.BROKEN) {
      in.position(in.limit());
    }
  }

  private void readHeader(ByteBuffer in, Sink sink) {
    int n = Math.min(PduCodec.BHS_LENGTH - headerFill, in.remaining());
    in.get(header, headerFill, n);
    headerFill += n;
    if (headerFill < PduCodec.BHS_LENGTH) {
      return;
    }
    int ahsBytes = (header[4] & 0xff) * 4;
    dataLength = PduCodec.get24(header, 5);
    int ahsLength = ahsBytes + (limits.headerDigest() ? 4 : 0);
    ahs = ahsLength == 0 ? NONE : new byte[ahsLength];
    ahsFill = 0;
    state = State.AWAIT_AHS;
    if (ahs.length == 0) {
      headerComplete(sink);
    }
  }

  private void readAhs(ByteBuffer in, Sink sink) {
    int n = Math.min(ahs.length - ahsFill, in.remaining());
    in.get(ahs, ahsFill, n);
    ahsFill += n;
    if (ahsFill == ahs.length) {
      headerComplete(sink);
    }
  }

  private void headerComplete(Sink sink) {
    DecodeLimits now = limits;
    int ahsBytes = ahs.length - (now.headerDigest() ? 4 : 0);
    if (now.headerDigest()) {
      int expected =
          Digests.crc32c(
              ByteBuffer.wrap(header, 0, PduCodec.BHS_LENGTH), ByteBuffer.wrap(ahs, 0, ahsBytes));
      if (expected != PduCodec.getLittleEndian32(ahs, ahsBytes)) {
        // The length fields cannot be trusted: nothing after this header can be framed.
        fail(sink, Reject.PROTOCOL_ERROR, true, "header digest mismatch");
        return;
      }
    }
    if (ahsBytes > MAX_AHS_BYTES) {
      fail(sink, Reject.PROTOCOL_ERROR, true, "AHS too long");
      return;
    }
    if (dataLength > now.maxRecvDataSegmentLength()) {
      fail(
          sink,
          Reject.PROTOCOL_ERROR,
          true,
          "DataSegmentLength " + dataLength + " exceeds MaxRecvDataSegmentLength "
              + now.maxRecvDataSegmentLength());
      return;
    }
    data = dataLength == 0 ? Pdu.NO_DATA : ByteBuffer.allocate(dataLength);
    int trailer = dataLength == 0 ? 0 : Digests.padding(dataLength) + (now.dataDigest() ? 4 : 0);
    dataTrailer = trailer == 0 ? NONE : new byte[trailer];
    trailerFill = 0;
    state = State.AWAIT_DATA;
    if (dataLength == 0) {
      pduComplete(sink, now);
    }
  }

  private void readData(ByteBuffer in, Sink sink) {
    if (data.hasRemaining()) {
      int n = Math.min(data.remaining(), in.remaining());
      ByteBuffer slice = in.slice();
      slice.limit(n);
      data.put(slice);
      in.position(in.position() + n);
    }
    if (!data.hasRemaining() && in.hasRemaining() && trailerFill < dataTrailer.length) {
      int n = Math.min(dataTrailer.length - trailerFill, in.remaining());
      in.get(dataTrailer, trailerFill, n);
      trailerFill += n;
    }
    if (!data.hasRemaining() && trailerFill == dataTrailer.length) {
      pduComplete(sink, limits);
    }
  }

  private void pduComplete(Sink sink, DecodeLimits now) {
    byte[] bhs = java.util.Arrays.copyOf(header, PduCodec.BHS_LENGTH);
    int ahsBytes = ahs.length - (now.headerDigest() ? 4 : 0);
    byte[] ahsOnly = ahsBytes == 0 ? NONE : java.util.Arrays.copyOf(ahs, ahsBytes);
    ByteBuffer segment = data;
    if (dataLength > 0) {
      segment.flip();
    }
    headerFill = 0;
    state = State.AWAIT_HEADER;
    if (dataLength > 0 && now.dataDigest()) {
      int received = PduCodec.getLittleEndian32(dataTrailer, dataTrailer.length - 4);
      if (received != Digests.dataDigest(segment)) {
        // The framing is intact: reject this PDU, keep the connection (RFC 7143 7.8).
        sink.failure(new DecodeFailure(Reject.DATA_DIGEST_ERROR, bhs, false, "data digest mismatch"));
        return;
      }
    }
    Pdu pdu;
    try {
      pdu = fromTarget
          ? PduCodec.decodeFromTarget(bhs, ahsOnly, segment)
          : PduCodec.decode(bhs, ahsOnly, segment);
    } catch (PduCodec.InvalidPduException e) {
      sink.failure(new DecodeFailure(e.rejectReason, bhs, false, e.getMessage()));
      return;
    }
    sink.pdu(pdu);
  }

  private void fail(Sink sink, int reason, boolean fatal, String why) {
    state = fatal ? State.BROKEN : State.AWAIT_HEADER;
    headerFill = 0;
    sink.failure(
        new DecodeFailure(reason, java.util.Arrays.copyOf(header, PduCodec.BHS_LENGTH), fatal, why));
  }
}
