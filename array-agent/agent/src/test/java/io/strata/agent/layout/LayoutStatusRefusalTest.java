package io.strata.agent.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.layout.LayoutStatus;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Status files written by the engine's own writer: a revision applied but for pools refused over
 * their drives is told apart from a revision the engine could not apply at all.
 */
class LayoutStatusRefusalTest {

  @TempDir Path folder;

  private LayoutFiles.Status written(long revision, String error, Map<String, String> refusedPools) throws Exception {
    LayoutFiles files = new LayoutFiles(folder);
    LayoutStatus.write(files.status(), revision, error, List.of(), refusedPools);
    return files.readStatus();
  }

  private static Map<String, String> refusals() {
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("fast", "pool fast refused: drive 's1' is the flash cache of pool slow");
    refused.put("quick", "pool quick refused: drive 's2' is the SSD tier of pool slow");
    return refused;
  }

  @Test
  void refusedPoolsWhoseReasonsAreTheWholeErrorMeanTheRestWasApplied() throws Exception {
    LayoutFiles.Status status = written(5, String.join("; ", refusals().values()), refusals());
    assertThat(status.ok()).isFalse();
    assertThat(status.refusedPools()).containsExactlyEntriesOf(refusals());
    assertThat(status.appliedButRefusedPools()).isTrue();
  }

  @Test
  void anErrorOfItsOwnIsAWholeLayoutRefusalEvenWhenPoolsRefusedBeforeAreStillNamed() throws Exception {
    // the engine writes the refusals of the layout it applied last with a reload that failed
    LayoutFiles.Status status = written(6, "layout.json: volume v9 names unknown pool p9", refusals());
    assertThat(status.refusedPools()).isNotEmpty();
    assertThat(status.appliedButRefusedPools()).isFalse();
    assertThat(written(6, "layout.json: not JSON", Map.of()).appliedButRefusedPools()).isFalse();
  }

  @Test
  void anOkStatusHasNoRefusedPools() throws Exception {
    LayoutFiles.Status status = written(7, null, Map.of());
    assertThat(status.ok()).isTrue();
    assertThat(status.refusedPools()).isEmpty();
    assertThat(status.appliedButRefusedPools()).isFalse();
  }

  @Test
  void aRevisionWaitingForRemoteDrivesIsPendingNotRefused() throws Exception {
    LayoutFiles files = new LayoutFiles(folder);
    LayoutStatus.write(files.status(), 8L, "new pool p2 is missing drive 1; unreachable remote drive(s): d2 (...)",
        List.of(), Map.of(), List.of("d2"));
    LayoutFiles.Status status = files.readStatus();
    assertThat(status.ok()).isFalse();
    assertThat(status.waitingForDrives()).containsExactly("d2");
    assertThat(status.waitsForDrives()).isTrue();
    assertThat(written(8, "layout.json: not JSON", Map.of()).waitsForDrives()).isFalse();
  }
}
