package io.strata.engine.block;

import java.util.List;

/**
 * A device that may have grown since what it holds was laid out (a mirror pool grown by pairs):
 * it says the sizes it may have had, so that a structure kept at the end of the device (a pool's
 * volume metadata area) is found where it was if a grow was interrupted before the structure
 * moved to the new end.
 */
public interface GrowableDevice {
  /** Block counts the device may have had before, largest first; empty when it never grew. */
  List<Long> formerBlockCounts();
}
