package io.strata.engine.scsi;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Unit attention conditions of one logical unit, queued per I_T nexus (SAM-5 5.14). A nexus that
 * was never seen gets POWER ON, RESET, OR BUS DEVICE RESET OCCURRED before anything else.
 */
final class UnitAttentions {
  private static final int MAX_QUEUED = 16;
  private final Map<Nexus, Deque<Integer>> pending = new HashMap<>();

  /** Registers a nexus that logged in: it will see POWER ON/RESET first. */
  synchronized void nexusOpened(Nexus nexus) {
    Deque<Integer> q = new ArrayDeque<>();
    q.add(ScsiSpec.ASC_POWER_ON_RESET);
    pending.put(nexus, q);
  }

  synchronized void nexusClosed(Nexus nexus) {
    pending.remove(nexus);
  }

  private Deque<Integer> queue(Nexus nexus) {
    return pending.computeIfAbsent(
        nexus,
        n -> {
          Deque<Integer> q = new ArrayDeque<>();
          q.add(ScsiSpec.ASC_POWER_ON_RESET);
          return q;
        });
  }

  /** Queues {@code ascq} for one nexus. */
  synchronized void raise(Nexus nexus, int ascq) {
    Deque<Integer> q = queue(nexus);
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

  /** Queues {@code ascq} for every known nexus that {@code who} accepts. */
  synchronized void raiseAll(int ascq, Predicate<Nexus> who) {
    for (Nexus n : pending.keySet().toArray(new Nexus[0])) {
      if (who.test(n)) {
        raise(n, ascq);
      }
    }
  }

  /** The oldest pending condition without removing it, or -1. Makes a new nexus known. */
  synchronized int peek(Nexus nexus) {
    Integer head = queue(nexus).peek();
    return head == null ? -1 : head;
  }

  /** Removes and returns the oldest pending condition, or -1. */
  synchronized int take(Nexus nexus) {
    Integer head = queue(nexus).poll();
    return head == null ? -1 : head;
  }

  /** Removes one specific condition (REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED). */
  synchronized void clear(Nexus nexus, int ascq) {
    queue(nexus).remove(ascq);
  }
}
