package io.strata.engine.layout;

import io.strata.engine.layout.ArrayLayout.DriveSpec;
import io.strata.engine.layout.ArrayLayout.PoolSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The one change a reload may make to a pool the engine keeps serving: another drive in place of
 * one (or more) of its members, at the same position. Everything else about a kept pool (its
 * protection, drive count, cache, tiering) still takes a restart.
 *
 * <p>The outgoing drive must no longer be listed in the layout: the pool takes it over, reads
 * from it while it copies a healthy member onto the incoming drive, and closes it when done (a
 * failed member is closed at once and the incoming drive rebuilt from the others). The incoming
 * drive must be listed, on this node, and used by no other pool.
 */
final class MemberReplacements {
  private MemberReplacements() {}

  /** Member {@code index} of {@code pool} moves from drive {@code outgoing} to {@code incoming}. */
  record Replacement(String pool, int index, String outgoing, String incoming) {}

  /**
   * The replacements that turn {@code kept} into {@code wanted}: empty when they are the same,
   * null when anything but members at the same positions differs.
   */
  static List<Replacement> between(PoolSpec kept, PoolSpec wanted) {
    if (!kept.name().equals(wanted.name())
        || !Objects.equals(kept.protection(), wanted.protection())
        || !Objects.equals(kept.cache(), wanted.cache())
        || !Objects.equals(kept.tiering(), wanted.tiering())
        || kept.drives().size() != wanted.drives().size()) {
      return null;
    }
    List<Replacement> out = new ArrayList<>();
    for (int i = 0; i < kept.drives().size(); i++) {
      if (!kept.drives().get(i).equals(wanted.drives().get(i))) {
        out.add(new Replacement(kept.name(), i, kept.drives().get(i), wanted.drives().get(i)));
      }
    }
    return out;
  }

  /**
   * Refuses (with the reason) a replacement the engine cannot make: the outgoing drive still
   * listed, the incoming drive not listed, remote, already in this pool, or used by another pool
   * of the layout or by a pool the engine keeps.
   *
   * @param listedDrives the layout's drives
   * @param otherPools every pool of the layout but this one
   * @param keptPools the pools open now (their drives, cache and tier SSDs are in use)
   */
  static void check(List<Replacement> replacements, PoolSpec wanted,
      Collection<DriveSpec> listedDrives, Collection<PoolSpec> otherPools,
      Collection<PoolSpec> keptPools) {
    Set<String> inUse = new HashSet<>();
    for (PoolSpec p : otherPools) {
      inUse.addAll(ArrayStack.driveNamesOf(p));
    }
    for (PoolSpec p : keptPools) {
      if (!p.name().equals(wanted.name())) {
        inUse.addAll(ArrayStack.driveNamesOf(p));
      }
    }
    for (Replacement r : replacements) {
      String what = "pool " + r.pool() + ": drive " + r.incoming() + " in place of "
          + r.outgoing() + " (member " + r.index() + ")";
      DriveSpec incoming = listedDrives.stream().filter(d -> d.name().equals(r.incoming()))
          .findFirst().orElse(null);
      if (incoming == null) {
        throw new IllegalArgumentException(what + ": drive " + r.incoming()
            + " is not in the layout's drives");
      }
      if (incoming.remote() != null) {
        throw new IllegalArgumentException(what + ": a drive on another node cannot replace a"
            + " member while the engine runs (restart it to do so)");
      }
      if (listedDrives.stream().anyMatch(d -> d.name().equals(r.outgoing()))) {
        throw new IllegalArgumentException(what + ": drive " + r.outgoing() + " must leave the"
            + " layout's drives (the pool copies it and then releases it)");
      }
      if (inUse.contains(r.incoming())) {
        throw new IllegalArgumentException(what + ": drive " + r.incoming()
            + " is in use by another pool");
      }
      if (wanted.drives().indexOf(r.incoming()) != wanted.drives().lastIndexOf(r.incoming())) {
        throw new IllegalArgumentException(what + ": drive " + r.incoming()
            + " is listed twice in the pool");
      }
    }
  }
}
