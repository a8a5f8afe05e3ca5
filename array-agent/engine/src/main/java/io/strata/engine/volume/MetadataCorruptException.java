package io.strata.engine.volume;

import java.io.IOException;

/**
 * The volume metadata failed a checksum or does not make sense: the store refuses to open rather
 * than serve data through a map it cannot trust.
 */
public final class MetadataCorruptException extends IOException {
  public MetadataCorruptException(String message) {
    super(message);
  }
}
