package io.strata.engine.cache;

import java.io.IOException;

/** The cache SSD's metadata is corrupt or does not match this cache: it is refused, not used. */
public final class CacheMetadataException extends IOException {
  public CacheMetadataException(String message) {
    super(message);
  }
}
