package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.qos.QosLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A volume's QoS from the layout file reaches its LUN, and a reload changes it in place. */
class LayoutQosTest {
  @TempDir Path dir;

  Path write(String volumeQos) throws Exception {
    Path file = dir.resolve("array.json");
    Files.writeString(file, """
        {
          "drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "40M"}],
          "pools": [{"name": "p", "drives": ["a"]}],
          "volumes": [{"name": "v", "pool": "p", "size": "8M"%s},
                      {"name": "w", "pool": "p", "size": "8M"}],
          "luns": [{"lun": 0, "volume": "v"}, {"lun": 1, "volume": "w"}]
        }
        """.formatted(volumeQos));
    return file;
  }

  @Test
  void limitsFollowTheLayout() throws Exception {
    Path file = write(", \"qos\": {\"iops\": 500, \"bandwidth\": \"20M\"}");
    try (LayoutService service = LayoutService.open(file, "iqn.2026-11.io.strata:t.qos")) {
      assertThat(service.limitsOf(0)).isEqualTo(QosLimits.of(500, 20L << 20));
      assertThat(service.limitsOf(1).unlimited()).as("a volume without qos").isTrue();

      write(", \"qos\": {\"iops\": 50}");
      service.reload();
      assertThat(service.limitsOf(0)).isEqualTo(QosLimits.of(50, 0));

      write("");
      service.reload();
      assertThat(service.limitsOf(0).unlimited()).isTrue();
    }
  }
}
