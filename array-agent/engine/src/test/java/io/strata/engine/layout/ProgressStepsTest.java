package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.pool.PoolScrub;
import io.strata.engine.stats.StackFigures;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The layout status is rewritten for a scrub's or rebuild's position only when it crosses a whole
 * percent, and at once for anything it finds or any change of state, member or kind.
 */
class ProgressStepsTest {

  static Map<String, PoolScrub.Progress> scrub(long rowsDone, long mismatched, PoolScrub.State state) {
    return Map.of("p", new PoolScrub.Progress("s1", state, rowsDone, 1000, mismatched, 0, 0, 0, 0, 1, 0, null));
  }

  static Map<String, StackFigures.Rebuild> rebuild(long rowsDone, String kind) {
    return Map.of("p", new StackFigures.Rebuild("p", 1, rowsDone, 1000, kind, 0, "d", rowsDone << 20, 1000L << 20));
  }

  @Test
  void aScrubsPositionCountsByWholePercentsAndWhatItFindsAtOnce() {
    PoolScrub.State running = PoolScrub.State.RUNNING;
    assertThat(ProgressSteps.ofScrubs(scrub(10, 0, running))).as("1.0% and 1.9%")
        .isEqualTo(ProgressSteps.ofScrubs(scrub(19, 0, running)));
    assertThat(ProgressSteps.ofScrubs(scrub(19, 0, running))).as("1.9% and 2.0%")
        .isNotEqualTo(ProgressSteps.ofScrubs(scrub(20, 0, running)));
    assertThat(ProgressSteps.ofScrubs(scrub(10, 0, running))).as("a mismatch found")
        .isNotEqualTo(ProgressSteps.ofScrubs(scrub(11, 1, running)));
    assertThat(ProgressSteps.ofScrubs(scrub(999, 0, running))).as("done")
        .isNotEqualTo(ProgressSteps.ofScrubs(scrub(1000, 0, PoolScrub.State.DONE)));
  }

  @Test
  void aRebuildsPositionCountsByWholePercentsAndItsKindAtOnce() {
    assertThat(ProgressSteps.ofRebuilds(rebuild(500, "COPY"))).isEqualTo(ProgressSteps.ofRebuilds(rebuild(509, "COPY")));
    assertThat(ProgressSteps.ofRebuilds(rebuild(509, "COPY"))).isNotEqualTo(ProgressSteps.ofRebuilds(rebuild(510, "COPY")));
    assertThat(ProgressSteps.ofRebuilds(rebuild(500, "COPY")))
        .isNotEqualTo(ProgressSteps.ofRebuilds(rebuild(500, "REBUILD")));
    assertThat(ProgressSteps.ofRebuilds(rebuild(500, "COPY"))).as("the rebuild ended")
        .isNotEqualTo(ProgressSteps.ofRebuilds(Map.of()));
  }
}
