package io.strata.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.engine.block.BlockDevice;
import io.strata.engine.block.DeviceOfflineException;
import io.strata.engine.crypto.KmsSettings;
import io.strata.kmip.KmipClient;
import io.strata.kmip.PyKmipServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An encrypted volume against a real PyKMIP server (docs/encryption.md): what is written through
 * its LUN reads back after a restart of the block stack, never reaches the drive files in clear,
 * the volume is NOT READY while the KMS is down (a plain volume beside it works) and comes up by
 * itself when the KMS returns, and its key is gone with the volume.
 */
class EncryptedVolumeIT {
  private static final String IQN = "iqn.2026-12.io.strata:t.encrypted";
  private static final byte[] MARKER = "STRATA-PLAINTEXT-MARKER-0123456789".getBytes(StandardCharsets.US_ASCII);
  private static PyKmipServer kms;
  private static String kek;

  @TempDir Path dir;

  @BeforeAll
  static void startKms() {
    kms = PyKmipServer.start();
    try (KmipClient client = KmipClient.connect(kms.endpoint())) {
      kek = client.createKek("tenant-it");
    }
  }

  @AfterAll
  static void stopKms() {
    if (kms != null) {
      kms.close();
    }
  }

  private Path layout(boolean withEncryptedVolume) throws IOException {
    return layout(withEncryptedVolume, false);
  }

  /** {@code late}: one more encrypted volume, "late", as LUN 2. */
  private Path layout(boolean withEncryptedVolume, boolean late) throws IOException {
    Path file = dir.resolve("array.json");
    String volumes = (withEncryptedVolume ? """
        {"name": "secret", "pool": "p", "size": "8M", "encryption": {"kek": "%s"}},
        """.formatted(kek) : "") + (late ? """
        {"name": "late", "pool": "p", "size": "8M", "encryption": {"kek": "%s"}},
        """.formatted(kek) : "") + """
        {"name": "plain", "pool": "p", "size": "8M"}""";
    String luns = (withEncryptedVolume ? "{\"lun\": 0, \"volume\": \"secret\"}, " : "")
        + (late ? "{\"lun\": 2, \"volume\": \"late\"}, " : "")
        + "{\"lun\": 1, \"volume\": \"plain\"}";
    Files.writeString(file, """
        {
          "drives": [{"name": "a", "path": "a.img", "media": "SSD", "size": "40M"},
                     {"name": "b", "path": "b.img", "media": "SSD", "size": "40M"}],
          "pools": [{"name": "p", "drives": ["a", "b"], "protection": "mirror"}],
          "volumes": [%s],
          "luns": [%s]
        }
        """.formatted(volumes, luns));
    return file;
  }

  private Path kmsSettings() throws IOException {
    Path file = dir.resolve("kmip.json");
    Files.writeString(file, """
        {"host": "127.0.0.1", "port": %d, "ca": "%s", "certificate": "%s", "key": "%s",
         "retryMaxSeconds": 1}
        """.formatted(kms.port(), kms.tls("ca.crt"), kms.tls("client.crt"), kms.tls("client.key")));
    return file;
  }

  private LayoutService open(Path file) throws IOException {
    LayoutService service = LayoutService.open(file, IQN, VolumeKeys.using(KmsSettings.read(kmsSettings())));
    service.reportTo(dir.resolve("status.json"));
    service.writeStatus(service.layout().revisionOrZero(), null);
    return service;
  }

  private static BlockDevice lun(LayoutService service, int lun) {
    return service.logicalUnits().get(lun).device();
  }

  private static byte[] block(int blockSize) {
    byte[] data = new byte[blockSize];
    for (int i = 0; i + MARKER.length <= data.length; i += MARKER.length) {
      System.arraycopy(MARKER, 0, data, i, MARKER.length);
    }
    return data;
  }

  private static byte[] read(BlockDevice d, long lba) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(d.blockSize());
    d.read(lba, buf);
    return buf.array();
  }

  private boolean drivesHoldMarker() throws IOException {
    for (String drive : new String[] {"a.img", "b.img"}) {
      byte[] raw = Files.readAllBytes(dir.resolve(drive));
      if (indexOf(raw, MARKER) >= 0) {
        return true;
      }
    }
    return false;
  }

  private JsonNode keyStatus() throws IOException {
    JsonNode status = new ObjectMapper().readTree(dir.resolve("status.json").toFile());
    for (JsonNode k : status.path("keys")) {
      if ("secret".equals(k.path("volume").asText())) {
        return k;
      }
    }
    return null;
  }

  @Test
  void encryptedVolumeLifecycle() throws Exception {
    Path file = layout(true);
    byte[] data;
    try (LayoutService service = open(file)) {
      BlockDevice secret = lun(service, 0);
      data = block(secret.blockSize());
      secret.write(100, ByteBuffer.wrap(data), true);
      lun(service, 1).write(100, ByteBuffer.wrap(data), true); // the plain one: the check below can fail
      assertThat(read(secret, 100)).isEqualTo(data);
      assertThat(keyStatus().path("state").asText()).isEqualTo("ACTIVE");
      byte[] record = service.stack().stores().get("p").record(VolumeKeys.recordOf("secret"));
      assertThat(new String(record, StandardCharsets.UTF_8)).contains(kek).contains("wrapped");
    }
    assertThat(drivesHoldMarker()).as("the plain volume's copy is found in the drive files").isTrue();
    // the plain volume's marker is overwritten: only the encrypted volume's copy is left
    try (LayoutService service = open(file)) {
      lun(service, 1).write(100, ByteBuffer.wrap(new byte[data.length]), true);
      assertThat(read(lun(service, 0), 100)).as("read back after a restart").isEqualTo(data);
    }
    assertThat(drivesHoldMarker()).as("the marker in clear in the drive files").isFalse();

    kms.stop();
    try (LayoutService service = open(file)) {
      BlockDevice secret = lun(service, 0);
      assertThatThrownBy(() -> read(secret, 100)).isInstanceOf(DeviceOfflineException.class)
          .hasMessageContaining("secret is not ready").hasMessageContaining("KMS");
      assertThat(read(lun(service, 1), 100)).as("the plain volume works").isEqualTo(new byte[data.length]);
      service.writeStatus(service.layout().revisionOrZero(), null);
      assertThat(keyStatus().path("state").asText()).isEqualTo("KMS_UNREACHABLE");
      assertThat(keyStatus().path("reason").asText()).contains("cannot be reached");

      // a new encrypted volume cannot get its key now: it alone waits, named in the status
      layout(true, true);
      service.reloadAndReport(); // as a SIGHUP does
      assertThat(service.stack().refusals()).startsWith("encrypted volume late: cannot wrap its new data key");
      assertThat(service.logicalUnits()).containsKeys(0, 1).doesNotContainKey(2);
      assertThat(read(lun(service, 1), 100)).isEqualTo(new byte[data.length]);

      kms.restart();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!readable(secret) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(read(secret, 100)).as("up by itself once the KMS is back").isEqualTo(data);
      service.writeStatus(service.layout().revisionOrZero(), null);
      assertThat(keyStatus().path("state").asText()).isEqualTo("ACTIVE");
      // the waiting volume is made by the engine's own retry of the layout (no new command)
      deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
      while (service.stack().refusals() != null && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(service.stack().refusals()).as("the layout applied again once the KMS is back").isNull();
      lun(service, 2).write(0, ByteBuffer.wrap(data), true);
      assertThat(read(lun(service, 2), 0)).isEqualTo(data);

      layout(false);
      service.reload();
      assertThat(service.stack().stores().get("p").record(VolumeKeys.recordOf("secret")))
          .as("the wrapped key is dropped with the volume").isNull();
      // the same name again is a new volume with a new key: the old blocks are not readable
      layout(true);
      service.reload();
      assertThat(read(lun(service, 0), 100)).isNotEqualTo(data);
    }
    assertThat(drivesHoldMarker()).isFalse();
  }

  private static boolean readable(BlockDevice d) throws IOException {
    try {
      read(d, 0);
      return true;
    } catch (DeviceOfflineException e) {
      return false;
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
