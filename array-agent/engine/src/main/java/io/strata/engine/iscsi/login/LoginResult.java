package io.strata.engine.iscsi.login;

import io.strata.engine.iscsi.target.TargetDefinition;

/**
 * What a successful login establishes, handed to the session layer before the final response.
 *
 * @param target the target logged in to; null for a discovery session
 * @param tsih the TSIH the initiator sent: 0 for a new session, else the session to join
 */
public record LoginResult(
    TargetDefinition target,
    String initiatorName,
    long isid,
    int tsih,
    int cid,
    int cmdSn,
    OperationalParameters parameters) {

  public boolean discovery() {
    return target == null;
  }
}
