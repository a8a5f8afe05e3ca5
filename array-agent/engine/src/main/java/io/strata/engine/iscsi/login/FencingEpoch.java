package io.strata.engine.iscsi.login;

/**
 * The fencing epoch of an HA array (docs/high-availability.md, "Fencing by epoch"): the engine's
 * initiator presents it at every login to a drive export service as the private login key
 * {@value #KEY} (RFC 7143 13.15: a key of our own, prefixed {@code X-} and a reversed domain
 * name). A target that does not know the key answers NotUnderstood, which the initiator accepts;
 * our target reads it, answers nothing (it is declarative), and admits a session to an export
 * only when the epoch presented is at least the export's ({@link
 * io.strata.engine.iscsi.target.Targets#minimumEpoch}).
 */
public final class FencingEpoch {
  public static final String KEY = "X-io.strata.Epoch";
  /** What a login that presented no epoch counts as: below every fenced export's epoch. */
  public static final long NONE = -1;

  private FencingEpoch() {}

  /** The epoch in a login key's value: a decimal number from 0 to 2^63-1. */
  static long parse(String value) throws LoginFailure {
    try {
      long epoch = Long.parseLong(value.trim());
      if (epoch >= 0) {
        return epoch;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new LoginFailure(LoginStatus.INITIATOR_ERROR, KEY + "=" + value
        + " is not a non-negative decimal number");
  }

  /** Why a login presenting {@code presented} may not join an export fenced at {@code minimum}. */
  public static String refusal(String target, long presented, long minimum) {
    return (presented == NONE ? "no fencing epoch presented" : "fencing epoch " + presented)
        + " is below epoch " + minimum + " of " + target
        + ": an engine of an older epoch is fenced off this drive";
  }
}
