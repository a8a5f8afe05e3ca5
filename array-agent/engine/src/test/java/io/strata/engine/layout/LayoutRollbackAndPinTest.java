package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.engine.tier.Tier;
import io.strata.engine.tier.TieredDevice;
import io.strata.engine.volume.MetadataState;
import io.strata.engine.volume.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume's rollback in the layout happens once per request id, also across a restart of the
 * engine; pins reach the tiered device; the status file tells every reload's outcome.
 */
class LayoutRollbackAndPinTest {
  static final String IQN = "iqn.2026-11.io.strata:t.rollback";
  @TempDir Path dir;

  Path write(long revision, String volumeExtra, String snapshots) throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {
          "revision": %d,
          "drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "40M"}],
          "pools": [{"name": "p", "drives": ["a"]}],
          "volumes": [{"name": "v", "pool": "p", "size": "8M"%s}],
          "snapshots": [%s],
          "luns": [{"lun": 0, "volume": "v"}]
        }
        """.formatted(revision, volumeExtra, snapshots));
    return file;
  }

  static final String SNAP = "{\"name\": \"s\", \"volume\": \"v\"}";

  static void fill(Volume v, int value) throws IOException {
    byte[] b = new byte[4096];
    Arrays.fill(b, (byte) value);
    v.write(0, ByteBuffer.wrap(b), true);
  }

  static int first(Volume v) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4096);
    v.read(0, b);
    return b.get(0);
  }

  static Volume volume(LayoutService service) throws IOException {
    return service.stack().storeOf("v").open("v");
  }

  @Test
  void aRollbackRequestIsAppliedOnceEvenAcrossRestarts() throws Exception {
    Path file = write(1, "", "");
    Path status = dir.resolve("status.json");
    try (LayoutService service = LayoutService.open(file, IQN)) {
      service.reportTo(status);
      fill(volume(service), 'A');
      write(2, "", SNAP);
      service.reload();
      fill(volume(service), 'B');

      write(3, ", \"rollback\": {\"request\": \"r1\", \"snapshot\": \"s\"}", SNAP);
      assertThat(service.reloadAndReport()).contains("rolled back [v]");
      assertThat(first(volume(service))).isEqualTo('A');
      fill(volume(service), 'C');
      write(4, ", \"rollback\": {\"request\": \"r1\", \"snapshot\": \"s\"}", SNAP);
      assertThat(service.reloadAndReport()).doesNotContain("rolled back");
      assertThat(first(volume(service))).as("the same request is not applied twice")
          .isEqualTo('C');
    }
    // A restart replays the journal (or reads the checkpoint): the request is remembered.
    try (LayoutService service = LayoutService.open(file, IQN)) {
      assertThat(first(volume(service))).isEqualTo('C');
      assertThat(service.stack().storeOf("v").lastRollbackRequest("v")).isEqualTo("r1");
      write(5, ", \"rollback\": {\"request\": \"r2\", \"snapshot\": \"s\"}", SNAP);
      service.reload();
      assertThat(first(volume(service))).as("a new request rolls back again").isEqualTo('A');
      // Once applied, the snapshot may go while the request stays in the layout.
      write(6, ", \"rollback\": {\"request\": \"r2\", \"snapshot\": \"s\"}", "");
      service.reload();
      assertThat(service.stack().storeOf("s")).isNull();
    }
  }

  @Test
  void theStatusFileTellsEachReloadsRevisionAndOutcome() throws Exception {
    Path file = write(1, "", "");
    Path status = dir.resolve("state/status.json");
    ObjectMapper json = new ObjectMapper();
    try (LayoutService service = LayoutService.open(file, IQN)) {
      service.reportTo(status);
      write(2, "", SNAP);
      service.reloadAndReport();
      JsonNode ok = json.readTree(Files.readString(status));
      assertThat(ok.path("revision").asLong()).isEqualTo(2);
      assertThat(ok.path("ok").asBoolean()).isTrue();
      assertThat(ok.has("error")).isFalse();
      assertThat(ok.path("time").asText()).isNotBlank();

      // Not yet applied, and its snapshot is not in the layout: refused, nothing changes.
      write(3, ", \"rollback\": {\"request\": \"r9\", \"snapshot\": \"gone\"}", SNAP);
      assertThat(service.reloadAndReport()).contains("NOT applied");
      JsonNode bad = json.readTree(Files.readString(status));
      assertThat(bad.path("revision").asLong()).isEqualTo(3);
      assertThat(bad.path("ok").asBoolean()).isFalse();
      assertThat(bad.path("error").asText())
          .contains("volume v: rollback.snapshot 'gone' is not a snapshot in the layout");
      assertThat(service.stack().storeOf("s")).as("the failed reload kept the snapshot")
          .isNotNull();
      assertThat(Files.list(status.getParent()).map(p -> p.getFileName().toString()))
          .as("no temporary file left behind").containsExactly("status.json");
    }
  }

  @Test
  void aPinnedVolumesExtentsArePinnedAndFollowNewWrites() throws Exception {
    Path file = dir.resolve("tiered.json");
    String layout = """
        {"drives": [{"name": "h", "path": "h.img", "media": "HDD", "size": "40M"},
                    {"name": "t", "path": "t.img", "media": "SSD", "size": "16M"}],
         "pools": [{"name": "p", "drives": ["h"], "tiering": {"drive": "t"}}],
         "volumes": [{"name": "v", "pool": "p", "size": "8M"%s},
                     {"name": "w", "pool": "p", "size": "8M"}],
         "luns": [{"lun": 0, "volume": "v"}]}""";
    Files.writeString(file, layout.formatted(", \"tier\": \"HDD\""));
    try (LayoutService service = LayoutService.open(file, IQN)) {
      ArrayStack stack = service.stack();
      Volume v = stack.storeOf("v").open("v");
      Volume w = stack.storeOf("w").open("w");
      fill(v, 1);
      fill(w, 2);
      Files.writeString(file, layout.formatted(", \"tier\": \"SSD\""));
      service.reload();
      TieredDevice tiered = stack.tieredDevice("p");
      long pv = stack.storeOf("v").mappedPhysicalExtents("v")[0];
      long pw = stack.storeOf("w").mappedPhysicalExtents("w")[0];
      long extentsPerPe = MetadataState.EXTENT_BYTES / (1L << 20);
      assertThat(tiered.pinnedTier(pv * extentsPerPe)).isEqualTo(Tier.SSD);
      assertThat(tiered.pinnedTier(pw * extentsPerPe)).as("an unpinned volume").isNull();

      // An extent written after the reload is pinned at the next refresh.
      ByteBuffer more = ByteBuffer.allocate(4096);
      v.write(4L * MetadataState.EXTENT_BLOCKS, more, true);
      stack.refreshPins();
      long[] mapped = stack.storeOf("v").mappedPhysicalExtents("v");
      assertThat(mapped).hasSize(2);
      for (long pe : mapped) {
        assertThat(tiered.pinnedTier(pe * extentsPerPe)).isEqualTo(Tier.SSD);
      }

      Files.writeString(file, layout.formatted(""));
      service.reload();
      assertThat(tiered.pinnedTier(pv * extentsPerPe)).as("unpinned by the layout").isNull();
    }
  }

  @Test
  void aPinInAPoolWithoutTiersIsRefusedOnReloadAndChangesNothing() throws Exception {
    Path file = write(1, "", "");
    try (LayoutService service = LayoutService.open(file, IQN)) {
      write(2, ", \"tier\": \"SSD\"", SNAP);
      assertThatThrownBy(service::reload).hasMessageContaining("needs a tiered pool");
      assertThat(service.stack().storeOf("s")).isNull();
    }
  }
}
