package io.strata.engine.cache;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The eviction order of cached lines: a segmented LRU (SLRU), close to 2Q and to dm-cache's smq.
 *
 * <p>A newly promoted line enters the <em>probationary</em> segment. A hit on a probationary line
 * moves it to the <em>protected</em> segment; when the protected segment is over its share, its
 * least recently used line falls back to the head of probation. Victims are taken from the cold
 * end of probation first, so lines read once since promotion go before lines read again, and a
 * burst of new lines cannot push out the proven-hot set. (dm-cache smq uses multiqueue levels
 * with a hotspot queue; bcache uses per-bucket priorities; Open CAS uses LRU with promotion
 * policies. Two segments give most of the benefit for little code.)
 *
 * <p>Thread-safe; every method is short and calls nothing outside this class.
 */
final class SegmentedLru {
  private final LinkedHashSet<Long> probation = new LinkedHashSet<>();
  private final LinkedHashSet<Long> protectedSegment = new LinkedHashSet<>();
  private final int protectedCapacity;

  SegmentedLru(int totalLines, double protectedFraction) {
    this.protectedCapacity = (int) Math.floor(totalLines * protectedFraction);
  }

  synchronized void insert(long line) {
    if (!protectedSegment.contains(line)) {
      probation.remove(line);
      probation.add(line);
    }
  }

  /** A hit: probation moves to protected, protected moves to its most recent end. */
  synchronized void touch(long line) {
    if (probation.remove(line)) {
      if (protectedCapacity == 0) {
        probation.add(line);
        return;
      }
      protectedSegment.add(line);
      if (protectedSegment.size() > protectedCapacity) {
        Iterator<Long> eldest = protectedSegment.iterator();
        Long demoted = eldest.next();
        eldest.remove();
        probation.add(demoted);
      }
    } else if (protectedSegment.remove(line)) {
      protectedSegment.add(line);
    }
  }

  synchronized void remove(long line) {
    if (!probation.remove(line)) {
      protectedSegment.remove(line);
    }
  }

  /** Up to {@code n} lines in eviction order: cold end of probation, then of protected. */
  synchronized List<Long> coldest(int n) {
    List<Long> out = new ArrayList<>(Math.min(n, size()));
    for (Long l : probation) {
      if (out.size() == n) {
        return out;
      }
      out.add(l);
    }
    for (Long l : protectedSegment) {
      if (out.size() == n) {
        return out;
      }
      out.add(l);
    }
    return out;
  }

  synchronized boolean isProtected(long line) {
    return protectedSegment.contains(line);
  }

  synchronized int size() {
    return probation.size() + protectedSegment.size();
  }
}
