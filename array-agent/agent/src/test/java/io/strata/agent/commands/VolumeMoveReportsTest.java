package io.strata.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.agent.layout.LayoutFiles;
import io.strata.contracts.event.VolumeMoveStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's layout status on moves, as the array's status carries them to the control plane. */
class VolumeMoveReportsTest {
  @TempDir Path dir;

  @Test
  void eachMoveTheEngineReportsTravelsWithItsProgressAndAnOlderEngineReportsNone() throws Exception {
    Path file = dir.resolve("layout-status.json");
    Files.writeString(file, """
        {"revision": 4, "ok": true, "time": "2026-12-07T10:00:00Z",
         "moves": [{"volume": "v1", "from": "p1", "to": "p2", "copiedExtents": 256, "totalExtents": 1024,
                    "state": "COPYING"},
                   {"volume": "v2", "from": "p1", "to": "p2", "copiedExtents": 0, "totalExtents": 0,
                    "state": "DONE"},
                   {"volume": "v3", "from": "p2", "to": "p1", "copiedExtents": 3, "totalExtents": 8,
                    "state": "STOPPED", "error": "no space left in pool p1"}]}
        """);
    assertThat(VolumeMoveReports.of(LayoutFiles.readStatus(file))).containsExactly(
        new VolumeMoveStatus("v1", "p1", "p2", 256, 1024, VolumeMoveStatus.State.COPYING, null),
        new VolumeMoveStatus("v2", "p1", "p2", 0, 0, VolumeMoveStatus.State.DONE, null),
        new VolumeMoveStatus("v3", "p2", "p1", 3, 8, VolumeMoveStatus.State.STOPPED, "no space left in pool p1"));

    Files.writeString(file, "{\"revision\": 4, \"ok\": true, \"time\": \"2026-12-07T10:00:00Z\"}");
    assertThat(VolumeMoveReports.of(LayoutFiles.readStatus(file))).isEmpty();
    assertThat(VolumeMoveReports.of(null)).isEmpty();
  }
}
