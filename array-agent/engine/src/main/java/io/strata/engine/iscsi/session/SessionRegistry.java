package io.strata.engine.iscsi.session;

import io.strata.engine.iscsi.login.FencingEpoch;
import io.strata.engine.iscsi.login.LoginFailure;
import io.strata.engine.iscsi.login.LoginResult;
import io.strata.engine.iscsi.login.LoginStatus;
import io.strata.engine.iscsi.login.AuthFailureThrottle;
import io.strata.engine.iscsi.login.TargetLimits;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Every live session of an engine, by TSIH. Touched at login and logout only. */
public final class SessionRegistry {
  private final Targets targets;
  private final TargetLimits limits;
  private final ConcurrentHashMap<Integer, Session> byTsih = new ConcurrentHashMap<>();
  private final AtomicInteger lastTsih = new AtomicInteger();

  private final AuthFailureThrottle authFailures;

  public SessionRegistry(Targets targets, TargetLimits limits) {
    this(targets, limits, new AuthFailureThrottle(AuthFailureThrottle.Policy.DEFAULT));
  }

  public SessionRegistry(Targets targets, TargetLimits limits, AuthFailureThrottle authFailures) {
    this.targets = targets;
    this.limits = limits;
    this.authFailures = authFailures;
  }

  /** Failed logins of this engine, by initiator name and source address: their answer waits. */
  public AuthFailureThrottle authFailures() {
    return authFailures;
  }

  public Targets targets() {
    return targets;
  }

  public TargetLimits limits() {
    return limits;
  }

  public Collection<Session> sessions() {
    return byTsih.values();
  }

  /** The sessions logged in to {@code target} (by name: its definition may have been replaced). */
  public List<Session> sessionsOf(TargetDefinition target) {
    return byTsih.values().stream().filter(s -> sameTarget(s.target(), target)).toList();
  }

  /** Same target, or both discovery (null); a replaced definition is still the same target. */
  private static boolean sameTarget(TargetDefinition a, TargetDefinition b) {
    return a == null || b == null ? a == b : a.name().equals(b.name());
  }

  /**
   * Ends every session (normal or discovery) whose initiator {@code refused} no longer admits,
   * e.g. one removed from the target's initiators by a layout reload.
   *
   * @return how many sessions ended
   */
  public synchronized int endSessionsOf(Predicate<Session> refused) {
    int ended = 0;
    for (Session s : List.copyOf(byTsih.values())) {
      if (refused.test(s)) {
        end(s);
        ended++;
      }
    }
    return ended;
  }

  /**
   * A new session for a leading login; an older session of the same initiator port ends. A login
   * whose fencing epoch is below its target's is refused here, under the same lock as {@link
   * #endSessionsOf}: once a caller has fenced a target and ended its older sessions, none of an
   * older epoch can appear.
   */
  synchronized Session create(LoginResult login, int portalGroupTag) throws LoginFailure {
    if (login.target() != null) {
      long minimum = targets.minimumEpoch(login.target().name());
      if (minimum > 0 && login.epoch() < minimum) {
        throw new LoginFailure(LoginStatus.AUTHORIZATION_FAILURE,
            FencingEpoch.refusal(login.target().name(), login.epoch(), minimum));
      }
    }
    for (Session old : byTsih.values()) {
      if (old.isid() == login.isid()
          && old.initiatorName().equals(login.initiatorName())
          && sameTarget(old.target(), login.target())) {
        // Session reinstatement (RFC 7143 6.3.5): the initiator restarted this I_T nexus.
        end(old);
      }
    }
    int tsih;
    do {
      tsih = lastTsih.incrementAndGet() & 0xffff;
    } while (tsih == 0 || byTsih.containsKey(tsih));
    Session session =
        new Session(
            tsih,
            login.target(),
            login.initiatorName(),
            login.isid(),
            portalGroupTag,
            login.parameters(),
            login.cmdSn(),
            limits.commandWindow(),
            login.epoch());
    byTsih.put(tsih, session);
    if (session.nexus() != null) {
      session.target().scsi().nexusOpened(session.nexus());
    }
    return session;
  }

  /** The session a non-leading login joins. */
  Session join(LoginResult login, int portalGroupTag) throws LoginFailure {
    Session session = byTsih.get(login.tsih());
    if (session == null
        || session.isid() != login.isid()
        || !session.initiatorName().equals(login.initiatorName())
        || !sameTarget(session.target(), login.target())) {
      throw new LoginFailure(LoginStatus.SESSION_DOES_NOT_EXIST, "no session " + login.tsih());
    }
    if (!session.accepts(portalGroupTag)) {
      throw new LoginFailure(
          LoginStatus.CANNOT_INCLUDE_IN_SESSION, "connection from another portal group");
    }
    return session;
  }

  /** Ends a session: its connections close, its tasks are dropped, SCSI forgets the nexus. */
  void end(Session session) {
    if (byTsih.remove(session.tsih(), session)) {
      session.ended(true);
      for (IscsiConnection connection : session.connections()) {
        connection.abortAll();
        connection.closeTransport();
      }
      if (session.nexus() != null) {
        session.target().scsi().nexusClosed(session.nexus());
      }
    }
  }

  /** The last connection of a session went away: at ErrorRecoveryLevel 0 the session ends. */
  void connectionGone(Session session, IscsiConnection connection) {
    session.connections().remove(connection);
    if (session.connections().isEmpty()) {
      end(session);
    }
  }
}
