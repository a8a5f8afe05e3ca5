package io.strata.engine.tier;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MovePlannerTest {
  static final long SECOND = 1_000_000_000L;

  static HeatMap heat(double... values) {
    HeatMap h = new HeatMap(values.length, SECOND);
    for (int e = 0; e < values.length; e++) {
      for (int i = 0; i < values[e]; i++) {
        h.touch(e);
      }
    }
    return h;
  }

  static int[] onSsd(int extents, int... ssdExtents) {
    int[] slots = new int[extents];
    Arrays.fill(slots, -1);
    for (int i = 0; i < ssdExtents.length; i++) {
      slots[ssdExtents[i]] = i;
    }
    return slots;
  }

  @Test
  void theHottestExtentsFillTheSsdUpToItsReserve() {
    HeatMap h = heat(5, 0, 9, 3, 7, 1);
    List<Move> plan = MovePlanner.plan(h, onSsd(6), 6, new PinMap(), 4, 1, 10, 1.5, 2);
    assertThat(plan).containsExactly(
        new Move(2, Tier.SSD), new Move(4, Tier.SSD), new Move(0, Tier.SSD));
  }

  @Test
  void aMuchHotterExtentSwapsWithTheColdestButASimilarOneDoesNot() {
    HeatMap h = heat(10, 4, 20, 5);
    // SSD of 2 slots, no reserve, holding extents 0 (heat 10) and 1 (heat 4).
    List<Move> plan = MovePlanner.plan(h, onSsd(4, 0, 1), 4, new PinMap(), 2, 0, 10, 1.5, 2);
    // 20 > 4 * 1.5: swap; then 5 > 10 * 1.5 is false: stop.
    assertThat(plan).containsExactly(new Move(1, Tier.HDD), new Move(2, Tier.SSD));
  }

  @Test
  void theMoveBudgetCapsThePlan() {
    HeatMap h = heat(9, 9, 9, 9, 9);
    List<Move> plan = MovePlanner.plan(h, onSsd(5), 5, new PinMap(), 5, 0, 2, 1.5, 2);
    assertThat(plan).hasSize(2);
  }

  @Test
  void pinsWinOverHeatAndMayUseTheReserve() {
    HeatMap h = heat(50, 0, 0, 40);
    PinMap pins = new PinMap();
    pins.pin(0, 1, Tier.HDD); // hot but pinned down
    pins.pin(1, 3, Tier.SSD); // cold but pinned up
    // 2 slots, 1 reserved; extent 0 sits on SSD.
    List<Move> plan = MovePlanner.plan(h, onSsd(4, 0), 4, pins, 2, 1, 10, 1.5, 2);
    assertThat(plan).containsExactly(
        new Move(0, Tier.HDD), new Move(1, Tier.SSD), new Move(2, Tier.SSD));
  }

  @Test
  void heatHalvesEveryHalfLife() {
    HeatMap h = heat(8);
    h.decay(SECOND);
    assertThat(h.heat(0)).isEqualTo(4.0);
    h.decay(2 * SECOND);
    assertThat(h.heat(0)).isEqualTo(1.0);
    h.decay(SECOND / 2);
    assertThat(h.heat(0)).isCloseTo(Math.sqrt(0.5), org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void unpinningTheMiddleOfAPinnedRangeKeepsBothEnds() {
    PinMap pins = new PinMap();
    pins.pin(10, 20, Tier.SSD);
    pins.unpin(12, 15);
    assertThat(pins.pinned(11)).isEqualTo(Tier.SSD);
    assertThat(pins.pinned(12)).isNull();
    assertThat(pins.pinned(14)).isNull();
    assertThat(pins.pinned(15)).isEqualTo(Tier.SSD);
    assertThat(pins.pinned(20)).isNull();
  }
}
