package io.strata.billing.metering;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {

  @Test
  void readsTheUtcFormsLikeJavaTimeDoes() {
    for (String text : new String[] {"2026-10-01T00:01:00Z", "2026-11-26T02:12:36.123456Z", "2024-02-29T23:59:59.5Z",
        "1970-01-01T00:00:00.000000001Z", "2026-12-31T23:59:59.999999999Z", "1969-12-31T23:59:59Z"}) {
      assertThat(IsoInstants.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Test
  void leavesEveryOtherFormAndImpossibleDatesToTheGeneralParser() {
    for (String text : new String[] {"2026-02-30T00:00:00Z", "2026-10-01T24:00:00Z", "2026-10-01T00:00:60Z",
        "2026-10-01T00:00:00+02:00", "2026-10-01T00:00:00.Z", "2026-10-01 00:00:00Z", "2026-1x-01T00:00:00Z",
        "2026-10-01T00:00:00.1234567890Z", "1700000000", "", "2026-10-01T00:00:00"}) {
      assertThat(IsoInstants.parse(text)).as(text).isNull();
    }
  }
}
