package io.strata.engine.scsi;

/**
 * An I_T nexus: one initiator port talking to one target port (SAM-5). Unit attentions,
 * reservations and REPORT TARGET PORT GROUPS are kept per nexus.
 *
 * @param initiatorName the initiator's iSCSI name (IQN or EUI)
 * @param isid the session's ISID (6 bytes), which with the name identifies the initiator port
 * @param targetName the target's iSCSI name
 * @param relativeTargetPortId the relative target port identifier, one per portal group (1-based)
 */
public record Nexus(String initiatorName, long isid, String targetName, int relativeTargetPortId) {

  /** The initiator port's SCSI name, as SPC-4 and persistent reservations spell it. */
  public String initiatorPortName() {
    return initiatorName + ",i,0x" + String.format("%012x", isid);
  }
}
