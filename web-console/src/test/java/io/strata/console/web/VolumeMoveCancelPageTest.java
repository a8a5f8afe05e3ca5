package io.strata.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.qute.Template;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.console.api.ControlPlane.VolumeView;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The volume page's move parts (the {@code move} and {@code moveprogress} fragments of
 * volume.html, as VolumesResource renders them) for a volume read from the control plane's JSON:
 * a moving volume offers "Cancel move", one whose move is being cancelled says so and offers
 * nothing, and a refusal shows the control plane's own words.
 */
@QuarkusTest
class VolumeMoveCancelPageTest {
  static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
  static final String ONE = "00000000-0000-0000-0000-0000000000a1";
  static final String TWO = "00000000-0000-0000-0000-0000000000a2";
  static final Map<String, String> NAMES = Map.of(ONE, "fast", TWO, "slow");

  @Inject Template volume;

  static VolumeView volume(String state, String move) throws Exception {
    return JSON.readValue("""
        {"id":"00000000-0000-0000-0000-000000000001","arrayId":"00000000-0000-0000-0000-000000000002",
         "poolId":"%s","name":"data","sizeGib":10,"thin":true,"multiAttach":false,"state":"%s",
         "createdAt":"2026-12-07T08:00:00Z","updatedAt":"2026-12-07T08:00:00Z","move":%s}"""
        .formatted(ONE, state, move), VolumeView.class);
  }

  static String move(String from, String to, boolean cancelling) {
    return """
        {"fromPoolId":"%s","toPoolId":"%s","progressPercent":25,"copiedExtents":2560,"totalExtents":10240,
         "stoppedReason":null,"startedAt":"2026-12-07T09:00:00Z","cancelling":%s}""".formatted(from, to, cancelling);
  }

  private String render(String fragment, VolumeView v, Map<String, String> errors) {
    return volume.getFragment(fragment).data("volume", v).data("moveTargets", List.of()).data("poolNames", NAMES)
        .data("moveErrors", errors).data("key", "form-key").render();
  }

  @Test
  void aMovingVolumeOffersToCancelItsMove() throws Exception {
    VolumeView v = volume("MOVING", move(TWO, ONE, false));
    assertThat(v.move().cancelling()).isFalse();

    String section = render("move", v, Map.of());
    assertThat(section).contains("data-testid=\"cancel-move\"")
        .contains("hx-post=\"/volumes/" + v.id() + "/move/cancel\"")
        .contains("name=\"key\" value=\"form-key\"")
        .contains("Cancel move")
        .contains("back to pool slow")
        .doesNotContain("data-testid=\"move-volume\"");
    assertThat(render("moveprogress", v, Map.of())).contains("Moving from pool").doesNotContain("Cancelling");
  }

  @Test
  void aMoveBeingCancelledSaysSoAndCannotBeCancelledAgain() throws Exception {
    // the cancel swapped the pools: the volume moves back from the pool it was going to
    VolumeView v = volume("MOVING", move(TWO, ONE, true));
    assertThat(v.move().cancelling()).isTrue();

    String section = render("move", v, Map.of());
    assertThat(section).doesNotContain("data-testid=\"cancel-move\"").doesNotContain("data-testid=\"move-volume\"")
        .contains("The move is being cancelled: the volume goes back to pool fast");
    assertThat(render("moveprogress", v, Map.of())).contains("Cancelling the move:")
        .contains("moving back from pool\n<a href=\"/pools/" + TWO + "\">slow</a> to pool\n<a href=\"/pools/" + ONE
            + "\">fast</a>")
        .contains("AVAILABLE in the pool it came from");
  }

  @Test
  void aRefusedCancelShowsTheControlPlanesReason() throws Exception {
    VolumeView v = volume("MOVING", move(TWO, ONE, true));
    String section = render("move", v, Map.of("_form",
        "the move is being cancelled already: the volume is moving back to pool 'fast'"));
    assertThat(section).contains("data-testid=\"form-error\"")
        .contains("the move is being cancelled already: the volume is moving back to pool &#39;fast&#39;");
  }

  @Test
  void aControlPlaneThatDoesNotSayCancellingMeansAPlainMove() throws Exception {
    VolumeView v = JSON.readValue("""
        {"id":"00000000-0000-0000-0000-000000000001","poolId":"%s","name":"data","state":"MOVING",
         "move":{"fromPoolId":"%s","toPoolId":"%s","progressPercent":0}}""".formatted(ONE, TWO, ONE),
        VolumeView.class);
    assertThat(v.move().cancelling()).isFalse();
    assertThat(render("move", v, Map.of())).contains("data-testid=\"cancel-move\"");
  }

  @Test
  void aVolumeThatFailedWhileMovingOffersTheCancelAsItsWayBack() throws Exception {
    // it failed on its way to pool fast (from slow): the cancel takes it back to slow
    String section = render("move", volume("FAILED", move(TWO, ONE, false)), Map.of());
    assertThat(section).contains("data-testid=\"cancel-move\"")
        .contains("hx-post=\"/volumes/00000000-0000-0000-0000-000000000001/move/cancel\"")
        .contains("The volume FAILED while moving.")
        .contains("back to pool slow, where it came from")
        .doesNotContain("data-testid=\"move-volume\"");
    // it failed while its move was being cancelled: a second cancel asks for the way back again
    section = render("move", volume("FAILED", move(TWO, ONE, true)), Map.of());
    assertThat(section).contains("data-testid=\"cancel-move\"")
        .contains("The volume FAILED while its move was being cancelled.")
        .contains("back to pool fast, where it came from");
    // a FAILED volume without a move has nothing to cancel
    assertThat(render("move", volume("FAILED", "null"), Map.of())).doesNotContain("data-testid=\"cancel-move\"")
        .contains("A volume moves when it is AVAILABLE (it is FAILED)");
  }
}
