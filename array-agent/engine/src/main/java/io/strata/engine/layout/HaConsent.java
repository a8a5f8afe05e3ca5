package io.strata.engine.layout;

import io.strata.engine.layout.ArrayLayout.HaSpec;
import io.strata.engine.pool.MemberDropGate;
import io.strata.engine.pool.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/**
 * An HA engine's side of "no member is dropped without consent" (docs/high-availability.md): the
 * {@link MemberDropGate} of every pool, answering from the layout's {@code ha} block as the last
 * reload gave it. Without {@code ha} every failed member is dropped at once, as before. With it:
 * a drive listed in {@code ha.outdated} may be dropped (the control plane consents, or already
 * knows it is out of sync); any other one is held for consent while this engine is ACTIVE, and
 * refused (the held writes fail) once it is not.
 *
 * <p>Lock-free on purpose: a pool asks under its own monitor, and a reload that brings consent
 * must get through while writes (possibly a reload's own) wait for it.
 */
final class HaConsent {
  private static final Logger LOG = Logger.getLogger(HaConsent.class.getName());

  private volatile HaSpec spec;
  /** Set when the engine stops: nothing held can be acknowledged any more. */
  private volatile boolean stopping;
  private final List<Pool> pools = new CopyOnWriteArrayList<>();
  /** Per pool, the drives that await a drop now. */
  private final Map<String, List<String>> awaiting = new ConcurrentHashMap<>();
  private volatile Runnable onAwaitingChange = () -> {};

  HaConsent(HaSpec spec) {
    this.spec = spec;
  }

  /** Whether the layout applied last has an {@code ha} block. */
  boolean highlyAvailable() {
    return spec != null;
  }

  /** The epoch presented at remote-drive logins (0 without HA). */
  long epoch() {
    HaSpec s = spec;
    return s == null ? 0 : s.epochOrZero();
  }

  /** Refuses, with the reason, a reload that would lower the epoch. */
  void check(HaSpec next) {
    HaSpec now = spec;
    if (now != null && next != null && next.epochOrZero() < now.epochOrZero()) {
      throw new IllegalArgumentException("ha.epoch " + next.epochOrZero() + " is below epoch "
          + now.epochOrZero() + " this engine runs at; an epoch is never lowered");
    }
  }

  /**
   * Takes the control plane's answers from a reload: consented drops happen now (their held
   * writes complete), a demotion fails the held writes. Returns whether any pool dropped a drive.
   */
  boolean apply(HaSpec next) {
    check(next);
    spec = next;
    boolean dropped = false;
    for (Pool p : pools) {
      dropped |= p.reconsiderDrops();
    }
    return dropped;
  }

  /** The gate of pool {@code pool} over {@code drives} (layout names, in member order). */
  MemberDropGate gateFor(String pool, List<String> drives) {
    List<String> names = List.copyOf(drives);
    return new MemberDropGate() {
      @Override
      public Verdict verdict(int member) {
        HaSpec s = spec;
        if (s == null || s.outdatedOrEmpty().contains(names.get(member))) {
          return Verdict.DROP;
        }
        return s.active() && !stopping ? Verdict.HOLD : Verdict.REFUSE;
      }

      @Override
      public boolean outdated(int member) {
        HaSpec s = spec;
        return s != null && s.outdatedOrEmpty().contains(names.get(member));
      }

      @Override
      public void awaiting(Set<Integer> members) {
        List<String> now = new ArrayList<>();
        members.forEach(m -> now.add(names.get(m)));
        List<String> before = now.isEmpty() ? awaiting.remove(pool) : awaiting.put(pool, now);
        if (!now.equals(before == null ? List.of() : before)) {
          if (!now.isEmpty()) {
            LOG.warning("pool " + pool + ": drive(s) " + now + " failed; writes held until the"
                + " control plane consents to drop them (ha.outdated)");
          }
          onAwaitingChange.run();
        }
      }
    };
  }

  /**
   * The engine stops: the writes held for consent fail now (and so do the pools' last flushes),
   * instead of holding the stop forever.
   */
  void stop() {
    stopping = true;
    for (Pool p : pools) {
      p.reconsiderDrops();
    }
  }

  void register(Pool pool) {
    pools.add(pool);
  }

  void unregister(Pool pool) {
    pools.remove(pool);
    awaiting.remove(pool.name());
  }

  /** The drives whose pools hold writes until their drop is consented, sorted. */
  List<String> awaitingDrop() {
    return awaiting.values().stream().flatMap(List::stream).sorted().toList();
  }

  /** Called (under a pool's monitor: it must hand off, not block) when awaitingDrop changes. */
  void onAwaitingChange(Runnable hook) {
    onAwaitingChange = hook;
  }
}
