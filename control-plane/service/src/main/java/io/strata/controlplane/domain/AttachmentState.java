package io.strata.controlplane.domain;

import java.util.EnumSet;

/** Lifecycle of an attachment (LUN masking of one volume to one server). */
public enum AttachmentState {
  ATTACHING,
  ATTACHED,
  DETACHING,
  DETACHED,
  FAILED;

  public static final StateMachine<AttachmentState> MACHINE =
      StateMachine.of("attachment", AttachmentState.class)
          .from(ATTACHING, ATTACHED, DETACHING)
          .from(ATTACHED, DETACHING)
          .from(DETACHING, DETACHED)
          // ATTACHED when the node exports the LUN again, ATTACHING on a retry, or DETACHING
          // (also how a failed detach is finished)
          .from(FAILED, ATTACHED, ATTACHING, DETACHING)
          .anyNonTerminalTo(FAILED, EnumSet.of(DETACHED))
          .build();

  /**
   * Holds its LUN and counts against multi-attach. A FAILED attachment that failed while
   * attaching or attached holds it too (see {@link Attachment#holdsLun()}): it stays in the
   * desired state, to be exported again.
   */
  public boolean isActive() {
    return this == ATTACHING || this == ATTACHED || this == DETACHING;
  }
}
