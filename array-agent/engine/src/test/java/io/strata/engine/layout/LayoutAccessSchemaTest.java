package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.tier.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layout fields the node agent drives an engine with besides the block stack: revision,
 * mutualChap, initiators, and per volume rollback and tier. Bad values are refused with the
 * field named.
 */
class LayoutAccessSchemaTest {
  @TempDir Path dir;

  static final String WEB = "iqn.2026-11.io.strata:host.web";

  ArrayLayout read(String top, String volume0Extra) throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {
          %s
          "drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "40M"},
                     {"name": "t", "path": "t.img", "media": "SSD", "size": "8M"}],
          "pools": [{"name": "p", "drives": ["a"]}],
          "volumes": [{"name": "v", "pool": "p", "size": "8M"%s},
                      {"name": "w", "pool": "p", "size": "8M"}],
          "snapshots": [{"name": "s", "volume": "v"}, {"name": "sw", "volume": "w"}],
          "luns": [{"lun": 0, "volume": "v"}, {"lun": 3, "volume": "w"}]
        }
        """.formatted(top, volume0Extra));
    return ArrayLayout.read(file);
  }

  @Test
  void everyNewFieldIsRead() throws IOException {
    ArrayLayout layout = read("""
        "revision": 42,
        "mutualChap": {"user": "target", "secret": "target-secret-01"},
        "initiators": [
          {"iqn": "%s", "chap": {"user": "web", "secret": "web-secret-0001"}, "luns": [0, 3]},
          {"iqn": "iqn.2026-11.io.strata:host.db", "luns": []}
        ],""".formatted(WEB), ", \"rollback\": {\"request\": \"op-7\", \"snapshot\": \"s\"}");
    assertThat(layout.revisionOrZero()).isEqualTo(42);
    assertThat(layout.mutualChap().user()).isEqualTo("target");
    assertThat(layout.controlsAccess()).isTrue();
    assertThat(layout.initiators().get(0).lunSet()).containsExactlyInAnyOrder(0, 3);
    assertThat(layout.initiators().get(0).chap().credentials().user()).isEqualTo("web");
    assertThat(layout.initiators().get(1).lunSet()).isEmpty();
    assertThat(layout.volumes().get(0).rollback().request()).isEqualTo("op-7");
    assertThat(layout.mutualChap().toString()).doesNotContain("target-secret-01");
  }

  @Test
  void absentFieldsMeanTodaysBehaviour() throws IOException {
    ArrayLayout layout = read("", "");
    assertThat(layout.revisionOrZero()).isZero();
    assertThat(layout.controlsAccess()).as("anyone, every LUN").isFalse();
    assertThat(read("\"initiators\": [],", "").controlsAccess())
        .as("an empty list is the layout saying nobody").isTrue();
    assertThat(layout.volumes().get(0).pinnedTier()).isNull();
    assertThat(layout.volumes().get(0).rollback()).isNull();
  }

  @Test
  void badAccessIsRefusedNamingTheField() {
    assertThatThrownBy(() -> read("\"initiators\": [{\"iqn\": \"" + WEB
        + "\", \"chap\": {\"user\": \"web\", \"secret\": \"short\"}, \"luns\": [0]}],", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("initiators[" + WEB + "].chap").hasMessageContaining("12");
    assertThatThrownBy(() -> read("\"initiators\": [{\"iqn\": \"" + WEB
        + "\", \"luns\": [0], \"lun\": 1}],", ""))
        .hasMessageContaining("unknown field 'lun'");
    assertThatThrownBy(() -> read("\"initiators\": [{\"iqn\": \"" + WEB + "\"}, {\"iqn\": \""
        + WEB + "\"}],", "")).hasMessageContaining(WEB + " is listed twice");
    assertThatThrownBy(() -> read("\"initiators\": [{\"luns\": [0]}],", ""))
        .hasMessageContaining("initiators: an entry needs an iqn");
    assertThatThrownBy(() -> read("\"initiators\": [{\"iqn\": \"" + WEB
        + "\", \"luns\": [16384]}],", "")).hasMessageContaining("initiators[" + WEB + "].luns");
    assertThatThrownBy(() -> read("\"initiators\": [{\"iqn\": \"" + WEB
        + "\", \"luns\": \"all\"}],", "")).hasMessageContaining("luns");
    assertThatThrownBy(() -> read("\"mutualChap\": {\"user\": \"t\"},", ""))
        .hasMessageContaining("mutualChap.secret is missing");
    assertThatThrownBy(() -> read("\"mutualChap\": {\"user\": \"t\", \"secret\": \"same-secret-001\"},"
        + "\"initiators\": [{\"iqn\": \"" + WEB + "\", \"chap\": {\"user\": \"web\", "
        + "\"secret\": \"same-secret-001\"}}],", ""))
        .hasMessageContaining("initiators[" + WEB + "].chap").hasMessageContaining("differ");
    assertThatThrownBy(() -> read("\"revision\": \"soon\",", ""))
        .hasMessageContaining("revision");
  }

  @Test
  void badRollbacksAndPinsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> read("", ", \"rollback\": {\"snapshot\": \"s\"}"))
        .hasMessageContaining("volume v: rollback.request is missing");
    assertThatThrownBy(() -> read("", ", \"rollback\": {\"request\": \"r\", \"snapshot\": \"sw\"}"))
        .hasMessageContaining("rollback.snapshot 'sw' is a snapshot of 'w'");
    assertThatThrownBy(() -> read("", ", \"rollback\": {\"request\": \"r\", \"snap\": \"s\"}"))
        .hasMessageContaining("unknown field 'snap'");
    assertThatThrownBy(() -> read("", ", \"tier\": \"SSD\""))
        .hasMessageContaining("volume v: tier 'SSD' needs a tiered pool");
    assertThatThrownBy(() -> read("", ", \"tier\": \"tape\""))
        .hasMessageContaining("volume v: tier 'tape' is not SSD or HDD");
  }

  @Test
  void aTieredPoolTakesPins() throws IOException {
    Path file = dir.resolve("tiered.json");
    Files.writeString(file, """
        {"drives": [{"name": "a", "path": "a.img", "media": "HDD", "size": "40M"},
                    {"name": "t", "path": "t.img", "media": "SSD", "size": "16M"}],
         "pools": [{"name": "p", "drives": ["a"], "tiering": {"drive": "t"}}],
         "volumes": [{"name": "v", "pool": "p", "size": "8M", "tier": "ssd"}]}""");
    assertThat(ArrayLayout.read(file).volumes().get(0).pinnedTier()).isEqualTo(Tier.SSD);
  }

  @Test
  void theRevisionOfABrokenFileIsStillFound() throws IOException {
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "{\"revision\": 9, \"drives\": 3}");
    assertThat(ArrayLayout.revisionIn(file)).isEqualTo(9);
    Files.writeString(file, "{not json");
    assertThat(ArrayLayout.revisionIn(file)).isNull();
  }
}
