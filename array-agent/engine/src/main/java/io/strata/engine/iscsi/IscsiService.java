package io.strata.engine.iscsi;

import io.strata.engine.iscsi.login.TargetLimits;
import io.strata.engine.iscsi.session.IscsiConnection;
import io.strata.engine.iscsi.session.SessionRegistry;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.transport.Portal;
import io.strata.engine.transport.Transport;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/** The iSCSI service of an engine: its targets, served on their portals over one transport. */
public final class IscsiService implements AutoCloseable {
  private final Transport transport;
  private final SessionRegistry sessions;

  public IscsiService(Transport transport, Targets targets, TargetLimits limits) {
    this.transport = transport;
    this.sessions = new SessionRegistry(targets, limits);
  }

  /** Listens on every portal of every target; returns once all accept connections. */
  public void start() throws IOException {
    Set<Portal> portals = new LinkedHashSet<>();
    for (TargetDefinition target : sessions.targets().all()) {
      portals.addAll(target.portals());
    }
    for (Portal portal : portals) {
      listen(portal);
    }
  }

  /**
   * Listens on {@code portal} too, whether or not a target names it yet (export mode starts with
   * a portal and adds its targets later).
   */
  public void listen(Portal portal) throws IOException {
    transport.listen(portal, connection -> new IscsiConnection(connection, sessions));
  }

  public SessionRegistry sessions() {
    return sessions;
  }

  @Override
  public void close() {
    transport.close();
  }
}
