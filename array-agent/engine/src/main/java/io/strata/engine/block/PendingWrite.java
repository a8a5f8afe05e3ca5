package io.strata.engine.block;

import java.io.IOException;

/**
 * A write started by {@link BlockDevice#startWrite} and not yet waited for. {@link #await}
 * returns when the write is done, with the durability {@link BlockDevice#write} gives, or throws
 * what {@code write} would have thrown.
 */
@FunctionalInterface
public interface PendingWrite {
  /** A write that was done before {@code startWrite} returned. */
  PendingWrite DONE = () -> {};

  void await() throws IOException;

  /** A write that already failed with {@code e}. */
  static PendingWrite failed(IOException e) {
    return () -> {
      throw e;
    };
  }
}
