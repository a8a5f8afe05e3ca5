package io.strata.engine.block;

import java.io.IOException;

/**
 * A write needed space (a thin volume's new extent) that its pool no longer has; the SCSI layer
 * answers SPACE ALLOCATION FAILED WRITE PROTECT.
 */
public final class OutOfSpaceException extends IOException {
  public OutOfSpaceException(String message) {
    super(message);
  }
}
