package io.strata.agent;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A fresh, empty data folder for the agent under test, so that no earlier run's arrays come back. */
public class AgentTestNode implements QuarkusTestResourceLifecycleManager {

  static Path folder;

  @Override
  public Map<String, String> start() {
    try {
      folder = Files.createTempDirectory("strata-agent-test-");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return Map.of("strata.agent.data-dir", folder.toString());
  }

  @Override
  public void stop() {
    // left for inspection under /tmp; the test deletes its arrays itself
  }
}
