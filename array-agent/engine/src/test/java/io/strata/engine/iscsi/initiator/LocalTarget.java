package io.strata.engine.iscsi.initiator;

import io.strata.engine.drive.FileBlockDevice;
import io.strata.engine.iscsi.IscsiService;
import io.strata.engine.iscsi.login.Authentication;
import io.strata.engine.iscsi.login.ChapCredentials;
import io.strata.engine.iscsi.login.TargetLimits;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.scsi.LogicalUnit;
import io.strata.engine.scsi.LogicalUnitTarget;
import io.strata.engine.transport.Portal;
import io.strata.engine.transport.TcpTransport;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine's own iSCSI target in this JVM, one LUN over a file, CHAP required from one
 * initiator: what the initiator tests log in to. It can be stopped and started again on the
 * same port (a target restart).
 */
final class LocalTarget implements AutoCloseable {
  static final String TARGET = "iqn.2026-01.io.strata:drive.test";
  static final String INITIATOR = "iqn.2026-01.io.strata:engine.array1";
  static final ChapCredentials CHAP =
      new ChapCredentials("array1", "the-shared-secret-0123".getBytes(StandardCharsets.UTF_8));

  final int port;
  private final Path file;
  private final long bytes;
  private final int idleSeconds;
  private IscsiService service;
  private FileBlockDevice device;

  LocalTarget(Path file, long bytes, int idleSeconds) throws IOException {
    this.port = freePort();
    this.file = file;
    this.bytes = bytes;
    this.idleSeconds = idleSeconds;
    start();
  }

  void start() throws IOException {
    device = FileBlockDevice.open(file, bytes, 512);
    Portal portal = new Portal("127.0.0.1", port, 1);
    LogicalUnitTarget scsi = new LogicalUnitTarget(TARGET,
        Map.of(0, new LogicalUnit(TARGET + "/0", device, null)), List.of(1), null);
    TargetDefinition target = new TargetDefinition(TARGET, List.of(portal),
        new Authentication(CHAP, null), Set.of(INITIATOR), scsi);
    service = new IscsiService(new TcpTransport(2, idleSeconds), new Targets(List.of(target)),
        TargetLimits.DEFAULT);
    service.start();
  }

  void stop() throws IOException {
    service.close();
    device.close();
  }

  InitiatorConfig config(ChapCredentials chap) {
    return InitiatorConfig.of("127.0.0.1", port, TARGET, 0, INITIATOR, chap)
        .withTimeouts(java.time.Duration.ofSeconds(3), java.time.Duration.ofSeconds(10))
        .withBackoff(java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(400));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws IOException {
    stop();
  }
}
