package io.strata.engine.pool;

import java.io.InterruptedIOException;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Lets a parity pool's host I/O skip the restripe's window lock while no restripe is under way
 * (nearly always), and lets a restripe that starts wait until every I/O that skipped it has
 * left before it moves its first stripe.
 *
 * <p>An I/O {@link #enter enters}: it counts itself in its thread's slot, then reads whether the
 * gate is {@link #close closed}. A restripe closes the gate, then {@link #drain waits} until the
 * slots sum to zero. Both sides write first and read after, through volatile accesses (the
 * slot's atomic add, the flag), which the Java memory model orders in one total order: an I/O
 * that read the gate open counted itself before the close, so the drain sees it and waits for
 * it; an I/O that reads it closed leaves at once and takes the locked path. The pool opens the
 * gate again only once it is one layout again.
 *
 * <p>Why not the alternatives: the {@code ReentrantReadWriteLock} read lock this replaces costs
 * two CAS on one shared word plus its per-thread hold count on every I/O; a {@code
 * StampedLock}'s optimistic read is validated only after the access, which a write cannot undo
 * (a write into a stripe the restripe moved meanwhile is lost or corrupts the new one); a
 * {@code LongAdder}'s {@code sum} can read zero while an I/O is in flight (a thread's increment
 * and decrement may land in different cells and be summed at different moments). Here a thread
 * always counts in the same slot (by thread id), so a slot never goes below the I/Os of its
 * threads that are in flight, and slots sit 128 bytes apart so that threads do not share a
 * cache line.
 */
final class InFlightGate {
  /** A power of two, more than the cores the engine runs on. */
  private static final int SLOTS = 64;
  /** Longs between two slots: 128 bytes, a cache line pair (adjacent-line prefetch). */
  private static final int STRIDE = 16;
  private final AtomicLongArray inFlight = new AtomicLongArray(SLOTS * STRIDE);
  private volatile boolean closed;
  private final Object drained = new Object();
  /** Called by {@link #drain} each time it is about to wait for an I/O (tests hold one there). */
  volatile Runnable beforeWaiting = () -> { };

  /** The slot of the calling thread (also where {@link #leave} must be called from). */
  private static int slot() {
    long id = Thread.currentThread().getId();
    return (int) ((id ^ (id >>> 7)) & (SLOTS - 1)) * STRIDE;
  }

  /**
   * Whether the calling thread's I/O may run without the window lock; if so, it must call
   * {@link #leave} when it is done, from the same thread.
   */
  boolean enter() {
    int slot = slot();
    inFlight.getAndIncrement(slot);
    if (!closed) {
      return true;
    }
    leave(slot);
    return false;
  }

  /** Ends an I/O that {@link #enter} let in. */
  void leave() {
    leave(slot());
  }

  private void leave(int slot) {
    inFlight.getAndDecrement(slot);
    if (closed) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  /** From now on I/O takes the locked path ({@link #enter} answers false). */
  void close() {
    closed = true;
  }

  /** I/O may skip the lock again: no restripe is under way. */
  void open() {
    closed = false;
  }

  /** After {@link #close}: waits until no I/O that entered before it is still running. */
  void drain() throws InterruptedIOException {
    synchronized (drained) {
      while (running() > 0) {
        beforeWaiting.run();
        try {
          drained.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for the I/O in flight");
        }
      }
    }
  }

  private long running() {
    long sum = 0;
    for (int s = 0; s < SLOTS; s++) {
      sum += inFlight.get(s * STRIDE);
    }
    return sum;
  }
}
