package io.strata.engine.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.strata.engine.iscsi.pdu.DecodeFailure;
import io.strata.engine.iscsi.pdu.DecodeLimits;
import io.strata.engine.iscsi.pdu.Digests;
import io.strata.engine.iscsi.pdu.Pdu;
import io.strata.engine.iscsi.pdu.PduCodec;
import io.strata.engine.iscsi.pdu.PduDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * iSCSI over TCP with Netty: native epoll where the host has it, NIO otherwise. Each connection
 * lives on one event loop and owns its decoder, so nothing on the I/O path is shared between
 * connections; buffers come from Netty's pooled direct allocator.
 */
public final class TcpTransport implements Transport {
  private static final Logger LOG = Logger.getLogger(TcpTransport.class.getName());

  private final EventLoops loops;
  private final List<Channel> listening = new CopyOnWriteArrayList<>();
  private final List<Channel> connections = new CopyOnWriteArrayList<>();

  private final ConnectionLimits limits;

  /** Seconds without input before the iSCSI layer is told the connection is idle. */
  private final int idleSeconds;

  public TcpTransport(int ioThreads) {
    this(ioThreads, 30);
  }

  public TcpTransport(int ioThreads, int idleSeconds) {
    this(ioThreads, idleSeconds, ConnectionLimits.defaults());
  }

  /** With {@code limits} on the connections open at once, per source address and in total. */
  public TcpTransport(int ioThreads, int idleSeconds, ConnectionLimits limits) {
    this.idleSeconds = idleSeconds;
    this.limits = limits;
    this.loops = new EventLoops(ioThreads);
  }

  public ConnectionLimits limits() {
    return limits;
  }

  public String flavour() {
    return loops.flavour();
  }

  @Override
  public void listen(Portal portal, Function<PduConnection, PduHandler> acceptor)
      throws IOException {
    ServerBootstrap bootstrap =
        loops.serverBootstrap()
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    TcpConnection connection = new TcpConnection(ch, portal);
                    if (!limits.admit(ch, connection.sourceAddress(), connections)) {
                      return; // over a limit: closed before any byte is read
                    }
                    ch.pipeline()
                        .addLast(new IdleStateHandler(idleSeconds, 0, 0))
                        .addLast(new Inbound(connection, acceptor.apply(connection)));
                  }
                });
    try {
      Channel channel =
          bootstrap.bind(new InetSocketAddress(portal.host(), portal.port())).sync().channel();
      listening.add(channel);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding " + portal.host() + ":" + portal.port(), e);
    } catch (Exception e) {
      throw new IOException("cannot listen on " + portal.host() + ":" + portal.port() + ": " + e.getMessage(), e);
    }
  }

  /** The port actually bound for a portal given port 0 (tests). */
  public int boundPort(int index) {
    return ((InetSocketAddress) listening.get(index).localAddress()).getPort();
  }

  @Override
  public void close() {
    loops.shutdown(listening, connections);
  }

  /** Sends PDUs on one channel; encoding state (digests) is per connection. */
  static final class TcpConnection implements PduConnection {
    private final Channel channel;
    private final Portal portal;
    final PduDecoder decoder = new PduDecoder(DecodeLimits.LOGIN);
    private volatile DecodeLimits sending = DecodeLimits.LOGIN;
    /** Set on the event loop while a read burst is handled; its end flushes once for all. */
    boolean inReadBurst;

    TcpConnection(Channel channel, Portal portal) {
      this.channel = channel;
      this.portal = portal;
    }

    @Override
    public Portal portal() {
      return portal;
    }

    @Override
    public String remoteAddress() {
      return String.valueOf(channel.remoteAddress());
    }

    @Override
    public String sourceAddress() {
      return channel.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
          ? a.getAddress().getHostAddress() : remoteAddress();
    }

    @Override
    public void runOnIoThreadAfter(java.time.Duration delay, Runnable task) {
      channel.eventLoop().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void framing(DecodeLimits limits) {
      decoder.limits(limits);
      sending = limits;
    }

    /**
     * Encodes {@code pdu} straight into one pooled direct buffer: header (+ digest), data,
     * padding (+ digest). The socket write then needs no conversion of heap buffers and no
     * composite, and the data is copied once, into memory the kernel can take as it is.
     */
    @Override
    public void write(Pdu pdu) {
      DecodeLimits now = sending;
      byte[] header = PduCodec.encodeHeader(pdu);
      ByteBuffer data = pdu.data().duplicate();
      int length = data.remaining();
      int pad = Digests.padding(length);
      boolean dataDigest = length > 0 && now.dataDigest();
      int size = header.length + (now.headerDigest() ? 4 : 0) + length + pad + (dataDigest ? 4 : 0);
      ByteBuf wire = channel.alloc().directBuffer(size, size);
      wire.writeBytes(header);
      if (now.headerDigest()) {
        wire.writeIntLE(Digests.crc32c(ByteBuffer.wrap(header)));
      }
      if (length > 0) {
        wire.writeBytes(data.duplicate());
        wire.writeZero(pad);
        if (dataDigest) {
          wire.writeIntLE(Digests.dataDigest(data));
        }
      }
      channel.write(wire, channel.voidPromise());
    }

    @Override
    public void flush() {
      if (inReadBurst && channel.eventLoop().inEventLoop()) {
        return; // channelReadComplete flushes every response of this burst in one write
      }
      channel.flush();
    }

    @Override
    public void runOnIoThread(Runnable task) {
      channel.eventLoop().execute(task);
    }

    @Override
    public void close() {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Feeds received bytes to the connection's decoder, on the connection's event loop. */
  static final class Inbound extends ChannelInboundHandlerAdapter implements PduDecoder.Sink {
    private final TcpConnection connection;
    private final PduHandler handler;

    Inbound(TcpConnection connection, PduHandler handler) {
      this.connection = connection;
      this.handler = handler;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf bytes = (ByteBuf) msg;
      connection.inReadBurst = true;
      try {
        for (ByteBuffer piece : bytes.nioBuffers()) {
          connection.decoder.feed(piece, this);
        }
      } finally {
        bytes.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      connection.inReadBurst = false;
      ctx.flush();
    }

    @Override
    public void pdu(Pdu pdu) {
      try {
        handler.received(pdu);
      } catch (RuntimeException e) {
        // A bug in handling one PDU must cost this connection, never the engine.
        LOG.log(Level.WARNING, "closing " + connection.remoteAddress() + " after a failure", e);
        connection.close();
      }
    }

    @Override
    public void failure(DecodeFailure failure) {
      handler.malformed(failure);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof IdleStateEvent) {
        handler.idle();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      handler.closed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.log(Level.FINE, "connection " + connection.remoteAddress() + " failed", cause);
      ctx.close();
    }
  }
}
