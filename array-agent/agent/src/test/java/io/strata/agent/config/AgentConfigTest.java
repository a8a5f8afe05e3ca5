package io.strata.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent's settings as an operator sets them, read through the same mapping the agent uses. */
class AgentConfigTest {

  static AgentConfig read(Map<String, String> properties) {
    // "30s" durations as Quarkus reads them; unknown properties under the prefix refused, as at the agent's start
    SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(AgentConfig.class).withValidateUnknown(true)
        .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
        .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
    return config.getConfigMapping(AgentConfig.class);
  }

  /** docs/observability.md names it; set, the agent refused to start (it was outside the mapping). */
  @Test
  void thePerformanceIntervalCanBeSetAndDefaultsToAMinute() {
    Map<String, String> required = Map.of("strata.agent.node-id", "n1", "strata.agent.data-dir", "/tmp/n1",
        "strata.agent.secrets.key-id", "k1");
    assertThat(read(required).performanceInterval()).isEqualTo(Duration.ofSeconds(60));
    Map<String, String> set = new java.util.HashMap<>(required);
    set.put("strata.agent.performance-interval", "5s");
    assertThat(read(set).performanceInterval()).isEqualTo(Duration.ofSeconds(5));
  }
}
