package io.strata.engine.tier;

import java.io.IOException;

/** The tier map on the SSD is corrupt or belongs to another device: refused, never guessed. */
public final class TierMapException extends IOException {
  public TierMapException(String message) {
    super(message);
  }
}
