package io.strata.engine.iscsi.login;

import io.strata.engine.iscsi.WireText;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Slows down guessing of CHAP secrets: every failed authentication (or authorization) of a login
 * is answered after a delay that doubles with each failure of the same burst, from
 * {@link Policy#firstDelay} up to {@link Policy#maxDelay}. Failures are counted both per
 * initiator name and per source address (an attacker can change either, not both at no cost);
 * the larger count decides. A burst ends after {@link Policy#quiet} without a failure: the count
 * starts over. The delay is applied by the caller scheduling the answer (never by sleeping), so
 * no engine thread waits and other initiators are not slowed down.
 *
 * <p>Logged once per burst: one line when it starts and one summary when it ends (how many
 * failures, over how long, which initiator names), not a line per failure.
 */
public final class AuthFailureThrottle {
  private static final Logger LOG = Logger.getLogger(AuthFailureThrottle.class.getName());
  /** Bursts tracked at most; beyond, new initiator names share their address's count only. */
  static final int MAX_TRACKED = 10_000;
  /** Initiator names a burst summary lists at most. */
  private static final int MAX_NAMES_LOGGED = 5;

  /**
   * @param firstDelay the delay before answering the first failure of a burst
   * @param maxDelay the most any failure waits
   * @param quiet how long without a failure ends a burst
   */
  public record Policy(Duration firstDelay, Duration maxDelay, Duration quiet) {
    /** 250 ms, doubling to 8 s; a minute of quiet ends a burst. */
    public static final Policy DEFAULT =
        new Policy(Duration.ofMillis(250), Duration.ofSeconds(8), Duration.ofSeconds(60));

    public Policy {
      if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0 || quiet.isNegative()) {
        throw new IllegalArgumentException("need 0 <= firstDelay <= maxDelay and quiet >= 0");
      }
    }
  }

  private final Policy policy;
  private final LongSupplier nanoTime;
  private final Map<String, Burst> bursts = new ConcurrentHashMap<>();

  private static final class Burst {
    final String key;
    final long started;
    long last;
    int failures;
    final Set<String> names = new LinkedHashSet<>();

    Burst(String key, long now) {
      this.key = key;
      this.started = now;
      this.last = now;
    }
  }

  public AuthFailureThrottle(Policy policy) {
    this(policy, System::nanoTime);
  }

  AuthFailureThrottle(Policy policy, LongSupplier nanoTime) {
    this.policy = policy;
    this.nanoTime = nanoTime;
  }

  public Policy policy() {
    return policy;
  }

  /**
   * Records a failed login of {@code initiatorName} (null when it named none) from
   * {@code sourceAddress}; returns how long to wait before answering it.
   */
  public Duration failed(String initiatorName, String sourceAddress) {
    long now = nanoTime.getAsLong();
    endQuietBursts(now);
    int failures = count("address " + sourceAddress, initiatorName, now);
    if (initiatorName != null) {
      failures = Math.max(failures, count("initiator " + initiatorName, initiatorName, now));
    }
    return delayFor(failures);
  }

  /**
   * The delay of the {@code n}th failure of a burst; 0 means untracked (the table is full, so
   * the engine is flooded with names and addresses): the longest delay.
   */
  Duration delayFor(int n) {
    if (n < 1) {
      return policy.maxDelay();
    }
    long first = policy.firstDelay().toNanos();
    long max = policy.maxDelay().toNanos();
    int doublings = Math.min(n - 1, 62);
    long delay = first == 0 ? 0 : first > (max >> doublings) ? max : first << doublings;
    return Duration.ofNanos(Math.min(delay, max));
  }

  private int count(String key, String name, long now) {
    if (bursts.size() >= MAX_TRACKED && !bursts.containsKey(key)) {
      return 0; // flooded with names: the address's count still applies
    }
    Burst b = bursts.computeIfAbsent(key, k -> new Burst(k, now));
    synchronized (b) {
      b.failures++;
      b.last = now;
      if (name != null && b.names.size() < MAX_NAMES_LOGGED) {
        b.names.add(name);
      }
      if (b.failures == 1) {
        LOG.warning("authentication failed for " + WireText.forLog(key) + ": further failures"
            + " are answered after a growing delay (up to " + policy.maxDelay().toMillis()
            + " ms) until " + policy.quiet().toSeconds() + " s pass without one");
      }
      return b.failures;
    }
  }

  /** Ends (and summarises) every burst quiet for long enough; also called by a timer. */
  public void endQuietBursts() {
    endQuietBursts(nanoTime.getAsLong());
  }

  private void endQuietBursts(long now) {
    long quiet = policy.quiet().toNanos();
    for (Burst b : bursts.values()) {
      synchronized (b) {
        if (now - b.last >= quiet && bursts.remove(b.key, b)) {
          LOG.warning("authentication failure burst for " + WireText.forLog(b.key) + " ended: "
              + b.failures + " failure(s) in " + Duration.ofNanos(b.last - b.started).toMillis()
              + " ms" + (b.names.isEmpty() ? "" : ", initiator name(s) "
              + WireText.forLog(String.join(", ", b.names))));
        }
      }
    }
  }

  /** Failures counted in the current burst of {@code key} ("address 1.2.3.4"), for tests. */
  int failures(String key) {
    Burst b = bursts.get(key);
    return b == null ? 0 : b.failures;
  }
}
