package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiSpec.*;

import java.util.ArrayList;
import java.util.List;

/**
 * Asymmetric logical unit access (ALUA, SPC-4 5.16) of a target served by two engines of a highly
 * available array: the portals of this engine form target port group {@code ownGroup}, those of
 * the other engine group {@code peerGroup}, each with {@code portsPerGroup} relative target ports
 * numbered {@code 16·(g−1)+1 ...}. Every logical unit of the target is in the same state on the
 * same group: the engine that has the pools open is active/optimized, the other one standby. The
 * state is implicit (the target changes it, never SET TARGET PORT GROUPS).
 *
 * <p>There is no transitioning state: a demotion is standby from its first moment and a promotion
 * stays standby until the pools are open (see {@link #changing}). Linux's {@code scsi_dh_alua}
 * polls a transitioning port group every 2 s (ALUA_RTPG_RETRY_DELAY), which made a planned
 * switchover pause for whole multiples of 2 s; a standby path fails over at once and is brought
 * back by multipathd's checker as soon as the other engine answers (docs/high-availability.md).
 */
public final class AsymmetricAccess {

  /** An asymmetric access state and its code in REPORT TARGET PORT GROUPS. */
  public enum State {
    ACTIVE_OPTIMIZED(0x0),
    STANDBY(0x2);

    final int code;

    State(int code) {
      this.code = code;
    }
  }

  /** The most ports one group can have: group 2 starts at relative target port 17. */
  public static final int MAX_PORTS_PER_GROUP = 16;

  private final int ownGroup;
  private final int peerGroup;
  private final int portsPerGroup;
  private volatile State own;
  /** A promotion or demotion is under way: neither engine's group is active. */
  private volatile boolean changing;

  public AsymmetricAccess(int ownGroup, int peerGroup, int portsPerGroup, State initial) {
    if (ownGroup < 1 || peerGroup < 1 || ownGroup == peerGroup) {
      throw new IllegalArgumentException("target port groups " + ownGroup + " and " + peerGroup
          + " must be two different groups from 1");
    }
    if (portsPerGroup < 1 || portsPerGroup > MAX_PORTS_PER_GROUP) {
      throw new IllegalArgumentException(portsPerGroup + " ports per target port group: 1 to "
          + MAX_PORTS_PER_GROUP);
    }
    this.ownGroup = ownGroup;
    this.peerGroup = peerGroup;
    this.portsPerGroup = portsPerGroup;
    this.own = initial;
  }

  /** The relative target port id of portal {@code index} (0-based) of group {@code group}. */
  public static int relativePort(int group, int index) {
    return MAX_PORTS_PER_GROUP * (group - 1) + index + 1;
  }

  /** The group that relative target port {@code port} belongs to. */
  static int groupOf(int port) {
    return (port - 1) / MAX_PORTS_PER_GROUP + 1;
  }

  public int ownGroup() {
    return ownGroup;
  }

  public int peerGroup() {
    return peerGroup;
  }

  public State own() {
    return own;
  }

  void set(State state) {
    own = state;
  }

  /** Whether a promotion or demotion is under way (this engine's ports are standby meanwhile). */
  public boolean changing() {
    return changing;
  }

  void changing(boolean changing) {
    this.changing = changing;
  }

  /**
   * The state this engine reports for the other engine's ports: standby while it is active (the
   * other one has no pool open), active/optimized while it is standby. While this engine changes
   * state the other is reported standby: the pools belong to neither until the change is done.
   */
  public State peer() {
    return !changing && own == State.STANDBY ? State.ACTIVE_OPTIMIZED : State.STANDBY;
  }

  /** The relative target ports of {@code group}, in portal order. */
  List<Integer> portsOf(int group) {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < portsPerGroup; i++) {
      ports.add(relativePort(group, i));
    }
    return ports;
  }

  /**
   * The sense a command gets on a logical unit in state {@code state}, or -1 when it may run.
   * Standby (SPC-4 5.16.2.4.4) answers what describes the logical unit and its paths and leaves
   * its medium alone; see docs/high-availability.md for the list and why.
   */
  static int refusal(State state, int opcode, int serviceAction) {
    if (state == State.ACTIVE_OPTIMIZED) {
      return -1;
    }
    return allowedInStandby(opcode, serviceAction) ? -1 : ASC_TARGET_PORT_IN_STANDBY_STATE;
  }

  private static boolean allowedInStandby(int opcode, int serviceAction) {
    switch (opcode) {
      case INQUIRY:
      case REPORT_LUNS:
      case REQUEST_SENSE:
      case MODE_SENSE_6:
      case MODE_SENSE_10:
      case MODE_SELECT_6:
      case MODE_SELECT_10:
      case MAINTENANCE_IN: // REPORT TARGET PORT GROUPS, SUPPORTED OPERATION CODES and TMFS
      case READ_CAPACITY_10:
        return true;
      case SERVICE_ACTION_IN_16:
        return serviceAction == SAI_READ_CAPACITY_16;
      default:
        // TEST UNIT READY, every medium access, and PERSISTENT RESERVE IN/OUT: the standby has
        // no reservation state (it lives with the pools it has not opened).
        return false;
    }
  }
}
