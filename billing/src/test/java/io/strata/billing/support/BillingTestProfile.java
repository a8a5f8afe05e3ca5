package io.strata.billing.support;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.strata.testsupport.KafkaTestResource;
import io.strata.testsupport.KeycloakTestResource;
import io.strata.testsupport.PostgresTestResource;
import java.util.List;
import java.util.Map;

/**
 * One billing service for all integration tests: a fresh database on the real PostgreSQL, a real
 * in-process Kafka broker, the real Keycloak. Small batches so that a restart lands mid-stream.
 */
public class BillingTestProfile implements QuarkusTestProfile {

  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(
        new TestResourceEntry(PostgresTestResource.class),
        new TestResourceEntry(KafkaTestResource.class),
        new TestResourceEntry(KeycloakTestResource.class));
  }

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.of(
        "strata.billing.metering.max-poll-records", "4",
        "strata.billing.metering.grace-period", "PT6H",
        // a stopped consumer comes back within a second or two
        "strata.billing.metering.restart-backoff", "PT0.2S",
        "strata.billing.metering.restart-backoff-max", "PT5S",
        // a partition's lag shows on /q/metrics within a second of its assignment, not a minute
        // (MetricsEndpointTest waited out Micrometer's one-minute refresh)
        "strata.billing.metering.kafka-metrics-refresh", "PT1S",
        // the in-process broker and the clients are chatty at INFO
        "quarkus.log.category.\"kafka\".level", "WARN",
        "quarkus.log.category.\"org.apache.kafka\".level", "WARN");
  }
}
