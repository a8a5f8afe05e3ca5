package io.strata.csi.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import csi.v1.Csi;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strata.csi.CsiNames;
import io.strata.csi.GrpcErrors;
import io.strata.csi.api.ApiException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The controller's rules that need no control plane: sizes, parameters, names, status codes. */
class ControllerRulesTest {

  static final long GIB = 1L << 30;

  static Csi.CapacityRange range(long required, long limit) {
    return Csi.CapacityRange.newBuilder().setRequiredBytes(required).setLimitBytes(limit).build();
  }

  static Status.Code code(Runnable r) {
    try {
      r.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    throw new AssertionError("no error");
  }

  @Test
  void sizesAreWholeGibRoundedUpWithinTheLimit() {
    assertThat(ControllerService.sizeGib(Csi.CapacityRange.getDefaultInstance())).isEqualTo(1);
    assertThat(ControllerService.sizeGib(range(1, 0))).isEqualTo(1);
    assertThat(ControllerService.sizeGib(range(GIB + 1, 0))).isEqualTo(2);
    assertThat(ControllerService.sizeGib(range(0, 3 * GIB))).isEqualTo(1);
    assertThat(code(() -> ControllerService.sizeGib(range(GIB + 1, GIB + 2)))).isEqualTo(Status.Code.OUT_OF_RANGE);
    assertThat(code(() -> ControllerService.sizeGib(range(2 * GIB, GIB)))).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(ControllerService.fits(2 * GIB, range(GIB, 0))).isTrue();
    assertThat(ControllerService.fits(2 * GIB, range(GIB, GIB))).isFalse();
  }

  @Test
  void storageClassParametersAreCheckedAndNamed() {
    assertThat(ControllerService.volumeOptions(Map.of("thin", "false", "qosIopsLimit", "500", "tierPin", "SSD")))
        .containsEntry("thin", false).containsEntry("qosIopsLimit", 500).containsEntry("tierPin", "SSD");
    assertThatThrownBy(() -> ControllerService.volumeOptions(Map.of("qosMbpsLimit", "-1")))
        .hasMessageContaining("parameters.qosMbpsLimit");
    assertThatThrownBy(() -> ControllerService.volumeOptions(Map.of("tierPin", "ssd")))
        .hasMessageContaining("parameters.tierPin");
    assertThatThrownBy(() -> ControllerService.checkParameters(Map.of("pool", "p", "encrypted", "true")))
        .hasMessageContaining("parameters.encrypted");
  }

  @Test
  void csiNamesBecomeApiNamesStably() {
    assertThat(CsiNames.apiName("pvc-0b6c7b2e-6f5a-4f0e-9a43-2d3f0c1b9a77")).isEqualTo("pvc-0b6c7b2e-6f5a-4f0e-9a43-2d3f0c1b9a77");
    String mapped = CsiNames.apiName("Snapshot_With.Capitals/and-more-than-sixty-three-characters-".repeat(3));
    assertThat(mapped).matches("csi-[0-9a-f]{32}").isEqualTo(CsiNames.apiName(
        "Snapshot_With.Capitals/and-more-than-sixty-three-characters-".repeat(3)));
    assertThat(CsiNames.apiName("a")).isNotEqualTo(CsiNames.apiName("A"));
    assertThat(CsiNames.isIqn("iqn.2026-11.io.strata.csi:node-1")).isTrue();
    assertThat(CsiNames.isIqn("some-fake-node-id")).isFalse();
  }

  @Test
  void problemsOfTheApiBecomeTheStatusCsiAsksFor() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Map<String, Status.Code> expected = Map.of(
        "pool-full", Status.Code.RESOURCE_EXHAUSTED,
        "quota-exceeded", Status.Code.RESOURCE_EXHAUSTED,
        "idempotency-key-reused", Status.Code.ALREADY_EXISTS,
        "volume-attached", Status.Code.FAILED_PRECONDITION,
        "volume-has-snapshots", Status.Code.FAILED_PRECONDITION,
        "not-found", Status.Code.NOT_FOUND,
        "invalid-request", Status.Code.INVALID_ARGUMENT,
        "concurrent-modification", Status.Code.ABORTED);
    Map<String, Integer> statuses = Map.of("not-found", 404, "invalid-request", 400, "idempotency-key-reused", 422);
    for (var e : expected.entrySet()) {
      ApiException problem = new ApiException(statuses.getOrDefault(e.getKey(), 409),
          json.readTree("{\"type\":\"https://strata.io/problems/" + e.getKey() + "\",\"detail\":\"d\"}"), "POST /x");
      assertThat(GrpcErrors.status(problem).getStatus().getCode()).as(e.getKey()).isEqualTo(e.getValue());
    }
  }
}
