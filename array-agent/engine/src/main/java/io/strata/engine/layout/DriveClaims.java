package io.strata.engine.layout;

import io.strata.engine.block.BlockDevice;
import io.strata.engine.layout.ArrayLayout.PoolSpec;
import io.strata.engine.pool.DriveLabel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Drive ownership: which pool each drive of a layout belongs to, decided before any pool is
 * opened so that no pool ever writes its label over another pool's member, flash cache or SSD
 * tier. A drive belongs to
 *
 * <ol>
 *   <li>the open pool that uses it (as member, cache or tier), whatever a reload says; else
 *   <li>the pool its label names (a pool label names its pool; a cache or tier label goes to
 *       the pool claiming the drive as its cache or tier); else
 *   <li>the first pool in the layout that claims it (a blank drive).
 * </ol>
 *
 * A pool that is not opened yet and claims a drive that belongs to another pool, or whose label
 * does not fit the use (a member labelled as a cache, a cache labelled for a pool...), is
 * refused: it is not opened, nothing is written to its drives, and the rest of the layout is
 * applied.
 */
final class DriveClaims {
  private DriveClaims() {}

  /** One pool's use of one drive. */
  private record Claim(String drive, PoolSpec pool, Use use) {}

  private enum Use {
    MEMBER("a member", null), CACHE("the flash cache", PoolServices.CACHE),
    TIER("the SSD tier", PoolServices.TIER);

    final String says;
    /** The service whose SSD mirror carries pool labels named after it (p0/cache), or null. */
    final String service;

    Use(String says, String service) {
      this.says = says;
      this.service = service;
    }

    /** Whether the drive carries the label of this use's SSD mirror for {@code pool}. */
    boolean mirrorOf(DriveLabel label, String pool) {
      return service != null && label.kind() == DriveLabel.Kind.POOL_MEMBER
          && label.poolName().equals(PoolServices.mirrorName(pool, service));
    }

    boolean fits(DriveLabel label, String pool) {
      return switch (this) {
        case MEMBER -> label.admitsMemberOf(pool);
        case CACHE -> label.kind() == DriveLabel.Kind.BLANK
            || label.kind() == DriveLabel.Kind.FLASH_CACHE || mirrorOf(label, pool);
        case TIER -> label.kind() == DriveLabel.Kind.BLANK
            || label.kind() == DriveLabel.Kind.SSD_TIER || mirrorOf(label, pool);
      };
    }
  }

  /**
   * The pools of {@code layout} to refuse, in layout order, with the reason.
   *
   * @param open the pools open now (kept by the layout or not), by name
   * @param device the open drive of that name to read its label from, or null when it cannot
   *     be read now (a remote drive that is offline: its pool's own checks decide later)
   */
  static Map<String, String> refusals(List<PoolSpec> layoutPools, Map<String, PoolSpec> open,
      Function<String, BlockDevice> device) throws IOException {
    Map<String, List<Claim>> claims = new LinkedHashMap<>();
    for (PoolSpec p : open.values()) {
      claimsOf(p).forEach(c -> claims.computeIfAbsent(c.drive(), d -> new ArrayList<>()).add(c));
    }
    for (PoolSpec p : layoutPools) {
      if (!open.containsKey(p.name())) {
        claimsOf(p).forEach(c -> claims.computeIfAbsent(c.drive(), d -> new ArrayList<>()).add(c));
      }
    }
    Map<String, DriveLabel> labels = new LinkedHashMap<>();
    for (String drive : claims.keySet()) {
      BlockDevice d = device.apply(drive);
      if (d != null) {
        labels.put(drive, DriveLabel.of(d));
      }
    }
    Map<String, String> refused = new LinkedHashMap<>();
    for (Map.Entry<String, List<Claim>> e : claims.entrySet()) {
      String drive = e.getKey();
      Claim owner = owner(e.getValue(), open, labels.get(drive));
      for (Claim c : e.getValue()) {
        if (open.containsKey(c.pool().name()) || refused.containsKey(c.pool().name())) {
          continue;
        }
        DriveLabel label = labels.get(drive);
        if (c != owner) {
          refused.put(c.pool().name(), "drive '" + drive + "' is " + owner.use().says
              + " of pool " + owner.pool().name());
        } else if (label != null && !c.use().fits(label, c.pool().name())) {
          refused.put(c.pool().name(), "drive '" + drive + "' (" + c.use().says + ") is "
              + label.describe() + "; refusing to overwrite it");
        }
      }
    }
    Map<String, String> inLayoutOrder = new LinkedHashMap<>();
    for (PoolSpec p : layoutPools) {
      if (refused.containsKey(p.name())) {
        inLayoutOrder.put(p.name(), "pool " + p.name() + " refused: " + refused.get(p.name()));
      }
    }
    return inLayoutOrder;
  }

  /** The open pool using the drive; else the claimant its label names; else the first. */
  private static Claim owner(List<Claim> claims, Map<String, PoolSpec> open, DriveLabel label) {
    for (Claim c : claims) {
      if (open.containsKey(c.pool().name())) {
        return c;
      }
    }
    if (label != null) {
      for (Claim c : claims) {
        boolean named = switch (label.kind()) {
          case POOL_MEMBER -> (c.use() == Use.MEMBER && label.poolName().equals(c.pool().name()))
              || c.use().mirrorOf(label, c.pool().name());
          case FLASH_CACHE -> c.use() == Use.CACHE;
          case SSD_TIER -> c.use() == Use.TIER;
          case BLANK, OTHER -> false;
        };
        if (named) {
          return c;
        }
      }
    }
    return claims.get(0);
  }

  private static List<Claim> claimsOf(PoolSpec p) {
    List<Claim> out = new ArrayList<>();
    p.drives().forEach(d -> out.add(new Claim(d, p, Use.MEMBER)));
    // one or two drives each (an SSD mirror): every one is claimed, so the rules hold for both
    PoolServices.serviceDrives(p.name(), "cache", p.cache())
        .forEach(d -> out.add(new Claim(d, p, Use.CACHE)));
    PoolServices.serviceDrives(p.name(), "tiering", p.tiering())
        .forEach(d -> out.add(new Claim(d, p, Use.TIER)));
    return out;
  }
}
