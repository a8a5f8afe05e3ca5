package io.strata.controlplane.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The events consumer's bound on how long ago an event just read reached Kafka. */
class AppendedWithinTest {
  static final long S = 1_000_000_000L;

  @Test
  void aPartitionAtItsEndAfterThePreviousPollBoundsItsNextEventsByThePollBeforeThat() {
    AppendedWithin a = new AppendedWithin();
    a.polling(0);
    a.polling(S / 2);
    a.atEnd(3);
    a.polling(S);
    assertThat(a.of(3, S + S / 10)).isEqualTo(Duration.ofNanos(S + S / 10));
  }

  @Test
  void aPartitionNeverAtItsEndHasNoBound() {
    AppendedWithin a = new AppendedWithin();
    a.polling(0);
    a.atEnd(3); // after the first poll nothing says when its fetch began
    a.polling(S);
    assertThat(a.of(3, S)).isNull();
    assertThat(a.of(4, S)).isNull();
  }

  @Test
  void aConsumerThatPausedBoundsWhatItReadsAfterThePauseByWhenItWasLastAtTheEnd() {
    AppendedWithin a = new AppendedWithin();
    a.polling(0);
    a.polling(S / 2);
    a.atEnd(3);
    a.polling(S); // then paused for 10 s: the backlog read next is up to 11 s old
    a.polling(11 * S);
    assertThat(a.of(3, 11 * S)).isEqualTo(Duration.ofSeconds(11));
  }
}
