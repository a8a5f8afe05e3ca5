package io.strata.agent.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's drive states in its layout status decide whether the agent calls the array DEGRADED. */
class LayoutStatusHealthTest {

  @TempDir Path folder;

  private LayoutFiles.Status read(String json) throws Exception {
    LayoutFiles files = new LayoutFiles(folder);
    Files.writeString(files.status(), json);
    return files.readStatus();
  }

  @Test
  void aRemoteDriveTheEngineCannotReachMakesTheArrayDegradedWithTheEnginesReason() throws Exception {
    LayoutFiles.Status status = read("""
        {"revision": 4, "ok": true, "drives": [
          {"name": "d1", "remote": false, "pool": "p1", "state": "ONLINE"},
          {"name": "d2", "remote": true, "pool": "p1", "state": "FAILED", "reason": "connection refused"}],
         "time": "2026-11-26T07:00:00Z"}""");
    assertThat(status.degradedBecause()).isEqualTo("drive d2 (on another node) FAILED: connection refused");
  }

  @Test
  void aDriveBeingRebuiltIsNamedTooAndAllOnlineIsNotDegraded() throws Exception {
    assertThat(read("""
        {"revision": 4, "ok": true, "drives": [{"name": "d1", "remote": false, "pool": "p1", "state": "REBUILDING"}],
         "time": "t"}""").degradedBecause()).isEqualTo("drive d1 REBUILDING");
    assertThat(read("""
        {"revision": 4, "ok": true, "drives": [{"name": "d1", "remote": false, "pool": "p1", "state": "ONLINE"}],
         "time": "t"}""").degradedBecause()).isNull();
  }

  @Test
  void anEngineThatSaysNothingOfItsDrivesIsNotDegraded() throws Exception {
    assertThat(read("{\"revision\": 2, \"ok\": true, \"time\": \"t\"}").degradedBecause()).isNull();
  }
}
