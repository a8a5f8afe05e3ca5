package io.strata.engine.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SegmentedLruTest {
  @Test
  void aHitMovesALineToProtectedAndVictimsComeFromProbationFirst() {
    SegmentedLru lru = new SegmentedLru(4, 0.5); // 2 protected places
    lru.insert(1);
    lru.insert(2);
    lru.insert(3);
    lru.touch(1);

    assertThat(lru.isProtected(1)).isTrue();
    assertThat(lru.coldest(3)).containsExactly(2L, 3L, 1L);
  }

  @Test
  void aFullProtectedSegmentDemotesItsLeastRecentLineToProbation() {
    SegmentedLru lru = new SegmentedLru(4, 0.5);
    for (long l = 1; l <= 3; l++) {
      lru.insert(l);
      lru.touch(l);
    }
    assertThat(lru.isProtected(1)).isFalse(); // pushed out by 2 and 3
    assertThat(lru.isProtected(3)).isTrue();
    assertThat(lru.coldest(1)).containsExactly(1L);
  }

  @Test
  void promotionFilterPromotesOnTheSecondMissWithinItsWindowOnly() {
    PromotionFilter f = new PromotionFilter(2, 2);
    assertThat(f.missShouldPromote(10)).isFalse();
    assertThat(f.missShouldPromote(10)).isTrue();
    assertThat(f.missShouldPromote(20)).isFalse();
    assertThat(f.missShouldPromote(30)).isFalse();
    assertThat(f.missShouldPromote(40)).isFalse(); // 20 falls out of the window
    assertThat(f.missShouldPromote(20)).isFalse();
  }

  @Test
  void sequentialDetectorBypassesOnlyPastTheCutoffAndFollowsSeveralStreams() {
    SequentialDetector d = new SequentialDetector(4096);
    assertThat(d.bypass(0, 4, 512)).isFalse(); // 2 KiB
    assertThat(d.bypass(1000, 8, 512)).isFalse(); // another stream
    assertThat(d.bypass(4, 4, 512)).isFalse(); // 4 KiB: not past
    assertThat(d.bypass(1008, 8, 512)).isTrue(); // 8 KiB on stream two
    assertThat(d.bypass(8, 1, 512)).isTrue();
    assertThat(d.bypass(500, 1, 512)).isFalse(); // random
  }
}
