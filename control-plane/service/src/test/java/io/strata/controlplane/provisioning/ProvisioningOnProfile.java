package io.strata.controlplane.provisioning;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.strata.testsupport.KafkaTestResource;
import java.util.List;
import java.util.Map;

/**
 * Provisioning on (the outbox relay and the events consumer run) against a Kafka broker of its
 * own, short timeouts, and metrics read from the database at every scrape: ProvisioningOverKafkaTest's
 * and MetricsEndpointTest's, so that both classes run in one application (a profile each, or test
 * resources restricted to each class, cost a restart of several seconds). PostgreSQL and Keycloak
 * are the module's test resources, as for every other class.
 */
public class ProvisioningOnProfile implements QuarkusTestProfile {

  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(new TestResourceEntry(KafkaTestResource.class));
  }

  @Override
  public Map<String, String> getConfigOverrides() {
    // 15 s: ProvisioningOverKafkaTest waits this long for its silent array to fail; the test's
    // other objects hear from their "node" (the test) within a second or two
    return Map.of("strata.provisioning.enabled", "true", "strata.provisioning.transition-timeout", "15s",
        "strata.provisioning.heartbeat-timeout", "4s", "strata.provisioning.watch-interval", "500ms",
        "strata.metrics.db-refresh", "0s");
  }
}
