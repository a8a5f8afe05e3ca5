package io.strata.engine.tier;

import java.util.Map;
import java.util.TreeMap;

/**
 * Ranges of extents pinned to a tier (a volume pinned to SSD or HDD maps to its extent range).
 * Pins are configuration: the layout that builds the tiered device applies them at start.
 */
final class PinMap {
  private record Pin(long endExclusive, Tier tier) {}

  private final TreeMap<Long, Pin> pins = new TreeMap<>();

  /** Pins extents {@code [first, end)}, replacing any pin they overlap. */
  synchronized void pin(long first, long end, Tier tier) {
    unpin(first, end);
    pins.put(first, new Pin(end, tier));
  }

  /** Removes pins from extents {@code [first, end)}, keeping the parts outside. */
  synchronized void unpin(long first, long end) {
    Map.Entry<Long, Pin> before = pins.floorEntry(first);
    if (before != null && before.getValue().endExclusive() > first) {
      Pin p = before.getValue();
      pins.put(before.getKey(), new Pin(first, p.tier()));
      if (p.endExclusive() > end) {
        pins.put(end, new Pin(p.endExclusive(), p.tier()));
      }
    }
    for (Map.Entry<Long, Pin> e = pins.ceilingEntry(first); e != null && e.getKey() < end;
        e = pins.ceilingEntry(first)) {
      pins.remove(e.getKey());
      if (e.getValue().endExclusive() > end) {
        pins.put(end, e.getValue());
        break;
      }
    }
    pins.entrySet().removeIf(e -> e.getKey() >= e.getValue().endExclusive());
  }

  /** Makes this map hold exactly the pins of {@code other}, in one step for the mover. */
  void replaceWith(PinMap other) {
    TreeMap<Long, Pin> copy;
    synchronized (other) {
      copy = new TreeMap<>(other.pins);
    }
    synchronized (this) {
      pins.clear();
      pins.putAll(copy);
    }
  }

  /** The tier {@code extent} is pinned to, or null. */
  synchronized Tier pinned(long extent) {
    Map.Entry<Long, Pin> e = pins.floorEntry(extent);
    return e != null && e.getValue().endExclusive() > extent ? e.getValue().tier() : null;
  }

  synchronized boolean isEmpty() {
    return pins.isEmpty();
  }
}
