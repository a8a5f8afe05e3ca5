package io.strata.engine.layout;

import io.strata.engine.layout.ArrayLayout.DriveSpec;
import io.strata.engine.layout.ArrayLayout.PoolSpec;
import io.strata.engine.pool.MirrorPool;
import io.strata.engine.pool.Pool;
import io.strata.engine.pool.Protection;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The other change a reload may make to a pool the engine keeps serving (besides {@link
 * MemberReplacements}): more drives after its members, which grow it online. A two-way mirror
 * grows by mirror pairs ({@link MirrorPool#grow}): each pair's capacity is added at the pool's end
 * and its volume metadata takes it as free extents, so volumes can use it at once; no block that
 * holds data moves. Parity pools (RAID-5/6) would need a restripe onto the wider stripes, which
 * this engine does not do yet, so their growth is refused with that reason.
 */
final class PoolGrowth {
  private PoolGrowth() {}

  /**
   * The drives {@code wanted} adds after {@code kept}'s members (same name, protection, cache and
   * tiering, and every kept member at its position), or null when it is not such a change.
   */
  static List<String> added(PoolSpec kept, PoolSpec wanted) {
    if (!kept.name().equals(wanted.name())
        || !Objects.equals(kept.protection(), wanted.protection())
        || !Objects.equals(kept.cache(), wanted.cache())
        || !Objects.equals(kept.tiering(), wanted.tiering())
        || wanted.drives().size() <= kept.drives().size()
        || !wanted.drives().subList(0, kept.drives().size()).equals(kept.drives())) {
      return null;
    }
    return List.copyOf(wanted.drives().subList(kept.drives().size(), wanted.drives().size()));
  }

  /**
   * Refuses, with the reason, a growth the engine cannot make: a pool that is not a two-way
   * mirror (or mirror pairs), an odd number of new drives, a pool with a flash cache or tiers
   * (their maps are sized for the pool), an HA array (its drop gate names the members it
   * opened with), a new drive not listed, listed twice or used by another pool.
   */
  static void check(String pool, List<String> added, PoolSpec wanted, Pool open,
      boolean highlyAvailable, Collection<DriveSpec> listedDrives,
      Collection<PoolSpec> otherPools, Collection<PoolSpec> keptPools) {
    String what = "pool " + pool + ": growing it by " + added;
    Protection protection = open.protection();
    if (protection == Protection.PARITY || protection == Protection.PARITY2) {
      throw new IllegalArgumentException(what + ": a " + protection.label() + " (RAID-"
          + (protection == Protection.PARITY ? 5 : 6) + ") pool grows only with a restripe onto"
          + " wider stripes, which this engine does not do yet");
    }
    if (!(open instanceof MirrorPool mirror) || mirror.copies() != 2) {
      throw new IllegalArgumentException(what + ": only two-way mirrors grow (by mirror pairs);"
          + " this pool is " + (open instanceof MirrorPool ? "a three-way mirror"
              : protection.label()));
    }
    if (added.size() % 2 != 0) {
      throw new IllegalArgumentException(what + ": a mirror grows by pairs, an even number of"
          + " drives, not " + added.size());
    }
    if (wanted.cache() != null && !wanted.cache().isNull()
        || wanted.tiering() != null && !wanted.tiering().isNull()) {
      throw new IllegalArgumentException(what + ": a pool with a flash cache or tiers does not"
          + " grow while the engine runs");
    }
    if (highlyAvailable) {
      throw new IllegalArgumentException(what + ": the pools of a highly available array do"
          + " not grow while the engine runs yet");
    }
    Set<String> inUse = new HashSet<>();
    otherPools.forEach(p -> inUse.addAll(ArrayStack.driveNamesOf(p)));
    keptPools.stream().filter(p -> !p.name().equals(pool))
        .forEach(p -> inUse.addAll(ArrayStack.driveNamesOf(p)));
    for (String d : added) {
      if (listedDrives.stream().noneMatch(s -> s.name().equals(d))) {
        throw new IllegalArgumentException(what + ": drive " + d
            + " is not in the layout's drives");
      }
      if (inUse.contains(d)) {
        throw new IllegalArgumentException(what + ": drive " + d + " is in use by another pool");
      }
      if (wanted.drives().indexOf(d) != wanted.drives().lastIndexOf(d)) {
        throw new IllegalArgumentException(what + ": drive " + d + " is listed twice in the pool");
      }
    }
  }
}
