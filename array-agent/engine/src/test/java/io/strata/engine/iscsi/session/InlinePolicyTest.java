package io.strata.engine.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InlinePolicyTest {

  @Test
  void quickCommandsStayInline() {
    InlinePolicy policy = new InlinePolicy(true);
    assertThat(policy.inline(0)).isTrue();
    policy.ran(5_000, 4096, 5_000); // a page-cached 4 KiB read
    assertThat(policy.inline(10_000)).isTrue();
    // A 1 MiB read may take longer, in proportion to what it copies.
    policy.ran(900_000, 1 << 20, 1_000_000);
    assertThat(policy.inline(1_000_000)).isTrue();
  }

  @Test
  void aSlowCommandSendsTheNextOnesToTheThreadsForTheBackoffThenInlineIsTriedAgain() {
    InlinePolicy policy = new InlinePolicy(true);
    long end = 5_000_000;
    policy.ran(3_000_000, 4096, end); // a 4 KiB read that had to wait for the disk
    assertThat(policy.inline(end + 1)).isFalse();
    assertThat(policy.inline(end + InlinePolicy.BACKOFF_NANOS - 1)).isFalse();
    assertThat(policy.inline(end + InlinePolicy.BACKOFF_NANOS)).isTrue();
  }

  @Test
  void disabledNeverRunsInline() {
    assertThat(new InlinePolicy(false).inline(0)).isFalse();
  }
}
