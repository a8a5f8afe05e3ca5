package io.strata.engine.nvme;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.strata.engine.nvme.fabrics.Subsystems;
import io.strata.engine.nvme.pdu.Framing;
import io.strata.engine.nvme.pdu.Pdu;
import io.strata.engine.nvme.pdu.PduWriter;
import io.strata.engine.transport.ConnectionLimits;
import io.strata.engine.transport.EventLoops;
import io.strata.engine.transport.Portal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The NVMe/TCP target: listens on the engine's NVMe portals (the discovery controller answers on
 * each of them, as Linux nvmet does) and runs one {@link TcpQueue} per connection on a Netty
 * event loop, as the iSCSI transport does (native epoll where the host has it).
 */
public final class NvmeTcpTarget implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NvmeTcpTarget.class.getName());

  private final Subsystems subsystems;
  private final List<Portal> portals;
  private final ConnectionLimits limits;
  private final EventLoops loops;
  private final List<Channel> listening = new CopyOnWriteArrayList<>();
  private final List<Channel> connections = new CopyOnWriteArrayList<>();
  private volatile List<Portal> bound = List.of();

  public NvmeTcpTarget(Subsystems subsystems, List<Portal> portals, int ioThreads,
      ConnectionLimits limits) {
    if (portals.isEmpty()) {
      throw new IllegalArgumentException("an NVMe/TCP target needs at least one portal");
    }
    this.subsystems = subsystems;
    this.portals = List.copyOf(portals);
    this.limits = limits;
    this.loops = new EventLoops(ioThreads);
  }

  public Subsystems subsystems() {
    return subsystems;
  }

  /** Binds every portal; on failure nothing stays bound. */
  public void start() throws IOException {
    List<Portal> actual = new ArrayList<>();
    for (Portal p : portals) {
      try {
        Channel ch = bootstrap().bind(new InetSocketAddress(p.host(), p.port())).sync().channel();
        listening.add(ch);
        actual.add(new Portal(p.host(), ((InetSocketAddress) ch.localAddress()).getPort(),
            p.groupTag()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IOException("interrupted while binding NVMe/TCP portal " + p.host() + ":"
            + p.port(), e);
      } catch (Exception e) {
        close();
        throw new IOException("cannot listen for NVMe/TCP on " + p.host() + ":" + p.port() + ": "
            + e.getMessage(), e);
      }
    }
    bound = List.copyOf(actual);
  }

  /** The portals as bound (port 0 replaced by the port the system chose): the discovery log's. */
  public List<Portal> boundPortals() {
    return bound;
  }

  /**
   * The portals as a host connected through {@code ch} should dial them: a portal bound to the
   * wildcard address is listed with the address the host reached (a discovery log entry of
   * 0.0.0.0 would be useless to it).
   */
  private List<Portal> portalsSeenFrom(Channel ch) {
    if (!(ch.localAddress() instanceof InetSocketAddress local) || local.getAddress() == null) {
      return bound;
    }
    return portalsSeenAt(bound, local.getAddress().getHostAddress());
  }

  /** {@code portals} with each wildcard host replaced by {@code reached}. */
  static List<Portal> portalsSeenAt(List<Portal> portals, String reached) {
    return portals.stream().map(p -> isWildcard(p.host())
        ? new Portal(reached, p.port(), p.groupTag()) : p).toList();
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
  }

  private ServerBootstrap bootstrap() {
    return loops.serverBootstrap()
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            String source = ch.remoteAddress() != null && ch.remoteAddress().getAddress() != null
                ? ch.remoteAddress().getAddress().getHostAddress() : String.valueOf(ch.remoteAddress());
            if (!limits.admit(ch, source, connections)) {
              return; // over a limit: closed before any byte is read
            }
            ch.pipeline().addLast(new Inbound(ch, new TcpQueue(subsystems,
                () -> portalsSeenFrom(ch), new ChannelWire(ch))));
          }
        });
  }

  @Override
  public void close() {
    loops.shutdown(listening, connections);
  }

  /** Encodes each PDU straight into one pooled direct buffer. */
  private record ChannelWire(Channel channel) implements TcpQueue.Wire {
    @Override
    public void send(Pdu pdu, Framing framing) {
      int length = PduWriter.encodedLength(pdu, framing);
      ByteBuf wire = channel.alloc().directBuffer(length, length);
      PduWriter.encode(pdu, framing, wire.nioBuffer(0, length));
      wire.writerIndex(length);
      channel.write(wire, channel.voidPromise());
    }

    @Override
    public void flush() {
      channel.flush();
    }

    @Override
    public void close() {
      if (channel.isOpen()) { // closed already: nothing to do (and its event loop may be gone)
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public String remoteAddress() {
      return String.valueOf(channel.remoteAddress());
    }
  }

  /** Feeds received bytes to the connection's queue on its event loop; ticks it every second. */
  private static final class Inbound extends ChannelInboundHandlerAdapter {
    private final Channel channel;
    private final TcpQueue queue;
    private ScheduledFuture<?> ticker;

    Inbound(Channel channel, TcpQueue queue) {
      this.channel = channel;
      this.queue = queue;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ticker = ctx.executor().scheduleAtFixedRate(queue::tick, 1, 1, TimeUnit.SECONDS);
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf bytes = (ByteBuf) msg;
      try {
        for (ByteBuffer piece : bytes.nioBuffers()) {
          queue.feed(piece);
        }
      } catch (RuntimeException e) {
        // A bug in handling one PDU must cost this connection, never the engine.
        LOG.log(Level.WARNING, "closing NVMe/TCP " + channel.remoteAddress()
            + " after a failure", e);
        ctx.close();
      } finally {
        bytes.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (ticker != null) {
        ticker.cancel(false);
      }
      queue.closed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.log(Level.FINE, "NVMe/TCP connection " + channel.remoteAddress() + " failed", cause);
      ctx.close();
    }
  }
}
