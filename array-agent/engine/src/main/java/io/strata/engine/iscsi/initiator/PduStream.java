package io.strata.engine.iscsi.initiator;

import io.strata.engine.iscsi.pdu.DecodeFailure;
import io.strata.engine.iscsi.pdu.DecodeLimits;
import io.strata.engine.iscsi.pdu.Pdu;
import io.strata.engine.iscsi.pdu.PduCodec;
import io.strata.engine.iscsi.pdu.PduDecoder;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * One TCP connection to a target, framed into PDUs both ways: a blocking channel, the engine's
 * {@link PduDecoder} in its target-PDU mode for what comes in, {@link PduCodec} for what goes
 * out. Receiving is for one thread at a time, sending for one thread at a time (the two may be
 * different threads). No digests: remote drives negotiate HeaderDigest and DataDigest None (TCP's
 * checksum and the pool's own checksummed metadata are what protects the data on the LAN).
 */
final class PduStream implements Closeable {
  private final SocketChannel channel;
  private final PduDecoder decoder =
      PduDecoder.forTargetPdus(
          new DecodeLimits(InitiatorConfig.MAX_RECV_DATA_SEGMENT_LENGTH, false, false));
  private final ByteBuffer inbound = ByteBuffer.allocateDirect(256 * 1024);
  private final ArrayDeque<Pdu> received = new ArrayDeque<>();
  private DecodeFailure failure;
  private final PduDecoder.Sink sink =
      new PduDecoder.Sink() {
        @Override
        public void pdu(Pdu pdu) {
          received.add(pdu);
        }

        @Override
        public void failure(DecodeFailure f) {
          if (failure == null) {
            failure = f;
          }
        }
      };

  private PduStream(SocketChannel channel) {
    this.channel = channel;
  }

  /** Connects to {@code host:port} within {@code timeout}. */
  static PduStream connect(String host, int port, Duration timeout) throws IOException {
    SocketChannel channel = SocketChannel.open();
    try {
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      channel.socket().connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      return new PduStream(channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The next PDU from the target; blocks. EOF and undecodable input are IOExceptions. */
  Pdu receive() throws IOException {
    while (received.isEmpty()) {
      if (failure != null) {
        throw new IOException("target sent a bad PDU: " + failure.why());
      }
      inbound.clear();
      if (channel.read(inbound) < 0) {
        throw new EOFException("the target closed the connection");
      }
      inbound.flip();
      decoder.feed(inbound, sink);
    }
    return received.poll();
  }

  /** Writes the whole wire form of {@code pdu}. */
  void send(Pdu pdu) throws IOException {
    ByteBuffer[] parts = PduCodec.encode(pdu, false, false);
    long left = 0;
    for (ByteBuffer part : parts) {
      left += part.remaining();
    }
    while (left > 0) {
      left -= channel.write(parts);
    }
  }

  boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing a socket: nothing left to do
    }
  }
}
