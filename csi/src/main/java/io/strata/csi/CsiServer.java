package io.strata.csi;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.strata.csi.api.ControlPlaneClient;
import io.strata.csi.api.TokenSource;
import io.strata.csi.controller.ControllerService;
import io.strata.csi.node.HostCommands;
import io.strata.csi.node.NodeService;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The driver's gRPC server on a Unix domain socket (the kubelet and the sidecars talk to it through
 * {@code unix:///csi/csi.sock}), with netty's epoll transport.
 *
 * <pre>
 * java -jar strata-csi.jar --endpoint unix:///csi/csi.sock --config /etc/strata-csi/driver.properties --mode controller|node
 * </pre>
 */
public final class CsiServer implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(CsiServer.class.getName());
  private final Server server;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Path socket;

  private CsiServer(Path socket, List<BindableService> services) throws IOException {
    this.socket = socket;
    Files.deleteIfExists(socket); // a socket left by a killed predecessor
    Files.createDirectories(socket.toAbsolutePath().getParent());
    boss = new EpollEventLoopGroup(1);
    workers = new EpollEventLoopGroup(2);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers);
    services.forEach(builder::addService);
    server = builder.build().start();
  }

  /** Serves the given services on {@code socket}. */
  public static CsiServer start(Path socket, List<BindableService> services) throws IOException {
    return new CsiServer(socket, services);
  }

  /** The services of the controller plugin: Identity and Controller. */
  public static List<BindableService> controller(DriverConfig config) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    ControlPlaneClient api = new ControlPlaneClient(config.controlPlaneUrl(), http,
        new TokenSource(config, http, Clock.systemUTC()));
    return List.of(
        new IdentityService(config.driverName(), true, () -> reachable(api)),
        new ControllerService(api, config.chapUser(), config.chapSecret(), config.waitTimeout(), Clock.systemUTC()));
  }

  /** The services of the node plugin: Identity and Node. */
  public static List<BindableService> node(DriverConfig config) throws IOException {
    HostCommands host = HostCommands.system();
    String nodeId = config.nodeId().isPresent() ? config.nodeId().get() : NodeService.initiatorName(host);
    return List.of(
        new IdentityService(config.driverName(), false, () -> true),
        new NodeService(host, nodeId, config.chapUser(), config.chapSecret(), config.waitTimeout()));
  }

  private static boolean reachable(ControlPlaneClient api) {
    try {
      api.get("/api/v1/usage");
      return true;
    } catch (RuntimeException e) {
      LOG.warning("probe: the control plane is not reachable: " + e.getMessage());
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException, IOException {
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    Files.deleteIfExists(socket);
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  public static void main(String[] args) throws Exception {
    String endpoint = "unix:///csi/csi.sock";
    Path configFile = Path.of("/etc/strata-csi/driver.properties");
    String mode = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--endpoint" -> endpoint = args[i + 1];
        case "--config" -> configFile = Path.of(args[i + 1]);
        case "--mode" -> mode = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (options: --endpoint unix:///path --config file --mode controller|node)");
      }
    }
    if (!endpoint.startsWith("unix://")) {
      throw new IllegalArgumentException("--endpoint: only unix:// sockets are served, not " + endpoint);
    }
    if (!"controller".equals(mode) && !"node".equals(mode)) {
      throw new IllegalArgumentException("--mode: controller or node is required");
    }
    DriverConfig config = DriverConfig.load(configFile);
    List<BindableService> services = mode.equals("controller") ? controller(config) : node(config);
    CsiServer server = start(Path.of(endpoint.substring("unix://".length())), services);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        LOG.warning("stopping: " + e);
      }
    }));
    LOG.info("serving CSI " + mode + " " + config.driverName() + " on " + endpoint);
    server.awaitTermination();
  }
}
