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
          .from(FAILED, DETACHING)
          .anyNonTerminalTo(FAILED, EnumSet.of(DETACHED))
          .build();

  /** Holds its LUN and counts against multi-attach. */
  public boolean isActive() {
    return this == ATTACHING || this == ATTACHED || this == DETACHING;
  }
}
