package io.strata.engine.iscsi.defence;

import io.strata.engine.fake.MemoryScsiTarget;
import io.strata.engine.iscsi.IscsiService;
import io.strata.engine.iscsi.initiator.InitiatorConfig;
import io.strata.engine.iscsi.initiator.LocalTarget;
import io.strata.engine.iscsi.login.AuthFailureThrottle;
import io.strata.engine.iscsi.login.Authentication;
import io.strata.engine.iscsi.login.ChapCredentials;
import io.strata.engine.iscsi.login.TargetLimits;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.transport.ConnectionLimits;
import io.strata.engine.transport.Portal;
import io.strata.engine.transport.TcpTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The engine's iSCSI service on 127.0.0.1 over an in-memory LUN, with the connection limits and
 * failed-login policy a test chooses, CHAP or not; open to every initiator name.
 */
final class DefendedTarget implements AutoCloseable {
  static final String TARGET = "iqn.2026-12.io.strata:defended";
  static final ChapCredentials CHAP =
      new ChapCredentials("tenant", "the-right-secret-0123".getBytes(StandardCharsets.UTF_8));

  final int port;
  final IscsiService service;
  final TcpTransport tcp;

  DefendedTarget(boolean chap, ConnectionLimits limits, AuthFailureThrottle.Policy policy)
      throws IOException {
    this.port = LocalTarget.freePort();
    Portal portal = new Portal("127.0.0.1", port, 1);
    TargetDefinition target = new TargetDefinition(TARGET, List.of(portal),
        chap ? new Authentication(CHAP, null) : Authentication.NONE, Set.of(),
        new MemoryScsiTarget(16));
    this.tcp = new TcpTransport(2, 30, limits);
    this.service = new IscsiService(tcp, new Targets(List.of(target)), TargetLimits.DEFAULT, policy);
    service.start();
  }

  InitiatorConfig config(String initiatorName, ChapCredentials chap) {
    return InitiatorConfig.of("127.0.0.1", port, TARGET, 0, initiatorName, chap)
        .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10))
        .withBackoff(Duration.ofMillis(100), Duration.ofMillis(400));
  }

  @Override
  public void close() {
    service.close();
  }
}
