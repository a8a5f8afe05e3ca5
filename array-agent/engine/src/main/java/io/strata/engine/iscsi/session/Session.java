package io.strata.engine.iscsi.session;

import io.strata.engine.iscsi.login.OperationalParameters;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.scsi.Nexus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One iSCSI session: its connections and its command window. Commands enter SCSI in CmdSN order
 * across all connections (RFC 7143 4.2.2.1); the lock is this session's alone.
 */
public final class Session {
  private final int tsih;
  private final TargetDefinition target;
  private final String initiatorName;
  private final long isid;
  private final int portalGroupTag;
  private final OperationalParameters parameters;
  private final Nexus nexus;
  private final int window;
  private final long epoch;
  private final List<IscsiConnection> connections = new CopyOnWriteArrayList<>();
  private final Map<Integer, Runnable> waitingForEarlierCmdSn = new HashMap<>();
  private int expCmdSn;
  private volatile boolean ended;

  Session(
      int tsih,
      TargetDefinition target,
      String initiatorName,
      long isid,
      int portalGroupTag,
      OperationalParameters parameters,
      int firstCmdSn,
      int window,
      long epoch) {
    this.tsih = tsih;
    this.target = target;
    this.initiatorName = initiatorName;
    this.isid = isid;
    this.portalGroupTag = portalGroupTag;
    this.parameters = parameters;
    this.expCmdSn = firstCmdSn;
    this.window = window;
    this.epoch = epoch;
    this.nexus =
        target == null ? null : new Nexus(initiatorName, isid, target.name(), portalGroupTag);
  }

  public int tsih() {
    return tsih;
  }

  public TargetDefinition target() {
    return target;
  }

  public boolean discovery() {
    return target == null;
  }

  public String initiatorName() {
    return initiatorName;
  }

  public long isid() {
    return isid;
  }

  /** The fencing epoch presented at login ({@code FencingEpoch.NONE} when none was). */
  public long epoch() {
    return epoch;
  }

  public int portalGroupTag() {
    return portalGroupTag;
  }

  public OperationalParameters parameters() {
    return parameters;
  }

  public Nexus nexus() {
    return nexus;
  }

  public List<IscsiConnection> connections() {
    return connections;
  }

  boolean ended() {
    return ended;
  }

  void ended(boolean value) {
    ended = value;
  }

  public synchronized int expCmdSn() {
    return expCmdSn;
  }

  public synchronized int maxCmdSn() {
    return expCmdSn + window - 1;
  }

  /**
   * Runs {@code work} when every command before {@code cmdSn} has been delivered. Immediate
   * commands run at once; a CmdSN outside [ExpCmdSN, MaxCmdSN] is silently dropped, as RFC 7143
   * 4.2.2.1 requires.
   */
  public void inOrder(int cmdSn, boolean immediate, Runnable work) {
    if (immediate) {
      work.run();
      return;
    }
    List<Runnable> ready;
    synchronized (this) {
      if (cmdSn != expCmdSn) {
        int ahead = cmdSn - expCmdSn; // serial number arithmetic (RFC 1982)
        if (ahead > 0 && ahead < window && !waitingForEarlierCmdSn.containsKey(cmdSn)) {
          waitingForEarlierCmdSn.put(cmdSn, work);
        }
        return;
      }
      ready = new ArrayList<>(1);
      ready.add(work);
      expCmdSn++;
      Runnable next;
      while ((next = waitingForEarlierCmdSn.remove(expCmdSn)) != null) {
        ready.add(next);
        expCmdSn++;
      }
    }
    for (Runnable r : ready) {
      r.run();
    }
  }

  /** Whether a connection from portal group {@code tag} may join this session. */
  boolean accepts(int tag) {
    return tag == portalGroupTag;
  }
}
