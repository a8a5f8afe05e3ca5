package io.strata.engine.pool;

import java.util.Set;

/**
 * Whether a pool may drop a member whose I/O failed on its own (docs/high-availability.md,
 * "No member is dropped without consent"). A single-engine array drops at once ({@link
 * #AT_ONCE}). In an HA array an engine that dropped a member on its own could acknowledge writes
 * the other node's copies do not have, and the other engine, promoted after a partition, would
 * serve old data: so the pool holds its writes (not acknowledged; reads go on from the other
 * members) until the control plane consents, or fails them if this engine is no longer the one
 * that may write.
 *
 * <p>One gate per pool; members by index. The pool asks under its own monitor, so the answers
 * must not block. When an answer may have changed (a reload), the owner calls {@link
 * Pool#reconsiderDrops}.
 */
public interface MemberDropGate {
  /** What to do about a member that failed. */
  enum Verdict {
    /** Drop it now (a single-engine array, or the control plane consented). */
    DROP,
    /** Hold the pool's writes and ask (the member is listed as awaiting a drop). */
    HOLD,
    /** This engine may not drop it (no longer active): the held writes fail. */
    REFUSE
  }

  /** Drops every failed member at once: today's behaviour without HA. */
  MemberDropGate AT_ONCE = new MemberDropGate() {
    @Override
    public Verdict verdict(int member) {
      return Verdict.DROP;
    }

    @Override
    public boolean outdated(int member) {
      return false;
    }
  };

  /** The verdict on member {@code member}, which failed. Must not block. */
  Verdict verdict(int member);

  /**
   * Whether member {@code member} is known to be out of sync (the layout's {@code ha.outdated}):
   * it is never read, is dropped at once on an error, and is resynced when present.
   */
  boolean outdated(int member);

  /** Told, under the pool's monitor, which members await a drop now (empty: none). */
  default void awaiting(Set<Integer> members) {}
}
