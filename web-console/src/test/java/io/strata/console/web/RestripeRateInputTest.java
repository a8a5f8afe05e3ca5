package io.strata.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pool page's restripe pace field: what is sent to the control plane, and what is refused. */
class RestripeRateInputTest {

  @Test
  void wholeMiBPerSecondFromZeroToTenThousandIsSent() {
    assertThat(PoolsResource.rateOrNull("0")).isZero();
    assertThat(PoolsResource.rateOrNull(" 40 ")).isEqualTo(40);
    assertThat(PoolsResource.rateOrNull("10000")).isEqualTo(10000);
  }

  @Test
  void anythingElseIsRefusedBeforeAnyRequest() {
    for (String bad : new String[] {null, "", "fast", "-1", "4.5", "10001", "99999", "1e3"}) {
      assertThat(PoolsResource.rateOrNull(bad)).as(bad).isNull();
    }
  }
}
