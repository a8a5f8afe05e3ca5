package io.strata.engine.block;

import java.io.IOException;

/**
 * A device that can copy from another device of the same array without moving the data, by
 * pointing its own map at the source's extents (EXTENDED COPY between volumes of one pool).
 */
public interface ExtentSharing {

  /**
   * Copies {@code blocks} blocks from {@code source} at {@code sourceLba} to this device at
   * {@code lba}: whole extents that line up are shared, the rest is copied. Returns false,
   * having done nothing, when {@code source} is not something this device can share with.
   */
  boolean copyFrom(BlockDevice source, long sourceLba, long lba, long blocks) throws IOException;
}
