package io.strata.contracts.event;

/**
 * The state of one object inside an array (event {@link Events#OBJECT_STATUS}, and part of
 * {@link ArrayStatus}).
 *
 * @param arrayId the array it belongs to
 * @param kind what it is
 * @param objectId its id as the control plane named it
 * @param state whether it exists as desired
 * @param reason why, for FAILED
 */
public record ObjectStatus(String arrayId, Kind kind, String objectId, State state, String reason) {

  public enum Kind {
    DRIVE,
    POOL,
    VOLUME,
    SNAPSHOT,
    SERVER,
    LUN,
    /** A volume's rollback to a snapshot; its id is the rollback's request id. READY once applied. */
    ROLLBACK
  }

  public enum State {
    /** Exists as desired. */
    READY,
    /** Removed as desired. */
    DELETED,
    /** Could not be made as desired; see reason. */
    FAILED
  }
}
