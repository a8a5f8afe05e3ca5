package io.strata.engine.scsi;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;

/**
 * Unit attention conditions of one logical unit, queued per I_T nexus (SAM-5 5.14). A nexus that
 * was never seen gets POWER ON, RESET, OR BUS DEVICE RESET OCCURRED before anything else.
 *
 * <p>Every command looks here, so the common case (a known nexus with nothing pending) takes no
 * lock: a concurrent map lookup, then the nexus's own queue is locked only by that nexus's
 * commands and by whoever raises a condition for it.
 */
final class UnitAttentions {
  private static final int MAX_QUEUED = 16;
  private final ConcurrentMap<Nexus, Deque<Integer>> pending = new ConcurrentHashMap<>();

  private static Deque<Integer> powerOn() {
    Deque<Integer> q = new ArrayDeque<>();
    q.add(ScsiSpec.ASC_POWER_ON_RESET);
    return q;
  }

  /** Registers a nexus that logged in: it will see POWER ON/RESET first. */
  void nexusOpened(Nexus nexus) {
    pending.put(nexus, powerOn());
  }

  void nexusClosed(Nexus nexus) {
    pending.remove(nexus);
  }

  private Deque<Integer> queue(Nexus nexus) {
    return pending.computeIfAbsent(nexus, n -> powerOn());
  }

  /** Queues {@code ascq} for one nexus. */
  void raise(Nexus nexus, int ascq) {
    Deque<Integer> q = queue(nexus);
    synchronized (q) {
      if (ascq == ScsiSpec.ASC_POWER_ON_RESET) {
        // A reset supersedes everything that was queued before it (SAM-5 5.14).
        q.clear();
      } else if (q.contains(ascq)) {
        return;
      }
      if (q.size() < MAX_QUEUED) {
        q.add(ascq);
      }
    }
  }

  /** Queues {@code ascq} for every known nexus that {@code who} accepts. */
  void raiseAll(int ascq, Predicate<Nexus> who) {
    for (Nexus n : pending.keySet()) {
      if (who.test(n)) {
        raise(n, ascq);
      }
    }
  }

  /** Makes a new nexus known (with its POWER ON pending) without reporting anything. */
  void touch(Nexus nexus) {
    queue(nexus);
  }

  /** Takes over what {@code previous} (the logical unit this one replaces) has queued. */
  void adopt(UnitAttentions previous) {
    for (var e : previous.pending.entrySet()) {
      Deque<Integer> copy;
      synchronized (e.getValue()) {
        copy = new ArrayDeque<>(e.getValue());
      }
      pending.put(e.getKey(), copy);
    }
  }

  /** Removes and returns the oldest pending condition, or -1. */
  int take(Nexus nexus) {
    Deque<Integer> q = queue(nexus);
    synchronized (q) {
      Integer head = q.poll();
      return head == null ? -1 : head;
    }
  }

  /** Removes one specific condition (REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED). */
  void clear(Nexus nexus, int ascq) {
    Deque<Integer> q = queue(nexus);
    synchronized (q) {
      q.remove(ascq);
    }
  }
}
