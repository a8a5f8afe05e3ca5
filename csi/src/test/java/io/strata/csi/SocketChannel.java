package io.strata.csi;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A driver serving on a real Unix domain socket in a test's folder, and a client channel to it. */
public final class SocketChannel implements AutoCloseable {

  public final ManagedChannel channel;
  private final CsiServer server;
  private final EpollEventLoopGroup loop = new EpollEventLoopGroup(1);

  public SocketChannel(Path dir, List<BindableService> services) throws Exception {
    Path socket = dir.resolve("csi.sock");
    server = CsiServer.start(socket, services);
    channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
        .channelType(EpollDomainSocketChannel.class)
        .eventLoopGroup(loop)
        .usePlaintext()
        .build();
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    server.close();
  }
}
