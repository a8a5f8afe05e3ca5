package io.strata.controlplane.alerts;

import java.util.UUID;

/** A condition seen holding for one object in one evaluation. */
public record Observation(
    Condition condition, String objectKey, UUID tenantId, UUID arrayId, UUID nodeId, String summary) {

  /** What makes it the same alert from one evaluation to the next. */
  public String identity() {
    return condition.id + " " + objectKey;
  }
}
