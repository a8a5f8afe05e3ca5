package io.strata.engine.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Netty event loops of one TCP server (the iSCSI transport, the NVMe/TCP target): native
 * epoll where the host has it, NIO otherwise; one acceptor thread and {@code ioThreads} I/O
 * threads.
 */
public final class EventLoops {
  private final EventLoopGroup acceptors;
  private final EventLoopGroup workers;
  private final Class<? extends ServerChannel> serverChannel;

  public EventLoops(int ioThreads) {
    if (Epoll.isAvailable()) {
      acceptors = new EpollEventLoopGroup(1);
      workers = new EpollEventLoopGroup(ioThreads);
      serverChannel = EpollServerSocketChannel.class;
    } else {
      acceptors = new NioEventLoopGroup(1);
      workers = new NioEventLoopGroup(ioThreads);
      serverChannel = NioServerSocketChannel.class;
    }
  }

  public String flavour() {
    return serverChannel == EpollServerSocketChannel.class ? "epoll" : "nio";
  }

  /** A server bootstrap on these loops: no Nagle, pooled direct buffers; add the child handler. */
  public ServerBootstrap serverBootstrap() {
    return new ServerBootstrap()
        .group(acceptors, workers)
        .channel(serverChannel)
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.SO_BACKLOG, 128)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
  }

  /** Stops listening, closes every connection and waits for the threads to end. */
  public void shutdown(List<Channel> listening, List<Channel> connections) {
    for (Channel channel : listening) {
      channel.close().awaitUninterruptibly();
    }
    for (Channel channel : connections) {
      channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
