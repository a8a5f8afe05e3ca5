package io.strata.engine.fake;

import io.strata.engine.iscsi.IscsiService;
import io.strata.engine.iscsi.login.Authentication;
import io.strata.engine.iscsi.login.TargetLimits;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.transport.Portal;
import io.strata.engine.transport.TcpTransport;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/** The iSCSI service in this JVM over the in-memory SCSI fake, for tests. */
public final class FakeEngine implements AutoCloseable {
  public static final String IQN = "iqn.2026-11.io.strata:test.fake";
  public final MemoryScsiTarget scsi;
  public final IscsiService service;
  public final List<Portal> portals;

  public FakeEngine(List<Portal> portals, Authentication auth, Set<String> allowed, int megabytes)
      throws IOException {
    this.scsi = new MemoryScsiTarget(megabytes);
    this.portals = portals;
    TargetDefinition target = new TargetDefinition(IQN, portals, auth, allowed, scsi);
    this.service =
        new IscsiService(new TcpTransport(2), new Targets(List.of(target)), TargetLimits.DEFAULT);
    service.start();
  }

  @Override
  public void close() {
    service.close();
  }

  /** Runs a fake engine on 127.0.0.1:PORT until killed, for poking at it by hand. */
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    try (FakeEngine engine =
        new FakeEngine(List.of(new Portal("127.0.0.1", port, 1)), Authentication.NONE, Set.of(), 64)) {
      System.out.println("ready");
      Thread.currentThread().join();
    }
  }
}
