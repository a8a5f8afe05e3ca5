package io.strata.billing.bench;

import io.strata.billing.support.BillingTestProfile;
import java.util.Map;

/** The test servers, with production batch sizes. */
public class BenchProfile extends BillingTestProfile {
  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "strata.billing.metering.max-poll-records", System.getProperty("bench.batch", "10000"),
        "quarkus.log.category.\"kafka\".level", "WARN",
        "quarkus.log.category.\"org.apache.kafka\".level", "WARN");
  }
}
