package io.strata.engine.pool;

/** Where one drive of a pool stands. */
public enum MemberState {
  /** Holds current data; serves reads and takes writes. */
  ONLINE,
  /** Takes every write but serves no reads until the background rebuild has copied it all. */
  REBUILDING,
  /** Missing or failed: neither read nor written until it is replaced. */
  FAILED
}
