package io.strata.engine.iscsi.login;

import io.strata.engine.iscsi.target.TargetDefinition;

/**
 * What a successful login establishes, handed to the session layer before the final response.
 *
 * @param target the target logged in to; null for a discovery session
 * @param tsih the TSIH the initiator sent: 0 for a new session, else the session to join
 * @param epoch the fencing epoch the initiator presented ({@link FencingEpoch}), or {@link
 *     FencingEpoch#NONE}
 */
public record LoginResult(
    TargetDefinition target,
    String initiatorName,
    long isid,
    int tsih,
    int cid,
    int cmdSn,
    OperationalParameters parameters,
    long epoch) {

  /** A login that presented no fencing epoch. */
  public LoginResult(TargetDefinition target, String initiatorName, long isid, int tsih, int cid,
      int cmdSn, OperationalParameters parameters) {
    this(target, initiatorName, isid, tsih, cid, cmdSn, parameters, FencingEpoch.NONE);
  }

  public boolean discovery() {
    return target == null;
  }
}
