package io.strata.billing.support;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for the asynchronous consumer to reach a state, failing with what it last saw. */
public final class Await {

  public static <T> T until(String what, Supplier<T> probe, java.util.function.Predicate<T> done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = probe.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last saw " + last);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      last = probe.get();
    }
    return last;
  }

  private Await() {}
}
