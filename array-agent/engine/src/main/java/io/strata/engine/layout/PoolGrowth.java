package io.strata.engine.layout;

import io.strata.engine.layout.ArrayLayout.DriveSpec;
import io.strata.engine.layout.ArrayLayout.PoolSpec;
import io.strata.engine.pool.MirrorPool;
import io.strata.engine.pool.ParityPool;
import io.strata.engine.pool.Pool;
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
 * holds data moves. A parity pool (RAID-5/6) grows by any number of drives up to 16 in all
 * ({@link ParityPool#restripe}): the new drives join at once and a background restripe rewrites
 * every stripe over all of them; its capacity grows, and the volume metadata takes it, when the
 * restripe is done (also when an engine restart came between).
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
   * Refuses, with the reason, a growth the engine cannot make: a three-way mirror, a mirror
   * grown by an odd number of drives, a parity pool restriping already or grown past 16 drives,
   * a pool with a flash cache or tiers (their maps are sized for the pool), an HA array (its
   * drop gate names the members it opened with), a new drive not listed, listed twice or used by
   * another pool.
   */
  static void check(String pool, List<String> added, PoolSpec wanted, Pool open,
      boolean highlyAvailable, Collection<DriveSpec> listedDrives,
      Collection<PoolSpec> otherPools, Collection<PoolSpec> keptPools) {
    String what = "pool " + pool + ": growing it by " + added;
    if (open instanceof ParityPool parity) {
      if (parity.restriping()) {
        throw new IllegalArgumentException(what + ": it is still restriping onto the drives it"
            + " was given last; it grows again once that is done");
      }
      if (wanted.drives().size() > ParityPool.MAX_MEMBERS) {
        throw new IllegalArgumentException(what + ": a " + open.protection().label() + " pool"
            + " has at most " + ParityPool.MAX_MEMBERS + " drives, not "
            + wanted.drives().size());
      }
    } else if (!(open instanceof MirrorPool mirror) || mirror.copies() != 2) {
      throw new IllegalArgumentException(what + ": only two-way mirrors (by mirror pairs) and"
          + " parity pools grow; this pool is " + (open instanceof MirrorPool ? "a three-way"
              + " mirror" : open.protection().label()));
    } else if (added.size() % 2 != 0) {
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
