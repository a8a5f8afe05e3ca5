package io.strata.agent.layout;

import io.strata.contracts.command.ArrayDesiredState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which layout changes a running engine cannot take by reload. The engine adds and removes
 * pools and drives on SIGHUP (a removed pool must hold nothing the layout still lists, and the
 * engine clears its drives' labels), so a new or deleted pool, or a drive added to or taken
 * from the array, keeps every session up. What still needs a new engine process, because the
 * engine serves the volumes of an open pool from the drives it opened it with:
 *
 * <ul>
 *   <li>a pool kept by the layout whose drives, protection, cache or tier changed (except members
 *       replaced, mirror pairs added to a mirror, drives added to a RAID-5/6 pool);
 *   <li>a drive used by a kept pool (member, cache or tier SSD) whose path, media or size changed;
 *   <li>a pool the planner left out of the layout although the control plane still wants it (a
 *       drive of it is missing or unusable on this node): the engine refuses to drop a pool that
 *       still holds volumes, so it starts again without it, its data untouched on the drives.
 * </ul>
 *
 * The engine's own start arguments (portal, IQN, engine size) are compared by the supervisor's
 * {@link io.strata.agent.supervision.EngineSpec}.
 */
public final class EngineRestart {

  private EngineRestart() {}

  /**
   * Why the engine that serves {@code previous} must restart to serve {@code next}, or null when
   * a reload applies it.
   */
  public static String reason(EngineLayout previous, EngineLayout next, ArrayDesiredState desired) {
    if (previous == null) {
      return null;
    }
    Map<String, EngineLayout.Pool> nextPools = new HashMap<>();
    next.pools().forEach(p -> nextPools.put(p.name(), p));
    Map<String, EngineLayout.Drive> previousDrives = new HashMap<>();
    previous.drives().forEach(d -> previousDrives.put(d.name(), d));
    Map<String, EngineLayout.Drive> nextDrives = new HashMap<>();
    next.drives().forEach(d -> nextDrives.put(d.name(), d));
    for (EngineLayout.Pool pool : previous.pools()) {
      EngineLayout.Pool kept = nextPools.get(pool.name());
      if (kept == null) {
        if (desired.pools().stream().anyMatch(p -> p.poolId().equals(pool.name()))) {
          return "pool " + pool.name() + " can no longer be served on this node (see its status)";
        }
        continue;
      }
      if (!kept.asOpened().equals(pool.asOpened())
          && !onlyMembersReplaced(pool, kept, nextDrives) && !onlyMirrorPairsAdded(pool, kept)
          && !onlyParityDrivesAdded(pool, kept)) {
        return "pool " + pool.name() + " changed its drives, protection, cache or tier";
      }
      List<String> stays = new ArrayList<>(drivesOf(pool));
      stays.retainAll(drivesOf(kept));
      for (String drive : stays) {
        if (!Objects.equals(previousDrives.get(drive), nextDrives.get(drive))) {
          return "drive " + drive + " of pool " + pool.name() + " changed";
        }
      }
    }
    return null;
  }

  /**
   * Whether {@code kept} is {@code pool} with other drives at some member positions, each
   * outgoing drive gone from the layout: the engine copies (or rebuilds) the new drives in place
   * while it runs and releases the outgoing ones (docs/block-stack.md, "Replacing a member").
   */
  static boolean onlyMembersReplaced(EngineLayout.Pool pool, EngineLayout.Pool kept,
      Map<String, EngineLayout.Drive> nextDrives) {
    if (!Objects.equals(pool.protection(), kept.protection()) || !Objects.equals(pool.cache(), kept.cache())
        || !Objects.equals(pool.tiering(), kept.tiering()) || pool.drives().size() != kept.drives().size()) {
      return false;
    }
    for (int i = 0; i < pool.drives().size(); i++) {
      String outgoing = pool.drives().get(i);
      if (outgoing.equals(kept.drives().get(i))) {
        continue;
      }
      EngineLayout.Drive incoming = nextDrives.get(kept.drives().get(i));
      // the engine takes only a local drive in place of a member while it runs
      if (nextDrives.containsKey(outgoing) || incoming == null || incoming.remote() != null) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code kept} is the two-way mirror (or mirror pairs) {@code pool} with mirror pairs
   * added after its members, and no cache or tier: the engine grows it while it runs
   * (docs/block-stack.md, "Growing a pool").
   */
  static boolean onlyMirrorPairsAdded(EngineLayout.Pool pool, EngineLayout.Pool kept) {
    int before = pool.drives().size();
    int after = kept.drives().size();
    return "mirror".equals(pool.protection()) && "mirror".equals(kept.protection())
        && pool.cache() == null && kept.cache() == null && pool.tiering() == null && kept.tiering() == null
        && before % 2 == 0 && after > before && (after - before) % 2 == 0
        && kept.drives().subList(0, before).equals(pool.drives());
  }

  /**
   * Whether {@code kept} is the RAID-5/6 pool {@code pool} with drives added after its members (16
   * in all at most), and no cache or tier: the engine takes them at once and restripes the pool onto
   * them in the background, resuming after a restart (docs/block-stack.md, "Growing a parity pool").
   */
  static boolean onlyParityDrivesAdded(EngineLayout.Pool pool, EngineLayout.Pool kept) {
    int before = pool.drives().size();
    int after = kept.drives().size();
    return ("parity".equals(pool.protection()) || "parity2".equals(pool.protection()))
        && pool.protection().equals(kept.protection())
        && pool.cache() == null && kept.cache() == null && pool.tiering() == null && kept.tiering() == null
        && after > before && after <= 16 && kept.drives().subList(0, before).equals(pool.drives());
  }

  private static List<String> drivesOf(EngineLayout.Pool pool) {
    List<String> drives = new ArrayList<>(pool.drives());
    if (pool.cache() != null) {
      drives.addAll(pool.cache().ssds());
    }
    if (pool.tiering() != null) {
      drives.addAll(pool.tiering().ssds());
    }
    return drives;
  }
}
