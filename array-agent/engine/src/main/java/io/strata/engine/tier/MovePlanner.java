package io.strata.engine.tier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides which extents move, from heat, placement and pins alone (no I/O, so it is tested
 * directly). In order of priority:
 *
 * <ol>
 *   <li>extents pinned to HDD that sit on SSD go down;
 *   <li>extents pinned to SSD that sit on HDD go up, demoting the coldest unpinned SSD extent
 *       first when the SSD is full (pins may use the reserve);
 *   <li>while the SSD is fuller than its capacity less the reserve, the coldest go down;
 *   <li>while there is room above the reserve, the hottest HDD extents go up (those with at
 *       least the minimum heat);
 *   <li>then swaps: the hottest HDD extent replaces the coldest SSD extent while it is more than
 *       {@code hysteresis} times hotter.
 * </ol>
 *
 * At most {@code maxMoves} moves come out (the mover's rate limit).
 */
final class MovePlanner {
  private MovePlanner() {}

  /**
   * @param heat heat per extent
   * @param slotOf SSD slot per extent, or -1 for an extent on HDD
   * @param movableExtents extents {@code [0, movableExtents)} may move (a partial last one not)
   */
  static List<Move> plan(HeatMap heat, int[] slotOf, long movableExtents, PinMap pins,
      int ssdSlots, int reserveSlots, int maxMoves, double hysteresis, double minPromoteHeat) {
    List<Move> moves = new ArrayList<>();
    if (maxMoves <= 0) {
      return moves;
    }
    List<Long> mustDemote = new ArrayList<>();
    List<Long> mustPromote = new ArrayList<>();
    List<Long> hot = new ArrayList<>();
    List<Long> cold = new ArrayList<>();
    int used = 0;
    boolean anyPins = !pins.isEmpty();
    for (long e = 0; e < movableExtents; e++) {
      boolean onSsd = slotOf[(int) e] >= 0;
      if (onSsd) {
        used++;
      }
      Tier pin = anyPins ? pins.pinned(e) : null;
      if (pin == Tier.HDD && onSsd) {
        mustDemote.add(e);
      } else if (pin == Tier.SSD && !onSsd) {
        mustPromote.add(e);
      } else if (pin == null && onSsd) {
        cold.add(e);
      } else if (pin == null && heat.heat(e) >= minPromoteHeat) {
        hot.add(e);
      }
    }
    hot.sort(Comparator.comparingDouble((Long e) -> heat.heat(e)).reversed());
    cold.sort(Comparator.comparingDouble((Long e) -> heat.heat(e)));
    int coldNext = 0;
    int hotNext = 0;

    for (Long e : mustDemote) {
      if (moves.size() == maxMoves) {
        return moves;
      }
      moves.add(new Move(e, Tier.HDD));
      used--;
    }
    for (Long e : mustPromote) {
      if (used >= ssdSlots && coldNext < cold.size() && moves.size() < maxMoves) {
        moves.add(new Move(cold.get(coldNext++), Tier.HDD));
        used--;
      }
      if (used >= ssdSlots || moves.size() == maxMoves) {
        break;
      }
      moves.add(new Move(e, Tier.SSD));
      used++;
    }
    int target = ssdSlots - reserveSlots;
    while (used > target && coldNext < cold.size() && moves.size() < maxMoves) {
      moves.add(new Move(cold.get(coldNext++), Tier.HDD));
      used--;
    }
    while (used < target && hotNext < hot.size() && moves.size() < maxMoves) {
      moves.add(new Move(hot.get(hotNext++), Tier.SSD));
      used++;
    }
    while (hotNext < hot.size() && coldNext < cold.size() && moves.size() + 2 <= maxMoves
        && heat.heat(hot.get(hotNext)) > heat.heat(cold.get(coldNext)) * hysteresis) {
      moves.add(new Move(cold.get(coldNext++), Tier.HDD));
      moves.add(new Move(hot.get(hotNext++), Tier.SSD));
    }
    return moves;
  }
}
