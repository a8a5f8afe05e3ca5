package io.strata.agent.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.layout.LayoutStatus;
import io.strata.engine.layout.VolumeKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key states an engine writes in its layout status (docs/encryption.md) are what the agent
 * reads and passes on; an engine that says nothing of keys gives none.
 */
class LayoutStatusKeysTest {

  @TempDir Path folder;

  @Test
  void theEnginesKeyStatesReachTheAgent() throws Exception {
    LayoutFiles files = new LayoutFiles(folder);
    Map<String, VolumeKeys.KeyStatus> keys = new TreeMap<>();
    keys.put("vol-a", new VolumeKeys.KeyStatus(VolumeKeys.KeyState.ACTIVE, "7", null));
    keys.put("vol-b", new VolumeKeys.KeyStatus(VolumeKeys.KeyState.KMS_UNREACHABLE, "7", "the KMS at h:1 cannot be reached"));
    LayoutStatus.write(files.status(), 3L, null, List.of(), Map.of(), List.of(), null, Map.of(), null, Map.of(),
        Map.of(), List.of(), keys);
    assertThat(files.readStatus().keys()).containsExactly(
        new LayoutFiles.KeyEntry("vol-a", "7", "ACTIVE", null),
        new LayoutFiles.KeyEntry("vol-b", "7", "KMS_UNREACHABLE", "the KMS at h:1 cannot be reached"));

    LayoutStatus.write(files.status(), 4L, null);
    assertThat(files.readStatus().keys()).isEmpty();
  }
}
