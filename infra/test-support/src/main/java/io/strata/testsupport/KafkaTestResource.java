package io.strata.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real Kafka broker for one Quarkus test: Kafka's own KRaft test kit, in process (the broker
 * code itself, not an in-memory stand-in). It gives the service {@code kafka.bootstrap.servers}.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

  private KafkaTestBroker broker;

  @Override
  public Map<String, String> start() {
    broker = KafkaTestBroker.start();
    return Map.of("kafka.bootstrap.servers", broker.bootstrapServers());
  }

  @Override
  public void stop() {
    if (broker != null) {
      broker.close();
    }
  }
}
