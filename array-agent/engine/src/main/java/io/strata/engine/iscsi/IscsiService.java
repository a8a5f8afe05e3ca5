package io.strata.engine.iscsi;

import io.strata.engine.iscsi.login.AuthFailureThrottle;
import io.strata.engine.iscsi.login.TargetLimits;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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

  /** Ends the authentication failure bursts that went quiet, so that each gets its summary. */
  private final ScheduledExecutorService burstSweeper;

  public IscsiService(Transport transport, Targets targets, TargetLimits limits) {
    this(transport, targets, limits, AuthFailureThrottle.Policy.DEFAULT);
  }

  /** With {@code authFailures}: how failed logins are slowed down (docs/block-stack.md). */
  public IscsiService(Transport transport, Targets targets, TargetLimits limits,
      AuthFailureThrottle.Policy authFailures) {
    this.transport = transport;
    this.sessions = new SessionRegistry(targets, limits, new AuthFailureThrottle(authFailures));
    this.burstSweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "auth-failure-bursts");
      t.setDaemon(true);
      return t;
    });
    long every = Math.max(1000, authFailures.quiet().toMillis() / 2);
    burstSweeper.scheduleWithFixedDelay(sessions.authFailures()::endQuietBursts, every, every,
        TimeUnit.MILLISECONDS);
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

  /** Asks every normal session to log out and waits up to {@code grace} until they have. */
  void askToLogOut(java.time.Duration grace) {
    java.util.List<io.strata.engine.iscsi.session.Session> asked = sessions.sessions().stream()
        .filter(s -> !s.discovery()).toList();
    if (asked.isEmpty()) {
      return;
    }
    int seconds = (int) Math.max(1, grace.toSeconds());
    asked.forEach(s -> java.util.List.copyOf(s.connections()).forEach(c -> c.requestLogout(seconds)));
    long deadline = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() < deadline && asked.stream().anyMatch(s -> sessions.sessions().contains(s))) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  public SessionRegistry sessions() {
    return sessions;
  }

  /** How long initiators are given to log out when the engine stops (the agent waits 10 s before SIGKILL). */
  public static final java.time.Duration LOGOUT_GRACE = java.time.Duration.ofSeconds(3);

  /**
   * Stops serving. Every initiator logged in to a target is first asked to log out (AsyncEvent
   * 1) and given {@link #LOGOUT_GRACE} to do so, so that a hibernation, a resize's restart or an
   * agent's shutdown is a clean logout for it (issue 18), not a connection that hangs until its
   * timeouts; what has not logged out by then is closed.
   */
  @Override
  public void close() {
    askToLogOut(LOGOUT_GRACE);
    closeNow();
  }

  /**
   * Stops serving without asking anyone to log out: for the drive export service, whose
   * initiators are engines that reconnect to a lost export on their own (a logout they were asked
   * for ends their session for good, and the pool would fail that member).
   */
  public void closeNow() {
    burstSweeper.shutdownNow();
    transport.close();
  }
}
