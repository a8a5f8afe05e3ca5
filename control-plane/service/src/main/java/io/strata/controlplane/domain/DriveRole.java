package io.strata.controlplane.domain;

/**
 * What a drive of an array does for the pool that owns it. A drive belongs to at most one pool,
 * whatever its role: a member holds the pool's data, a CACHE drive is its flash cache, a TIER
 * drive its SSD tier. A drive with no pool has no role and is free for the next pool.
 */
public enum DriveRole {
  MEMBER,
  CACHE,
  TIER;

  /** How the role reads in a sentence ("pool 'p' holds them as its flash cache"). */
  public String describe() {
    return switch (this) {
      case MEMBER -> "member";
      case CACHE -> "flash cache";
      case TIER -> "SSD tier";
    };
  }
}
