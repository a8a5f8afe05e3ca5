package io.strata.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.console.api.ControlPlane.ArrayView;
import io.strata.console.web.ArraysResource.Progress;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The array page's live part: which states it keeps watching. */
class ArrayProgressTest {

  @ParameterizedTest(name = "{0}: settled {1}, polling {2}")
  @CsvSource({
      "REQUESTED, false, true",
      "PLACING, false, true",
      "PROVISIONING, false, true",
      "ONLINE, true, false",
      // served without full redundancy, and able to heal on its own: the page must see it heal
      "DEGRADED, true, true",
      "FAILED, true, false",
      "HIBERNATED, true, false",
      "DELETED, true, false"})
  void aDegradedArrayIsSettledButStillWatched(String state, boolean settled, boolean polling) {
    Progress p = Progress.of(array(state));
    assertThat(p.settled()).isEqualTo(settled);
    assertThat(p.polling()).isEqualTo(polling);
  }

  static ArrayView array(String state) {
    return new ArrayView(UUID.randomUUID(), "a", "E01", 1, 4, "NODE", state, null, null, null, null, null,
        false, List.of(), null);
  }
}
